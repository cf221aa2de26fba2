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
import { SocketBudget, budgetDefaults, type BudgetOptions } from './budget.js';
import { GatewayContext } from './context.js';
import { DESK_EVENTS, deskHandlers, hasDeskKey, refuseDeskEvent, startDeskFeed, type DeskGatewayOptions } from './desk-gateway.js';
import { fail, once, splitAck } from './handler.js';
import { ReaderFanout } from './fanout.js';
import type { ChannelHub } from './hub.js';
import type { ReaderTally } from '../presence/presence.js';
import { READER_EVENTS, readerListeners } from './reader-gateway.js';
import { SlowReaders } from './slow-readers.js';
import { channelOfRoom, type SocketContext, type TickerServer, type TickerSocket } from './socket.js';

export { roomOf, type TickerServer } from './socket.js';

const HANDLED: ReadonlySet<unknown> = new Set<string>([...READER_EVENTS, ...DESK_EVENTS]);
const DESK_HANDLED: ReadonlySet<unknown> = new Set<string>(DESK_EVENTS);
const ignore = (): void => undefined;

export interface GatewayOptions {
  httpServer: HttpServer;
  hub: ChannelHub;
  logger: Logger;
  /** Allowed origins for cross-origin widgets. @default '*' */
  corsOrigin?: string | string[];
  /** Counts a reader each time a socket joins a channel room, and uncounts it when it leaves. */
  readers: ReaderTally;
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

  // A reader is a socket in a channel room (ch: or cb:, socket.ts). The in-memory adapter (the
  // only one: fan-out between processes is the engine's) reports every join and leave,
  // disconnects included, whoever makes them.
  const adapter = io.of('/').adapter;
  adapter.on('join-room', (room: unknown) => {
    const channel = channelOfRoom(room);
    if (channel !== undefined) options.readers.add(channel);
  });
  adapter.on('leave-room', (room: unknown) => {
    const channel = channelOfRoom(room);
    if (channel !== undefined) options.readers.remove(channel);
  });

  const fanout = new ReaderFanout(io, hub, { ...(options.fanoutBatchMs !== undefined ? { batchMs: options.fanoutBatchMs } : {}) });
  const slowReaders = new SlowReaders({
    hub, fanout, logger,
    ...(options.slowReaderQueue !== undefined ? { threshold: options.slowReaderQueue } : {}),
    ...(options.maxQueuedPackets !== undefined ? { hardCap: options.maxQueuedPackets } : {}),
    ...(options.onSlowReader ? { onConflate: options.onSlowReader } : {}),
  });
  const stopDeskFeed = startDeskFeed(io, options.desk);

  const contextOf = (socket: TickerSocket): SocketContext => new GatewayContext(socket, logger);
  const addReaderListeners = readerListeners({ hub, fanout, maxChannels: limits.maxChannels, contextOf });

  // Per socket, only what that socket needs: every listener and closure here is multiplied by
  // the readers connected (see docs/benchmarks.md, "Levers tried (memory per reader)").
  io.on('connection', (socket: TickerSocket) => {
    socket.data.budget = new SocketBudget(limits);
    // Opt-in, so clients that predate batches keep getting one `headline:event` per event.
    socket.data.batch = (socket.handshake.auth as { batch?: unknown } | undefined)?.batch === true;
    slowReaders.watch(socket);
    const ctx = contextOf(socket);
    const debug = logger.isLevelEnabled('debug');
    if (debug) ctx.log().debug({ transport: socket.conn.transport.name }, 'socket connected');
    // Desk listeners only on sockets that came with a key; readers' desk events are refused below.
    const desk = hasDeskKey(socket);

    // Runs before any listener: only the events we handle, by string name, get through.
    socket.use((packet, next) => {
      if (socket.data.closing) return; // dropped: the socket is on its way out
      const event: unknown = packet[0];
      if (HANDLED.has(event)) return desk || !DESK_HANDLED.has(event) ? next() : refuseDeskEvent(ctx, packet.slice(1));
      const { ack } = splitAck(packet.slice(1));
      ctx.strike(`unknown event ${describeEvent(event)}`);
      once(ack, () => ctx.log())(fail('UNKNOWN_EVENT', 'unknown event; readers can only subscribe and unsubscribe'));
    });
    // Socket.IO reports a failed middleware or a client event named "error" here; without a
    // listener Node would throw it. Nothing reaches it from us (the middleware never fails).
    socket.on('error', debug ? (err: unknown) => ctx.log().debug({ err }, 'socket error') : ignore);

    addReaderListeners(socket);
    if (desk) deskHandlers(ctx, options.desk);

    if (debug) socket.on('disconnect', (reason) => ctx.log().debug({ reason }, 'socket disconnected'));
  });

  return {
    io,
    async drain(reconnectInMs) {
      fanout.stop();
      stopDeskFeed();
      io.emit('server:draining', { reconnectInMs });
      await io.close();
    },
  };
}
