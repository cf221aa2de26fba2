/**
 * The messages between processes on Redis pub/sub: one versioned, discriminated union. The
 * COMMIT script produces them (redis-scripts.ts, the two PUBLISH lines); every process parses
 * them with `parseFanout` on receipt, so a malformed or foreign message is refused at the edge
 * rather than trusted. A new shape gets a new `v`.
 */
import { z } from 'zod';
import { EVENT_TYPES, type DeskHeadline, type TickerEvent } from '../../shared/index.js';

export const FANOUT_VERSION = 1;

export type FanoutMessage =
  | { v: typeof FANOUT_VERSION; type: 'event'; event: TickerEvent }
  | { v: typeof FANOUT_VERSION; type: 'desk'; doc: DeskHeadline };

// Documents are checked on the fields every reader relies on and passed through whole, so a
// field added to Headline later is carried, not stripped.
const headlineCore = z.looseObject({
  uri: z.string(),
  channel: z.string(),
  version: z.number().int(),
  headline: z.string(),
  language: z.string(),
  firstCreated: z.string(),
  versionCreated: z.string(),
});

const eventSchema = z.strictObject({
  channel: z.string(),
  epoch: z.string(),
  offset: z.number().int().positive(),
  type: z.enum(EVENT_TYPES),
  uri: z.string(),
  version: z.number().int(),
  headline: headlineCore.optional(),
  at: z.string(),
});

const fanoutSchema = z.discriminatedUnion('type', [
  z.strictObject({ v: z.literal(FANOUT_VERSION), type: z.literal('event'), event: eventSchema }),
  z.strictObject({ v: z.literal(FANOUT_VERSION), type: z.literal('desk'), doc: headlineCore.extend({ status: z.string() }) }),
]);

/** The message, or undefined when it is not one this version understands. */
export function parseFanout(text: string): FanoutMessage | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = fanoutSchema.safeParse(json);
  // The schema checks what readers rely on; the rest of a document is carried as it came.
  return parsed.success ? (parsed.data as FanoutMessage) : undefined;
}

/** The Lua text that wraps a JSON value into a message of `type` (used by COMMIT's PUBLISH lines). */
export const FANOUT_LUA_PREFIX = {
  event: `{"v":${FANOUT_VERSION},"type":"event","event":`,
  desk: `{"v":${FANOUT_VERSION},"type":"desk","doc":`,
} as const;
