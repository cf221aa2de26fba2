/**
 * The product as the benchmark runs it: the real process entry (server/main.ts, configured by
 * the environment) plus the benchmark's memory probe and parent watchdog.
 */
import { installProbe } from './probe.js';

installProbe();
await import('../../server/main.js');
