/**
 * The Socket.IO gateway: readers subscribe to channels (with a cursor each) and get the catch-up
 * then every later event, in log order. Readers cannot publish; anything else gets an error ack.
 */
import type { Server as HttpServer } from 'node:http';
import type { Logger } from 'pino';
import { Server, type Socket } from 'socket.io';
import { z } from 'zod';
import {
  MAX_CHANNELS_PER_SOCKET, channelSchema, type Ack, type ClientToServerEvents, type ErrorCode, type ServerToClientEvents,
  type SubscribeResult,
} from '../../shared/index.js';
import { canPublish, type KeyRing } from '../auth/keys.js';
import type { Engine } from '../engine/types.js';
import type { ChannelHub } from './hub.js';

interface SocketData {
  /** The socket's child logger, made on first use (most readers never log a line). */
  log?: Logger;
}

export type TickerServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
type TickerSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

const subscribeSchema = z.strictObject({
  channels: z
    .array(z.strictObject({ channel: channelSchema, cursor: z.string().max(64).optional() }))
    .min(1)
    .max(MAX_CHANNELS_PER_SOCKET),
});
const deskSchema = z.strictObject({ channels: z.array(channelSchema).min(1).max(100) });
const unsubscribeSchema = z.strictObject({ channels: z.array(channelSchema).min(1).max(MAX_CHANNELS_PER_SOCKET) });

export const roomOf = (channel: string): string => `ch:${channel}`;
const deskRoomOf = (channel: string): string => `desk:${channel}`;
const DESK_ALL = 'desk';

export interface GatewayOptions {
  httpServer: HttpServer;
  hub: ChannelHub;
  logger: Logger;
  /** Allowed origins for cross-origin widgets. @default '*' */
  corsOrigin?: string | string[];
  onReadersChanged?: () => void;
  /**
   * A reader with more packets than this waiting to be written is cut off; it reconnects with
   * its cursor and gets the catch-up or a fresh snapshot, so memory per reader stays bounded.
   * @default 2000
   */
  maxQueuedPackets?: number;
  /** The newsroom desk feed: authenticated by API key in the socket handshake. */
  desk: { keys: KeyRing; engine: Engine; readersEveryMs: number };
}

export interface Gateway {
  io: TickerServer;
  /** Readers connected to this process, per channel. */
  localReaders(): Record<string, number>;
  /** Tells every client to reconnect elsewhere, then closes. */
  drain(reconnectInMs: number): Promise<void>;
}

function fail<T>(code: ErrorCode, message: string, errors?: { field: string; message: string }[]): Ack<T> {
  return { error: { code, message, ...(errors ? { errors } : {}) } };
}

function zodErrors(error: z.ZodError): { field: string; message: string }[] {
  return error.issues.map((i) => ({ field: i.path.join('.'), message: i.message }));
}

