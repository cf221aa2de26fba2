/**
 * One channel as a reader holds it: the live set at a log position (epoch + offset). Events are
 * applied strictly in log order; a repeat is ignored, a gap is reported so the caller resyncs.
 * Headlines past their `expires` leave by the reader's own clock.
 */
import { applyEvent, compareNewestFirst, formatCursor, parseCursor, type TickerEvent } from '../../shared/events.js';
import type { Headline } from '../../shared/headline.js';
import { fairOrder } from '../../shared/order.js';
import { EMPTY_EPOCH, type Snapshot } from '../../shared/protocol.js';

export type ApplyResult = 'changed' | 'unchanged' | 'duplicate' | 'gap';

/**
 * What is persisted per channel so a reload resumes: the cursor and, of the live set at it, the
 * headlines a ticker can show (the first `keep` in ticker order), within `SAVE_LIMIT` characters.
 */
export interface SavedChannel {
  cursor: string;
  headlines: Headline[];
}

/** The most characters one channel's saved state takes in storage. @default 16000 */
export const SAVE_LIMIT = 16_000;

export class ChannelState {
  readonly live = new Map<string, Headline>();
  epoch = '';
  offset = 0;
  private sorted: Headline[] | undefined;

  constructor(readonly channel: string) {}

  /** The position to resume from, once anything was applied. */
  get cursor(): string | undefined {
    return this.epoch ? formatCursor(this) : undefined;
  }

  /** The live set, newest first. */
  headlines(): readonly Headline[] {
    return (this.sorted ??= [...this.live.values()].sort(compareNewestFirst));
  }

  /** A snapshot replaces the channel's set and position. */
  replace(s: Pick<Snapshot, 'epoch' | 'offset' | 'headlines'>): void {
    this.live.clear();
    for (const h of s.headlines) this.live.set(h.uri, h);
    this.epoch = s.epoch;
    this.offset = s.offset;
    this.sorted = undefined;
  }

  apply(e: TickerEvent): ApplyResult {
    // A channel's first headline gives it its epoch: offset 1 of it follows empty:0.
    if (this.epoch === EMPTY_EPOCH && this.offset === 0 && e.offset === 1) this.epoch = e.epoch;
    if (e.epoch === this.epoch && e.offset <= this.offset) return 'duplicate';
    if (e.epoch !== this.epoch || e.offset !== this.offset + 1) return 'gap';
    this.offset = e.offset;
    if (!applyEvent(this.live, e)) return 'unchanged';
    this.sorted = undefined;
    return 'changed';
  }

  /** Drops every headline whose `expires` is at or before `now`; returns whether any left. */
  expire(now: number): boolean {
    let changed = false;
    for (const [uri, h] of this.live) {
      if (h.expires && Date.parse(h.expires) <= now) changed = this.live.delete(uri);
    }
    if (changed) this.sorted = undefined;
    return changed;
  }

  /** The earliest `expires` still ahead, in ms since the epoch. */
  nextExpiry(): number | undefined {
    let next: number | undefined;
    for (const h of this.live.values()) {
      const t = h.expires ? Date.parse(h.expires) : NaN;
      if (t === t && (next === undefined || t < next)) next = t;
    }
    return next;
  }

  save(now: number, keep: number, limit = SAVE_LIMIT): SavedChannel | undefined {
    const cursor = this.cursor;
    if (!cursor) return undefined;
    const headlines: Headline[] = [];
    let size = cursor.length + 32;
    for (const h of fairOrder(this.live.values(), keep, now)) {
      size += JSON.stringify(h).length + 1;
      if (size > limit) break;
      headlines.push(h);
    }
    return { cursor, headlines };
  }

  /**
   * Takes a server-rendered position (a page's `?format=html` fragment) unless this state is of
   * the same log and at or past it (a newer saved state). Of two logs (epochs), the page's is the
   * server's current one: a saved state of another would be answered with a snapshot anyway.
   */
  adopt(seed: SavedChannel): void {
    const pos = parseCursor(seed.cursor);
    if (pos && (pos.epoch !== this.epoch || pos.offset > this.offset)) this.restore(seed);
  }

  /** Restores a saved position; anything malformed is ignored (the server then sends a snapshot). */
  restore(saved: unknown): void {
    if (!saved || typeof saved !== 'object') return;
    const { cursor, headlines } = saved as Partial<SavedChannel>;
    const pos = typeof cursor === 'string' ? parseCursor(cursor) : undefined;
    if (!pos || !Array.isArray(headlines)) return;
    const valid = headlines.filter((h) => h && typeof h.uri === 'string' && typeof h.headline === 'string' && h.channel === this.channel);
    this.replace({ ...pos, headlines: valid });
  }
}
