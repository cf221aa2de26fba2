import pino, { type Logger } from 'pino';
import type { Config } from './config.js';

/** Paths that could carry a key; pino replaces them before a line is written. */
export const REDACT = [
  'key', 'apiKey', 'authorization', '*.key', '*.apiKey', '*.authorization',
  'req.headers.authorization', 'req.headers["x-api-key"]', 'headers.authorization', 'headers["x-api-key"]',
];

export function createLogger(config: Pick<Config, 'logLevel' | 'logPretty'>): Logger {
  return pino({
    level: config.logLevel,
    redact: { paths: REDACT, censor: '[redacted]' },
    base: { pid: process.pid },
    ...(config.logPretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l' } } } : {}),
  });
}
