/**
 * A worker thread of the load generator: owns one crowd of readers (bench/crowd.ts) and answers
 * the main thread's commands; typed arrays in replies are transferred, not copied.
 */
import { parentPort } from 'node:worker_threads';
import { Crowd, type CrowdCmd } from './crowd.js';

const port = parentPort!;
const crowd = new Crowd((p) => port.postMessage(p));

port.on('message', ({ id, cmd }: { id: number; cmd: CrowdCmd }) => {
  crowd.handle(cmd).then(
    (result) => {
      const buffers = result && typeof result === 'object'
        ? Object.values(result).filter((v): v is Float64Array => v instanceof Float64Array).map((a) => a.buffer as ArrayBuffer)
        : [];
      port.postMessage({ type: 'reply', id, result }, buffers);
    },
    (err: unknown) => port.postMessage({ type: 'error', id, message: err instanceof Error ? err.stack ?? err.message : String(err) }),
  );
});
