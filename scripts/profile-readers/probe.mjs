/**
 * Preloaded into every target process (`node --expose-gc --import ./probe.mjs …`): answers the
 * profiler over IPC with memory after a full GC, or writes a heap snapshot, and exits when the
 * profiler goes away so no target outlives it.
 */
import { writeHeapSnapshot } from 'node:v8';

if (process.send) {
  process.on('message', (msg) => {
    if (msg?.type === 'mem') {
      globalThis.gc?.();
      globalThis.gc?.();
      const m = process.memoryUsage();
      process.send({ type: 'mem', id: msg.id, rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers });
    } else if (msg?.type === 'snapshot') {
      globalThis.gc?.();
      process.send({ type: 'snapshot', id: msg.id, file: writeHeapSnapshot(msg.file) });
    }
  });
  process.on('disconnect', () => process.exit(0));
}
