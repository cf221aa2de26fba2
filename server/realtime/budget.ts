/**
 * Per-socket budgets: what one connection may hold and do, so no single socket can grow the
 * server's state or logs without bound. Counted in memory per socket; gone with the socket.
 */
import { MAX_CHANNELS_PER_SOCKET } from '../../shared/index.js';

export interface BudgetOptions {
  /** Channels one socket may follow at once, over all its subscribe calls. @default MAX_CHANNELS_PER_SOCKET (20) */
  maxChannels?: number;
  /** `channels:subscribe` calls one socket may make per minute. @default 30 */
  subscribesPerMinute?: number;
  /**
   * Unknown events, invalid payloads and refused calls one socket may send in its lifetime; the
   * next one closes it with `connection:closing` `{ code: 'TOO_MANY_BAD_EVENTS' }`. @default 20
   */
  maxBadEvents?: number;
}

export const budgetDefaults: Required<BudgetOptions> = {
  maxChannels: MAX_CHANNELS_PER_SOCKET,
  subscribesPerMinute: 30,
  maxBadEvents: 20,
};

const MINUTE = 60_000;

export class SocketBudget {
  /** The channels this socket follows (joined or joining). */
  readonly channels = new Set<string>();
  private badEvents = 0;
  private windowStart = 0;
  private subscribes = 0;

  constructor(private readonly limits: Required<BudgetOptions>) {}

  get maxChannels(): number {
    return this.limits.maxChannels;
  }

  /** Counts one bad event; true when the socket has now spent its allowance and must go. */
  strike(): boolean {
    this.badEvents++;
    return this.badEvents > this.limits.maxBadEvents;
  }

  get strikes(): number {
    return this.badEvents;
  }

  /** Counts one subscribe call in the current minute; false when over the allowance. */
  takeSubscribe(now: number): boolean {
    if (now - this.windowStart >= MINUTE) {
      this.windowStart = now;
      this.subscribes = 0;
    }
    this.subscribes++;
    return this.subscribes <= this.limits.subscribesPerMinute;
  }

  /** How many of `channels` are not followed yet, and whether following them stays in budget. */
  roomFor(channels: Iterable<string>): { fresh: string[]; fits: boolean } {
    const fresh = [...new Set(channels)].filter((c) => !this.channels.has(c));
    return { fresh, fits: this.channels.size + fresh.length <= this.limits.maxChannels };
  }
}
