/**
 * The last line of defence for errors that escape every handler. What is survivable:
 *
 * - **Unhandled rejections** are logged at `error` with the error, and the process goes on: a
 *   promise nobody awaited changes no state by being rejected.
 * - **Uncaught exceptions** are logged at `fatal` with the error and its origin. Every socket and
 *   HTTP handler catches its own errors, so one that gets here is a bug in a callback. The state
 *   that matters lives in the engine (Redis changes are atomic scripts) and the hub repairs its
 *   memory from the log, so the process keeps serving after an isolated one rather than drop
 *   every reader at once. More than `maxUncaughtPerMinute` in a minute means something is broken
 *   in a loop: the process then drains and exits with code 1 for its supervisor to restart it.
 *
 * Nothing is swallowed: every error is logged with its stack.
 */
import type { Logger } from 'pino';

export interface ProcessGuardOptions {
  logger: Logger;
  /** Graceful stop (drain sockets and requests), then exit with `code`. */
  stop: (reason: string, code: number) => void;
  /** Uncaught exceptions tolerated per minute before the process stops. @default 5 */
  maxUncaughtPerMinute?: number;
}

export function installProcessGuard(options: ProcessGuardOptions): () => void {
  const { logger } = options;
  const max = options.maxUncaughtPerMinute ?? 5;
  let recent: number[] = [];
  const onRejection = (reason: unknown): void => {
    logger.error({ err: reason }, 'unhandled promise rejection (the process continues)');
  };
  const onException = (err: Error, origin: string): void => {
    const now = Date.now();
    recent = recent.filter((t) => now - t < 60_000);
    recent.push(now);
    const survive = recent.length <= max;
    logger.fatal({ err, origin, inLastMinute: recent.length }, survive
      ? 'uncaught exception (the process continues; this is a bug to fix)'
      : `more than ${max} uncaught exceptions in a minute; draining and exiting`);
    if (!survive) options.stop('uncaughtException', 1);
  };
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  };
}
