/**
 * A server process for memory measurements: the real app (createApp from the environment, as
 * main.ts builds it) in a child started with --expose-gc and an IPC channel. The parent asks
 * `{ type: 'heap' }`; the child runs a full GC twice and answers `{ type: 'heap', heapUsed }`.
 * Test-only: nothing in the server exposes its heap.
 */
import pino from 'pino';
import { createApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc || !process.send) throw new Error('start with node --expose-gc and an IPC channel');

const app = await createApp({ config: loadConfig(process.env), logger: pino({ level: 'warn' }) });
const port = await app.listen(0, '127.0.0.1');
process.send({ type: 'listening', port });
process.on('message', (msg: { type?: string }) => {
  if (msg?.type !== 'heap') return;
  gc();
  gc();
  process.send!({ type: 'heap', heapUsed: process.memoryUsage().heapUsed });
});
process.on('disconnect', () => void app.close().then(() => process.exit(0)));
