/**
 * The ticker's order, shared by the widget (what it shows) and the SDK (what it saves): urgency
 * decides the order only within a recency window, and never takes every slot.
 *
 * The rule: a flash or bulletin (urgency 1–2) leads while it is younger than `URGENT_WINDOW_MS`
 * (15 minutes), newest first, in at most `max - floor(max / 3)` slots; everything else (routine
 * items, older urgent ones, leading items past the cap) follows newest first. So with `max` 6, at
 * most 4 slots go to fresh flashes and at least 2 to the newest of the rest, and a flash stops
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
  const cap = max - Math.floor(max / 3);
  const lead = new Set<Headline>();
  for (const h of newest) if (lead.size < cap && isUrgent(h) && now - Date.parse(h.firstCreated) < windowMs) lead.add(h);
  return [...lead, ...newest.filter((h) => !lead.has(h))].slice(0, max);
}