export function createGateway(options: GatewayOptions): Gateway {
  const { hub, logger } = options;
  const io: TickerServer = new Server(options.httpServer, {
    cors: { origin: options.corsOrigin ?? '*' },
    perMessageDeflate: false,
    maxHttpBufferSize: 16_384,
    pingInterval: 20_000,
    pingTimeout: 20_000,
    serveClient: false,
  });

  const log = (socket: TickerSocket): Logger => (socket.data.log ??= logger.child({ socketId: socket.id }));

  hub.on('event', (e) => io.to(roomOf(e.channel)).emit('headline:event', e));
  hub.on('snapshot', (s) => io.to(roomOf(s.channel)).emit('channel:snapshot', s));
  const { desk } = options;
  desk.engine.on('desk', (doc) => io.to(deskRoomOf(doc.channel)).emit('desk:change', doc));
  const readersTimer = setInterval(() => {
    if (!io.of('/').adapter.rooms.get(DESK_ALL)?.size) return;
    desk.engine.readerCounts().then((channels) => io.to(DESK_ALL).emit('desk:readers', { channels }), () => undefined);
  }, desk.readersEveryMs);
  readersTimer.unref();
  const maxQueued = options.maxQueuedPackets ?? 2000;
  const slowReaderTimer = setInterval(() => {
    for (const socket of io.of('/').sockets.values()) {
      // engine.io keeps packets it could not write yet in writeBuffer (typed private).
      const queued = (socket.conn as unknown as { writeBuffer: unknown[] }).writeBuffer.length;
      if (queued > maxQueued) {
        log(socket).warn({ queued }, 'reader cannot keep up; disconnecting it to resume from its cursor');
        socket.disconnect(true);
      }
    }
  }, 1000);
  slowReaderTimer.unref();

  io.on('connection', (socket: TickerSocket) => {
    if (logger.isLevelEnabled('debug')) log(socket).debug({ transport: socket.conn.transport.name }, 'socket connected');

    socket.on('channels:subscribe', async (raw, ack) => {
      const reply = typeof ack === 'function' ? ack : () => undefined;
      const parsed = subscribeSchema.safeParse(raw);
      if (!parsed.success) {
        log(socket).info({ issues: parsed.error.issues.length }, 'bad subscribe request');
        return reply(fail('VALIDATION_FAILED', 'invalid subscribe request', zodErrors(parsed.error)));
      }
      try {
        // A resubscribe starts over from the cursor it sends: no live events meanwhile.
        for (const { channel } of parsed.data.channels) void socket.leave(roomOf(channel));
        const results = await Promise.all(parsed.data.channels.map(({ channel, cursor }) =>
          new Promise<SubscribeResult>((resolve, reject) => {
            hub.attach(channel, cursor, (c) => {
              if (c.mode === 'snapshot') socket.emit('channel:snapshot', c.snapshot);
              else for (const e of c.events) socket.emit('headline:event', e);
              void socket.join(roomOf(channel));
              resolve({ channel, mode: c.mode, cursor: c.cursor });
            }).catch(reject);
          })));
        options.onReadersChanged?.();
        reply({ data: { channels: results } });
      } catch (err) {
        log(socket).error({ err }, 'subscribe failed');
        reply(fail('ENGINE_UNAVAILABLE', 'the store is unavailable; retry'));
      }
    });

    socket.on('channels:unsubscribe', (raw, ack) => {
      const reply = typeof ack === 'function' ? ack : () => undefined;
      const parsed = unsubscribeSchema.safeParse(raw);
      if (!parsed.success) return reply(fail('VALIDATION_FAILED', 'invalid unsubscribe request', zodErrors(parsed.error)));
      for (const channel of parsed.data.channels) void socket.leave(roomOf(channel));
      options.onReadersChanged?.();
      reply({ data: { channels: parsed.data.channels } });
    });

    socket.on('desk:subscribe', async (raw, ack) => {
      const reply = typeof ack === 'function' ? ack : () => undefined;
      const parsed = deskSchema.safeParse(raw);
      if (!parsed.success) return reply(fail('VALIDATION_FAILED', 'invalid desk request', zodErrors(parsed.error)));
      const key = (socket.handshake.auth as { key?: unknown } | undefined)?.key;
      const principal = typeof key === 'string' ? await desk.keys.resolve(key) : undefined;
      if (!principal) return reply(fail('UNAUTHENTICATED', 'connect with io(url, { auth: { key } })'));
      const denied = parsed.data.channels.filter((c) => !canPublish(principal, c));
      if (denied.length) return reply(fail('FORBIDDEN', `the key "${principal.name}" may not publish to ${denied.join(', ')}`));
      socket.data.log = log(socket).child({ keyName: principal.name });
      try {
        for (const channel of parsed.data.channels) await socket.join(deskRoomOf(channel));
        await socket.join(DESK_ALL);
        const lists = await Promise.all(parsed.data.channels.map((c) => desk.engine.deskList(c)));
        const headlines = lists.flat().sort((a, b) => b.versionCreated.localeCompare(a.versionCreated));
        reply({ data: { channels: parsed.data.channels, headlines, readers: await desk.engine.readerCounts() } });
      } catch (err) {
        log(socket).error({ err }, 'desk subscribe failed');
        reply(fail('ENGINE_UNAVAILABLE', 'the store is unavailable; retry'));
      }
    });

    socket.onAny((event: string, ...args: unknown[]) => {
      if (event === 'channels:subscribe' || event === 'channels:unsubscribe' || event === 'desk:subscribe') return;
      log(socket).info({ event: event.slice(0, 64) }, 'unknown socket event');
      const ack = args.at(-1);
      if (typeof ack === 'function') ack(fail('UNKNOWN_EVENT', 'unknown event; readers can only subscribe and unsubscribe'));
    });

    socket.on('disconnect', (reason) => {
      if (logger.isLevelEnabled('debug')) log(socket).debug({ reason }, 'socket disconnected');
      options.onReadersChanged?.();
    });
  });

  return {
    io,
    localReaders() {
      const counts: Record<string, number> = {};
      for (const [room, members] of io.of('/').adapter.rooms) {
        if (room.startsWith('ch:')) counts[room.slice(3)] = members.size;
      }
      return counts;
    },
    async drain(reconnectInMs) {
      clearInterval(readersTimer);
      clearInterval(slowReaderTimer);
      io.emit('server:draining', { reconnectInMs });
      await io.close();
    },
  };
}
