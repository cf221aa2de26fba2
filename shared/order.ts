/**
 * The ticker's order, shared by the widget (what it shows) and the SDK (what it saves): urgency
 * decides the order only within a recency window, and never takes every slot.
 *
 * The rule: a flash or bulletin (urgency 1–2) is "fresh" while it is younger than
 * `URGENT_WINDOW_MS` (15 minutes). Fresh urgent items lead, newest first; the other items (routine
 * ones and urgent ones past the window) follow, newest first, and keep a reserve of
 * `floor(max / 3)` slots that fresh urgent items cannot take. So on a `max` 6 strip a busy hour
 * of flashes gets at most 4 slots while there are 2 other items to show, and a flash stops
 * leading 15 minutes after it was first published. The order is re-evaluated at every update.
 */
import { compareNewestFirst } from './events.js';
import type { Headline } from './headline.js';

/** How long a flash or bulletin leads the strip. @default 15 minutes */
export const URGENT_WINDOW_MS = 15 * 60_000;

/** Flash (1) and bulletin (2): labelled and led with. */
export const isUrgent = (h: Headline): boolean => h.urgency <= 2;

/** The first `max` headlines of `list` in ticker order at time `now` (ms). */
export function fairOrder(list: Iterable<Headline>, max: number, now: number, windowMs = URGENT_WINDOW_MS): Headline[] {
  const newest = [...list].sort(compareNewestFirst);
  const fresh = newest.filter((h) => isUrgent(h) && now - Date.parse(h.firstCreated) < windowMs);
  const others = newest.filter((h) => !fresh.includes(h));
  return [...fresh.slice(0, max - Math.min(Math.floor(max / 3), others.length)), ...others].slice(0, max);
}
