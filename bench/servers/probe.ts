/**
 * Installed in every target process the benchmark starts: answers memory probes over the IPC
 * channel (after a full GC when node runs with --expose-gc, so heap figures are live data, not
 * garbage) and exits when the benchmark goes away, so no target outlives a crashed run.
 */
import type { FromServer, ToServer } from '../ipc.js';

export function installProbe(): void {
  if (!process.send) return;
  process.on('message', (raw: unknown) => {
    const msg = raw as ToServer;
    if (msg?.type !== 'mem') return;
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const m = process.memoryUsage();
    const reply: FromServer = { type: 'mem', id: msg.id, rss: m.rss, heapUsed: m.heapUsed };
    process.send?.(reply);
  });
  process.on('disconnect', () => process.exit(0));
}
