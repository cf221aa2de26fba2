/**
 * Waiting on state that events change: `until` resolves when the predicate holds, re-checked
 * each time the owner calls `poke` (after it recorded an event), and rejects naming `what`
 * after the deadline. No polling, no sleeps.
 */
export class Conditions {
  private waiters: (() => void)[] = [];

  poke(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** `detail`, when given, is added to the timeout message (e.g. what arrived instead). */
  until(predicate: () => boolean, what: string, timeoutMs: number, detail?: () => string): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}${detail ? `; got:\n${detail()}` : ''}`)), timeoutMs);
      const check = () => {
        if (predicate()) {
          clearTimeout(timer);
          resolve();
        } else this.waiters.push(check);
      };
      this.waiters.push(check);
    });
  }
}
