/**
 * The zod schemas of what a reader sees on the wire: the Headline, the log event, the snapshot,
 * the subscribe request and its ack, the event-log page, the notices and the problem document.
 * One source of truth: the TS types in headline.ts, events.ts and protocol.ts are derived from
 * these (`z.infer`, imported as types only, so zod stays out of the browser bundles), the server
 * parses the subscribe request with them, and the JSON Schema served at
 * `GET /api/v1/schema/{name}.json` (server/http/json-schema.ts) and the OpenAPI answers are
 * generated from them. docs/protocol.md explains each field; test/conformance validates real
 * answers against the served schema.
 *
 * Every described field is registered in `wireRegistry` (ids and descriptions for the JSON
 * Schema document) and in zod's global registry (descriptions in OpenAPI). Ids live only in
 * `wireRegistry`: an id in the global registry would turn OpenAPI schemas into `$ref`s to `$defs`
 * that an OpenAPI document cannot resolve.
 */
import { z } from 'zod';
import { ERRORS, type ErrorCode } from './errors.js';
import { CURSOR_PATTERN, EVENT_TYPES } from './events.js';
import { PUB_STATUSES } from './headline.js';
import { MAX_CHANNELS_PER_SOCKET, SNAPSHOT_REASONS } from './protocol.js';
import { channelSchema, uriSchema } from './schemas.js';

export interface WireMeta {
  /** The `$defs` name in the JSON Schema document. */
  id?: string;
  description?: string;
}

export const wireRegistry = z.registry<WireMeta>();

/** A schema with a description in both registries. */
function doc<T extends z.ZodType>(schema: T, description: string): T {
  const described = schema.describe(description);
  wireRegistry.add(described, { description });
  return described;
}

/** A named top-level type (`$defs` entry). */
function named<T extends z.ZodType>(schema: T, id: string, description: string): T {
  const described = schema.describe(description);
  wireRegistry.add(described, { id, description });
  return described;
}

const iso = (what: string) => doc(z.iso.datetime(), `${what} (ISO 8601, UTC, e.g. "2026-03-01T09:30:00.000Z")`);
const EPOCH_PATTERN = /^[a-z0-9]{4,32}$/;

export const headlineSchema = named(z.object({
  uri: doc(uriSchema, 'The headline id (8–64 of A–Z a–z 0–9 _ -); stable over every version'),
  channel: doc(channelSchema, 'The channel it was published to'),
  version: doc(z.number().int().min(1), 'Counts from 1; every change (correction, hold, release, expiry) adds one. Show the highest'),
  language: doc(z.string().min(1), 'BCP 47 language tag, e.g. "ar", "en-GB"'),
  direction: doc(z.enum(['rtl', 'ltr']), 'Writing direction of the text, for `dir`'),
  headline: doc(z.string().min(1), 'The text: plain text (never HTML), normalised, at most 280 characters'),
  urgency: doc(z.number().int().min(1).max(9), 'IPTC urgency, 1 (flash) … 9; 1 flash, 2 bulletin, 3–4 urgent, 5–9 routine'),
  pubStatus: doc(z.enum(PUB_STATUSES), 'ninjs pubStatus; a reader only ever sees "usable"'),
  firstCreated: iso('When the first version was published; the live set is ordered by it, newest first'),
  versionCreated: iso('When this version was made'),
  embargoedUntil: iso('The embargo that held it back until then').optional(),
  expires: iso('When it leaves the live set; a client drops it at this time by its own clock').optional(),
  link: doc(z.string(), 'An absolute http(s) URL to the full story; render as a link only when http(s)').optional(),
  by: doc(z.string(), 'Byline').optional(),
  infoSources: doc(z.array(z.object({ name: z.string(), uri: z.string().optional() })), 'Sources (at most 5), each a name and an optional http(s) URL').optional(),
  section: doc(z.string(), 'Section, e.g. "World"').optional(),
}), 'Headline', 'A headline as readers see it (the public view: no edNote, no desk fields)');

export const cursorSchema = doc(z.string().regex(CURSOR_PATTERN, 'a cursor looks like "EPOCH:OFFSET"'),
  'A position in a channel log, "EPOCH:OFFSET": the cursor of the last event or snapshot applied');

export const tickerEventSchema = named(z.object({
  channel: doc(channelSchema, 'The channel'),
  epoch: doc(z.string().regex(EPOCH_PATTERN), 'The log\'s lifetime; a new epoch means the log was lost and offsets restarted'),
  offset: doc(z.number().int().min(1), 'Position in the log: 1, 2, 3 … with no gaps within an epoch'),
  type: doc(z.enum(EVENT_TYPES), 'published, corrected, released: show `headline`; withheld, retracted, expired: remove `uri`'),
  uri: doc(uriSchema, 'The headline id'),
  version: doc(z.number().int().min(1), 'The headline version this event made'),
  headline: doc(headlineSchema.optional(), 'The headline as readers now see it, on published, corrected and released; absent on removals and on tombstones (a later hold or kill removed the text)'),
  at: iso('When the event was committed'),
}), 'TickerEvent', 'One entry of a channel log (`headline:event`); its cursor is `${epoch}:${offset}`');

