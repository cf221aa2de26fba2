/**
 * The Socket.IO gateway: one server, two sides. Readers subscribe to channels (reader-gateway);
 * newsroom desks follow document changes (desk-gateway). Both go through one handler wrapper
 * (handler.ts) that validates and answers `{ data } | { error }`. Anything else a client sends —
 * an unknown or non-string event name, any arity, binary — is refused here, before any listener
 * runs, and counts against the socket's budget (budget.ts); past it the socket is told why
 * (`connection:closing`) and closed. The hub's events reach readers batched per channel and turn
 * (fanout.ts); a reader that cannot keep up is conflated rather than queued for (slow-readers.ts).
 */
import type { Server as HttpServer } from 'node:http';
import type { Logger } from 'pino';
import { Server } from 'socket.io';
import { ERRORS, type ErrorCode } from '../../shared/index.js';
import { SocketBudget, budgetDefaults, type BudgetOptions } from './budget.js';
import { DESK_EVENTS, deskHandlers, startDeskFeed, type DeskGatewayOptions } from './desk-gateway.js';
import { fail, once, splitAck } from './handler.js';
import { ReaderFanout } from './fanout.js';
import type { ChannelHub } from './hub.js';
import { READER_EVENTS, readerHandlers } from './reader-gateway.js';
import { SlowReaders } from './slow-readers.js';
import type { SocketContext, TickerServer, TickerSocket } from './socket.js';

export { roomOf, type TickerServer } from './socket.js';

const HANDLED: ReadonlySet<unknown> = new Set<string>([...READER_EVENTS, ...DESK_EVENTS]);

export interface GatewayOptions {
  httpServer: HttpServer;
  hub: ChannelHub;
  logger: Logger;
  /** Allowed origins for cross-origin widgets. @default '*' */
  corsOrigin?: string | string[];
  onReadersChanged?: () => void;
  /**
   * How long the events after a channel's first one wait to go out together (one
   * `headline:events` packet to sockets that take batches); 0 = until the end of the current
   * event-loop turn. @default 0
   */
  fanoutBatchMs?: number;
  /**
   * A reader with this many packets waiting to be written is conflated (slow-readers.ts): no
   * more events are queued for it; once it drains it gets what it missed or a snapshot.
   * @default 64
   */
  slowReaderQueue?: number;
  /**
   * Any socket with more packets than this waiting to be written is cut off (a desk, or a
   * reader whose queue grows even without channel events). @default max(2000, 16 × slowReaderQueue)
   */
  maxQueuedPackets?: number;
  /** Called each time a reader is conflated. */
  onSlowReader?: () => void;
  /** Per-socket budgets; see BudgetOptions for each default. */
  budget?: BudgetOptions;
  /** The newsroom desk feed: authenticated by API key in the socket handshake. */
  desk: DeskGatewayOptions;
}

export interface Gateway {
  io: TickerServer;
  /**
   * Readers connected to this process, per followed channel (at most sockets × maxChannels
   * entries, gone with the sockets). Public outputs keep only channels with headlines.
   */
  localReaders(): Record<string, number>;
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

  const fanout = new ReaderFanout(io, hub, { ...(options.fanoutBatchMs !== undefined ? { batchMs: options.fanoutBatchMs } : {}) });
  const slowReaders = new SlowReaders({
    hub, fanout, logger,
    ...(options.slowReaderQueue !== undefined ? { threshold: options.slowReaderQueue } : {}),
    ...(options.maxQueuedPackets !== undefined ? { hardCap: options.maxQueuedPackets } : {}),
    ...(options.onSlowReader ? { onConflate: options.onSlowReader } : {}),
  });
  const stopDeskFeed = startDeskFeed(io, options.desk);

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
    // Opt-in, so clients that predate batches keep getting one `headline:event` per event.
    socket.data.batch = (socket.handshake.auth as { batch?: unknown } | undefined)?.batch === true;
    slowReaders.watch(socket);
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

    readerHandlers(ctx, { hub, fanout, ...(options.onReadersChanged ? { onReadersChanged: options.onReadersChanged } : {}) });
    deskHandlers(ctx, options.desk);

    socket.on('disconnect', (reason) => {
      if (logger.isLevelEnabled('debug')) ctx.log().debug({ reason }, 'socket disconnected');
    });
  });

  return {
    io,
    localReaders() {
      const counts: Record<string, number> = {};
      for (const [room, members] of io.of('/').adapter.rooms) {
        // ch: sockets taking single events, cb: sockets taking batches (socket.ts).
        if (room.startsWith('ch:') || room.startsWith('cb:')) counts[room.slice(3)] = (counts[room.slice(3)] ?? 0) + members.size;
      }
      return counts;
    },
    async drain(reconnectInMs) {
      fanout.stop();
      stopDeskFeed();
      io.emit('server:draining', { reconnectInMs });
      await io.close();
    },
  };
}
