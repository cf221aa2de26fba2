/** What happens to headlines on a channel, and where each event sits in the channel's log. */
import type { z } from 'zod';
import type { Headline } from './headline.js';
import type { tickerEventSchema } from './wire.js';

export const EVENT_TYPES = ['published', 'corrected', 'withheld', 'released', 'retracted', 'expired'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Events after which readers show the headline (upsert); the others remove it. */
export const SHOWING_EVENTS: ReadonlySet<EventType> = new Set(['published', 'corrected', 'released']);

/**
 * One entry of a channel's ordered log. `epoch` names the log's lifetime (a new epoch means the
 * log was lost and offsets restarted); `offset` counts from 1 with no gaps within an epoch.
 * `headline` is present on published, corrected and released (unless a later hold or kill made
 * the event a tombstone). The schema, with every field described, is in shared/wire.ts.
 */
export type TickerEvent = z.infer<typeof tickerEventSchema>;

/** A client's position in a channel's log. */
export interface Cursor {
  epoch: string;
  offset: number;
}

/** `EPOCH:OFFSET`: an epoch of 4–32 of a-z 0-9 (`empty` on a channel that never had a headline), an offset of 1–15 digits. */
export const CURSOR_PATTERN = /^([a-z0-9]{4,32}):(\d{1,15})$/;

export function formatCursor(c: Cursor): string {
  return `${c.epoch}:${c.offset}`;
}

export function parseCursor(value: string): Cursor | undefined {
  const m = CURSOR_PATTERN.exec(value);
  if (!m) return undefined;
  return { epoch: m[1]!, offset: Number(m[2]) };
}

/**
 * Applies one event to a live set keyed by uri, as every reader does: show on
 * published/corrected/released unless an equal or newer version is already shown (every change
 * bumps the version); remove on withheld/retracted/expired. Returns whether the set changed.
 */
export function applyEvent(live: Map<string, Headline>, e: TickerEvent): boolean {
  const current = live.get(e.uri);
  if (SHOWING_EVENTS.has(e.type)) {
    if (!e.headline || (current && current.version >= e.version)) return false;
    live.set(e.uri, e.headline);
    return true;
  }
  return live.delete(e.uri);
}

/** Live set order: newest first by firstCreated, then uri for a stable tie-break. */
export function compareNewestFirst(a: Headline, b: Headline): number {
  return b.firstCreated.localeCompare(a.firstCreated) || b.uri.localeCompare(a.uri);
}