export const snapshotSchema = named(z.object({
  channel: doc(channelSchema, 'The channel'),
  cursor: cursorSchema,
  epoch: doc(z.string().regex(EPOCH_PATTERN), 'The epoch of `cursor`'),
  offset: doc(z.number().int().min(0), 'The offset of `cursor` (0 on a channel that never had a headline)'),
  headlines: doc(z.array(headlineSchema), 'The live set, newest first (by firstCreated, then uri)'),
  fresh: doc(z.literal(true), 'Always true: replace whatever the client showed for the channel'),
  reason: doc(z.enum(SNAPSHOT_REASONS), 'Why a snapshot and not events: first-visit, cursor-too-old, epoch-changed, resync, slow-reader'),
}), 'Snapshot', 'A channel\'s live set at `cursor` (`channel:snapshot`)');

export const eventBatchSchema = named(z.object({
  channel: doc(channelSchema, 'The channel'),
  events: doc(z.array(tickerEventSchema).min(1), 'Events in log order with consecutive offsets; apply each as a headline:event'),
}), 'EventBatch', 'Several events of one channel in one packet (`headline:events`), sent only to sockets whose handshake has `auth: { batch: true }`');

export const channelRequestSchema = named(z.strictObject({
  channel: doc(channelSchema, 'The channel to follow'),
  cursor: doc(z.string().regex(new RegExp(`^(${CURSOR_PATTERN.source.slice(1, -1)})?$`), 'a cursor looks like "EPOCH:OFFSET"; omit it, or send null or "", on a first visit').nullable().optional(),
    'The cursor of the last event or snapshot applied. Omitted, null and "" all mean a first visit (a snapshot); a malformed one is refused with INVALID_CURSOR'),
}), 'ChannelRequest', 'One channel of a subscribe request');

export const subscribeRequestSchema = named(z.strictObject({
  channels: doc(z.array(channelRequestSchema).min(1).max(MAX_CHANNELS_PER_SOCKET), `1–${MAX_CHANNELS_PER_SOCKET} channels (at most ${MAX_CHANNELS_PER_SOCKET} per socket over all calls)`),
}), 'SubscribeRequest', 'The payload of `channels:subscribe`');

export const subscribeResultSchema = named(z.object({
  channel: doc(channelSchema, 'The channel'),
  mode: doc(z.enum(['events', 'snapshot']), 'events: the events after the cursor were sent; snapshot: one channel:snapshot was sent'),
  cursor: doc(cursorSchema, 'The cursor after the catch-up that was sent'),
}), 'SubscribeResult', 'What the catch-up of one channel was');

const ERROR_CODES = Object.keys(ERRORS) as [ErrorCode, ...ErrorCode[]];
export const errorCodeSchema = doc(z.enum(ERROR_CODES), 'A stable error code (shared/errors.ts); clients switch on it');
export const fieldErrorSchema = z.object({ field: z.string(), message: z.string() });

export const ackErrorSchema = named(z.object({
  error: z.object({ code: errorCodeSchema, message: z.string(), errors: z.array(fieldErrorSchema).optional() }),
}), 'AckError', 'A refused socket call: the same codes as HTTP problems');

export const subscribeAckSchema = named(z.union([
  z.object({ data: z.object({ channels: z.array(subscribeResultSchema) }) }),
  ackErrorSchema,
]), 'SubscribeAck', 'The ack of `channels:subscribe`, answered after every channel\'s catch-up was sent');

export const eventLogPageSchema = named(z.object({
  data: z.object({
    channel: doc(channelSchema, 'The channel'),
    events: doc(z.array(tickerEventSchema), 'At most `limit` events after `?after=`, oldest first (tombstones included)'),
    cursor: doc(cursorSchema, 'The cursor after the last event of the page (the `after` of the next page)'),
    head: doc(cursorSchema, 'The cursor of the newest event in the log: the page reached the head when cursor equals head'),
  }),
}), 'EventLogPage', 'The answer of GET /api/v1/channels/{channel}/events');

export const drainingNoticeSchema = named(z.object({
  reconnectInMs: doc(z.number().int().min(0), 'Reconnect (to any process) after about this long, with your cursors'),
}), 'DrainingNotice', 'server:draining: the process is shutting down');

export const closingNoticeSchema = named(z.object({ code: errorCodeSchema, message: z.string() }),
  'ClosingNotice', 'connection:closing: the server closes this connection; do not reconnect in a loop on TOO_MANY_BAD_EVENTS');

export const problemSchema = named(z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  code: errorCodeSchema,
  detail: z.string().optional(),
  instance: z.string().optional(),
  errors: doc(z.array(fieldErrorSchema), 'Per-field errors, e.g. { field: "query:after", message }').optional(),
}), 'Problem', 'An RFC 9457 problem (application/problem+json) with a stable `code`');

/** The JSON Schema documents served under /api/v1/schema/, by file name (without `.json`). */
export const WIRE_DOCUMENTS = {
  headline: headlineSchema,
  event: tickerEventSchema,
  'event-batch': eventBatchSchema,
  snapshot: snapshotSchema,
  'subscribe-request': subscribeRequestSchema,
  'subscribe-ack': subscribeAckSchema,
  'event-log': eventLogPageSchema,
  draining: drainingNoticeSchema,
  closing: closingNoticeSchema,
  problem: problemSchema,
} as const;
export type WireDocumentName = keyof typeof WIRE_DOCUMENTS;
