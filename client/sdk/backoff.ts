/** Reconnect delays: "full jitter" exponential backoff (as centrifuge-js utils.ts#backoff). */
export interface BackoffOptions {
  /** First ceiling, in ms. @default 500 */
  minDelayMs?: number;
  /** Largest ceiling, in ms. @default 20000 */
  maxDelayMs?: number;
}

/** A delay drawn uniformly from [0, min(max, min·2^attempt)): retries of many readers spread out. */
export function backoff(attempt: number, random: () => number, options: BackoffOptions = {}): number {
  const min = options.minDelayMs ?? 500;
  const max = options.maxDelayMs ?? 20_000;
  const ceiling = Math.min(max, min * 2 ** Math.min(attempt, 16));
  return Math.floor(random() * ceiling);
}
