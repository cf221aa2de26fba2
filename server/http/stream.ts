/**
 * The SSE stream: `GET /api/v1/channels/:channel/stream` and `GET /api/v1/stream?channels=a,b`.
 * The same catch-up and live events as a socket's `channels:subscribe`, for clients without
 * WebSockets (office and hotel proxies) or without a client library (curl, EventSource).
 *
 * Fed by the process's ChannelHub like the socket rooms: one hub listener for all streams, no
 * store work per stream beyond the catch-up. A stream follows its channels on the hub (the
 * follower count) until it closes. Limits as for a socket: at most `maxChannels` channels, and a
 * stream whose unwritten output grows past `maxBufferedBytes` (a reader that cannot keep up) is
 * cut; it comes back with its Last-Event-ID and gets the catch-up or a fresh snapshot.
 *
 * Cursors: `Last-Event-ID` (sent by the browser when it reconnects) wins over `?after=`. A
 * malformed `?after=` is refused (400 INVALID_CURSOR, as `GET …/events?after=` and the socket); a
 * malformed `Last-Event-ID` starts fresh (a `first-visit` snapshot), since a browser's automatic
 * reconnect must never end in an error it cannot recover from.
 * The event names and the id format are in shared/stream.ts.
 */
import { Router, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import {
  ERRORS, MAX_CHANNELS_PER_SOCKET, channelSchema, formatCursor, formatStreamId, parseCursor, parseStreamId,
  type StreamEventName, type SubscribeResult,
} from '../../shared/index.js';
import { AppError } from '../domain/errors.js';
import type { ReaderTally } from '../presence/presence.js';
import type { ChannelHub } from '../realtime/hub.js';
import { parse } from './problem.js';

export interface StreamOptions {
  hub: ChannelHub;
  logger: Logger;
  /** A comment line this often keeps proxies from closing an idle stream. @default 15000 */
  heartbeatMs?: number;
  /** Channels one stream may follow. @default MAX_CHANNELS_PER_SOCKET (20) */
  maxChannels?: number;
  /** Unwritten bytes a stream may hold before it is cut (it resumes from its Last-Event-ID). @default 1048576 */
  maxBufferedBytes?: number;
  /** The `retry:` the browser waits before reconnecting a dropped stream. @default 2000 */
  retryMs?: number;
  /** Counts a reader per channel a stream has joined (after its catch-up), until it closes. */
  readers: ReaderTally;
}

export interface StreamService {
  router: Router;
  /** Tells every stream to reconnect elsewhere and ends it. */
  drain(reconnectInMs: number): void;
  /** Ends every open stream and keeps serving: clients come back with Last-Event-ID (as `io.disconnectSockets()` for sockets). */
  disconnectAll(): void;
}

class Stream {
  readonly cursors = new Map<string, string>();
  readonly joined = new Set<string>();
  closed = false;

  constructor(
    private readonly res: Response,
    private readonly multi: boolean,
    private readonly maxBuffered: number,
    private readonly log: Logger,
  ) {}

  /** The SSE id after the last message: the cursor, or every channel's cursor. */
  private id(channel: string): string {
    return this.multi ? formatStreamId(this.cursors) : (this.cursors.get(channel) ?? '');
  }

  send(name: StreamEventName, data: unknown, channel?: string, cursor?: string): void {
    if (this.closed) return;
    let text = `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
    if (channel !== undefined && cursor !== undefined) {
      this.cursors.set(channel, cursor);
      text = `id: ${this.id(channel)}\n${text}`;
    }
    this.write(text);
  }

  write(text: string): void {
    if (this.closed) return;
    this.res.write(text);
    if (this.res.writableLength > this.maxBuffered) {
      this.log.warn({ buffered: this.res.writableLength }, 'stream reader cannot keep up; cutting it to resume from its Last-Event-ID');
      this.res.destroy();
    }
  }

  end(): void {
    if (!this.closed) this.res.end();
  }
}

function channelsOf(req: Request): string[] {
  if (typeof req.params.channel === 'string') return [parse(channelSchema, req.params.channel, 'channel:')];
  const text = typeof req.query.channels === 'string' ? req.query.channels : '';
  if (!text) throw new AppError('VALIDATION_FAILED', 'name the channels: ?channels=a,b', [{ field: 'query:channels', message: 'required' }]);
  return [...new Set(text.split(',').map((c) => parse(channelSchema, c, 'query:channels:')))];
}

/** The cursors to resume from, by channel. Malformed: refused for `?after=`, a fresh start for Last-Event-ID. */
function cursorsOf(req: Request, channels: string[]): Map<string, string> {
  const header = req.get('last-event-id');
  const after = typeof req.query.after === 'string' ? req.query.after : undefined;
  const text = header || after;
  if (!text) return new Map();
  const single = channels.length === 1 && parseCursor(text) ? new Map([[channels[0]!, text]]) : undefined;
  const parsed = single ?? parseStreamId(text);
  if (!parsed) {
    if (!header) throw new AppError('INVALID_CURSOR', 'a cursor looks like "EPOCH:OFFSET", or "CHANNEL@EPOCH:OFFSET,…" on a multi-channel stream');
    return new Map();
  }
  return new Map([...parsed].filter(([c]) => channels.includes(c)));
}

export function streamRoutes(options: StreamOptions): StreamService {
  const { hub } = options;
  const maxChannels = options.maxChannels ?? MAX_CHANNELS_PER_SOCKET;
  const maxBuffered = options.maxBufferedBytes ?? 1_048_576;
  const retryMs = options.retryMs ?? 2000;
  const streams = new Set<Stream>();
  const byChannel = new Map<string, Set<Stream>>();
  let stopped = false;

  const offs = [
    hub.on('event', (e) => {
      const cursor = formatCursor(e);
      for (const s of byChannel.get(e.channel) ?? []) s.send('headline:event', e, e.channel, cursor);
    }),
    hub.on('snapshot', (snap) => {
      for (const s of byChannel.get(snap.channel) ?? []) s.send('channel:snapshot', snap, snap.channel, snap.cursor);
    }),
  ];
  const heartbeat = setInterval(() => {
    for (const s of streams) s.write(': ♥\n\n');
  }, options.heartbeatMs ?? 15_000);
  heartbeat.unref();

  const join = (s: Stream, channel: string): void => {
    if (s.joined.has(channel)) return; // counted once per stream
    s.joined.add(channel);
    let set = byChannel.get(channel);
    if (!set) byChannel.set(channel, (set = new Set()));
    set.add(s);
    options.readers.add(channel);
  };

  const release = (s: Stream, channels: string[]): void => {
    if (s.closed) return;
    s.closed = true;
    streams.delete(s);
    for (const channel of s.joined) {
      const set = byChannel.get(channel);
      set?.delete(s);
      if (set?.size === 0) byChannel.delete(channel);
      options.readers.remove(channel);
    }
    for (const channel of channels) hub.unfollow(channel);
  };

  const open = async (req: Request, res: Response): Promise<void> => {
    const channels = channelsOf(req);
    if (channels.length > maxChannels) {
      throw new AppError('TOO_MANY_CHANNELS', `a stream may follow at most ${maxChannels} channels`);
    }
    const start = cursorsOf(req, channels);
    if (stopped) throw new AppError('SHUTTING_DOWN');
    const log = req.log ?? options.logger;
    const stream = new Stream(res, channels.length > 1, maxBuffered, log);
    for (const [c, cursor] of start) stream.cursors.set(c, cursor);
    streams.add(stream);
    for (const channel of channels) hub.follow(channel);
    res.on('close', () => release(stream, channels));
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      // no-transform: compression middleware and proxies must pass each event through at once.
      'Cache-Control': 'no-store, no-transform',
      'X-Accel-Buffering': 'no',
      Connection: 'keep-alive',
    });
    stream.write(`retry: ${retryMs}\n\n`);
    try {
      const results = await Promise.all(channels.map((channel) =>
        new Promise<SubscribeResult>((resolve, reject) => {
          hub.attach(channel, start.get(channel), (c) => {
            // A stream that closed meanwhile joins nothing.
            if (!stream.closed) {
              if (c.mode === 'snapshot') stream.send('channel:snapshot', c.snapshot, channel, c.cursor);
              else for (const e of c.events) stream.send('headline:event', e, channel, formatCursor(e));
              stream.cursors.set(channel, c.cursor);
              join(stream, channel);
            }
            resolve({ channel, mode: c.mode, cursor: c.cursor });
          }).catch(reject);
        })));
      stream.send('channels:subscribed', { channels: results }, channels[0], stream.cursors.get(channels[0]!));
    } catch (err) {
      log.error({ err }, 'stream catch-up failed; the client reconnects');
      stream.send('connection:closing', { code: 'ENGINE_UNAVAILABLE', message: ERRORS.ENGINE_UNAVAILABLE.title });
      stream.end();
    }
  };

  const router = Router();
  router.get('/channels/:channel/stream', open);
  router.get('/stream', open);

  return {
    router,
    disconnectAll() {
      for (const s of [...streams]) s.end();
    },
    drain(reconnectInMs) {
      stopped = true;
      for (const off of offs) off();
      clearInterval(heartbeat);
      for (const s of [...streams]) {
        s.send('server:draining', { reconnectInMs });
        s.end();
      }
    },
  };
}
