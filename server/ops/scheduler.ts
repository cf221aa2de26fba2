/** Runs due expiries and embargo ends on a timer, with no request running. Every process runs one. */
import type { Logger } from 'pino';
import type { HeadlineService } from '../domain/service.js';

export function startScheduler(service: HeadlineService, intervalMs: number, logger: Logger): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    service
      .runDue()
      .catch((err: unknown) => logger.warn({ err }, 'due run failed; retried next tick'))
      .finally(() => (running = false));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

