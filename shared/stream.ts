/**
 * The SSE stream's contract (`GET /api/v1/channels/:channel/stream`, `GET /api/v1/stream?channels=a,b`),
 * shared by the server and the browser SDK. Events carry the same payloads as the socket's:
 *
 * - `channel:snapshot` (Snapshot), `headline:event` (TickerEvent): the catch-up, then live events;
 * - `channels:subscribed` `{ channels: SubscribeResult[] }`: the catch-up of every channel was sent
 *   (what the socket's `channels:subscribe` ack says);
 * - `server:draining` (DrainingNotice), `connection:closing` (ClosingNotice): as on the socket.
 *
 * Each `channel:snapshot` and `headline:event` has an SSE `id` that is the position after it: on a
 * one-channel stream the channel's cursor (`EPOCH:OFFSET`), on a multi-channel stream every
 * channel's cursor so far, `CHANNEL@EPOCH:OFFSET` joined by `,`. The browser sends the last one
 * back as `Last-Event-ID` when it reconnects; a client that opens a new stream passes it as `?after=`.
 */
import { formatCursor, parseCursor, type Cursor } from './events.js';
import { CHANNEL_PATTERN } from './headline.js';

export const STREAM_EVENTS = ['channel:snapshot', 'headline:event', 'channels:subscribed', 'server:draining', 'connection:closing'] as const;
export type StreamEventName = (typeof STREAM_EVENTS)[number];

/** Every channel's cursor, as one SSE id (`a@EPOCH:OFFSET,b@EPOCH:OFFSET`). */
export function formatStreamId(cursors: ReadonlyMap<string, Cursor | string>): string {
  const parts: string[] = [];
  for (const [channel, c] of cursors) parts.push(`${channel}@${typeof c === 'string' ? c : formatCursor(c)}`);
  return parts.join(',');
}

/**
 * Reads a multi-channel SSE id. Returns undefined when any part is malformed (the caller decides
 * whether that is an error or a fresh start); channels may appear at most once.
 */
export function parseStreamId(text: string): Map<string, string> | undefined {
  const cursors = new Map<string, string>();
  if (text === '') return cursors;
  for (const part of text.split(',')) {
    const at = part.indexOf('@');
    const channel = part.slice(0, at);
    const cursor = part.slice(at + 1);
    if (at < 1 || !CHANNEL_PATTERN.test(channel) || !parseCursor(cursor) || cursors.has(channel)) return undefined;
    cursors.set(channel, cursor);
  }
  return cursors;
}

