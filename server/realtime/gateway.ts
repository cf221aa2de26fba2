/**
 * The Socket.IO gateway: one server, two sides. Readers subscribe to channels (reader-gateway);
 * newsroom desks follow document changes (desk-gateway). Both go through one handler wrapper
 * (handler.ts) that validates and answers `{ data } | { error }`. Anything else a client sends —
 * an unknown or non-string event name, any arity, binary — is refused here, before any listener
 * runs, and counts against the socket's budget (budget.ts); past it the socket is told why
 * (`connection:closing`) and closed.
 */
import type { Server as HttpServer } from 'node:http';
import type { Logger } from 'pino';
import { Server } from 'socket.io';
import { ERRORS, type ErrorCode } from '../../shared/index.js';
import { SocketBudget, budgetDefaults, type BudgetOptions } from './budget.js';
import { DESK_EVENTS, deskHandlers, startDeskFeed, type DeskGatewayOptions } from './desk-gateway.js';
import { fail, once, splitAck } from './handler.js';
import type { ChannelHub } from './hub.js';
import type { ReaderTally } from '../presence/presence.js';
import { READER_EVENTS, readerHandlers, startReaderFeed } from './reader-gateway.js';
import { channelOfRoom, type SocketContext, type TickerServer, type TickerSocket } from './socket.js';

export { roomOf, type TickerServer } from './socket.js';

const HANDLED: ReadonlySet<unknown> = new Set<string>([...READER_EVENTS, ...DESK_EVENTS]);

export interface GatewayOptions {
  httpServer: HttpServer;
  hub: ChannelHub;
  logger: Logger;
  /** Allowed origins for cross-origin widgets. @default '*' */
  corsOrigin?: string | string[];
  /** Counts a reader each time a socket joins a channel room, and uncounts it when it leaves. */
  readers: ReaderTally;
  /**
   * A reader with more packets than this waiting to be written is cut off; it reconnects with
   * its cursor and gets the catch-up or a fresh snapshot, so memory per reader stays bounded.
   * @default 2000
   */
  maxQueuedPackets?: number;
  /** Per-socket budgets; see BudgetOptions for each default. */
  budget?: BudgetOptions;
  /** The newsroom desk feed: authenticated by API key in the socket handshake. */
  desk: DeskGatewayOptions;
}

export interface Gateway {
  io: TickerServer;
  /** Tells every client to reconnect elsewhere, then closes. */
  drain(reconnectInMs: number): Promise<void>;
}

/** An event name fit for a log line: a short string, whatever the client sent. */
function describeEvent(event: unknown): string {
  return typeof event === 'string' ? event.slice(0, 64) : `<${event === null ? 'null' : typeof event}>`;
}

export function createGateway(options: GatewayOptions): Gateway {
  const { hub, logger } = options;
  const limits = { ...budgetDefaults, ...options.budget };
  const io: TickerServer = new Server(options.httpServer, {
    cors: { origin: options.corsOrigin ?? '*' },
    perMessageDeflate: false,
    maxHttpBufferSize: 16_384,
    pingInterval: 20_000,
    pingTimeout: 20_000,
    serveClient: false,
  });

  // A reader is a socket in a channel room. The in-memory adapter (the only one: fan-out between
  // processes is the engine's) reports every join and leave, disconnects included, whoever makes them.
  const adapter = io.of('/').adapter;
  adapter.on('join-room', (room: unknown) => {
    const channel = channelOfRoom(room);
    if (channel !== undefined) options.readers.add(channel);
  });
  adapter.on('leave-room', (room: unknown) => {
    const channel = channelOfRoom(room);
    if (channel !== undefined) options.readers.remove(channel);
  });

  const stopReaderFeed = startReaderFeed(io, hub);
  const stopDeskFeed = startDeskFeed(io, options.desk);
  const maxQueued = options.maxQueuedPackets ?? 2000;
  const slowReaderTimer = setInterval(() => {
    for (const socket of io.of('/').sockets.values()) {
      // engine.io keeps packets it could not write yet in writeBuffer (typed private).
      const queued = (socket.conn as unknown as { writeBuffer: unknown[] }).writeBuffer.length;
      if (queued > maxQueued) {
        contextOf(socket).log().warn({ queued }, 'reader cannot keep up; disconnecting it to resume from its cursor');
        socket.disconnect(true);
      }
    }
  }, 1000);
  slowReaderTimer.unref();

  function close(socket: TickerSocket, code: ErrorCode): void {
    if (socket.data.closing) return;
    socket.data.closing = true;
    socket.emit('connection:closing', { code, message: ERRORS[code].title });
    socket.disconnect(true);
  }

  function contextOf(socket: TickerSocket): SocketContext {
    const log = (): Logger => (socket.data.log ??= logger.child({ socketId: socket.id }));
    return {
      socket,
      log,
      strike(reason) {
        if (socket.data.closing) return;
        // Debug only: a flood of bad events must not become a flood of log lines.
        if (logger.isLevelEnabled('debug')) log().debug({ reason }, 'bad socket event');
        if (!socket.data.budget.strike()) return;
        log().info({ badEvents: socket.data.budget.strikes }, 'closing a socket that sent too many unknown or invalid events');
        close(socket, 'TOO_MANY_BAD_EVENTS');
      },
    };
  }

  io.on('connection', (socket: TickerSocket) => {
    socket.data.budget = new SocketBudget(limits);
    const ctx = contextOf(socket);
    if (logger.isLevelEnabled('debug')) ctx.log().debug({ transport: socket.conn.transport.name }, 'socket connected');

    // Runs before any listener: only the events we handle, by string name, get through.
    socket.use((packet, next) => {
      if (socket.data.closing) return; // dropped: the socket is on its way out
      if (HANDLED.has(packet[0])) return next();
      const { ack } = splitAck(packet.slice(1));
      ctx.strike(`unknown event ${describeEvent(packet[0])}`);
      once(ack, ctx.log)(fail('UNKNOWN_EVENT', 'unknown event; readers can only subscribe and unsubscribe'));
    });
    // Socket.IO reports a failed middleware or a client event named "error" here; without a
    // listener Node would throw it. Nothing reaches it from us (the middleware never fails).
    socket.on('error', (err: unknown) => ctx.log().debug({ err }, 'socket error'));

    readerHandlers(ctx, { hub });
    deskHandlers(ctx, options.desk);

    socket.on('disconnect', (reason) => {
      if (logger.isLevelEnabled('debug')) ctx.log().debug({ reason }, 'socket disconnected');
    });
  });

  return {
    io,
    async drain(reconnectInMs) {
      stopReaderFeed();
      stopDeskFeed();
      clearInterval(slowReaderTimer);
      io.emit('server:draining', { reconnectInMs });
      await io.close();
    },
  };
}
