/**
 * Kill and hold purge the public log: once a headline is withheld or retracted, its earlier
 * events are served as tombstones (type, uri, version, offset and time kept; no text), so
 * cursors and ordering stay valid while no public read carries a copy of the text.
 */
import type { EventType, TickerEvent } from '../../shared/index.js';

/** Events that hide the text of the headline's earlier events. */
export const HIDING_EVENTS: ReadonlySet<EventType> = new Set(['withheld', 'retracted']);

/** The event without its text. */
export function tombstone(e: TickerEvent): TickerEvent {
  if (!e.headline) return e;
  const { headline: _dropped, ...rest } = e;
  return rest;
}

/** `events` with the text removed from every event of a uri hidden at a later version. */
export function purgeHidden(events: TickerEvent[], hiddenFrom: ReadonlyMap<string, number>): TickerEvent[] {
  if (hiddenFrom.size === 0) return events;
  return events.map((e) => {
    const from = hiddenFrom.get(e.uri);
    return from !== undefined && e.version < from ? tombstone(e) : e;
  });
}

/** The hiding versions named by `events` (withheld and retracted events), by uri. */
export function hiddenBy(events: Iterable<TickerEvent>): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of events) if (HIDING_EVENTS.has(e.type)) out.set(e.uri, Math.max(e.version, out.get(e.uri) ?? 0));
  return out;
}
