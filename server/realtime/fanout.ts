/**
 * Batched fan-out of the hub to the channel rooms. A channel's first event in a turn of the event
 * loop goes out at once, as a plain `headline:event` to every socket, so a lone headline is never
 * delayed. Events of that channel that follow in the same turn (or within `batchMs`) are held and
 * then go out together: to sockets that take batches (handshake `auth: { batch: true }`, room
 * `cb:<channel>`) as ONE `headline:events` packet, to the others (room `ch:<channel>`) as one
 * `headline:event` each; a flush of a single event is a plain `headline:event` again. Each send
 * is one `io.to(room).emit`: Socket.IO encodes the packet once for all sockets.
 * Conflated readers (slow-readers.ts) stay in the rooms and are left out of every send by their
 * channel's `cs:` room.
 *
 * Order: a hub snapshot flushes its channel's pending events first, and `admit` flushes before a
 * socket joins, so a socket's catch-up (which ends at the hub's position) is followed by exactly
 * the events after it.
 */
import { formatCursor, type TickerEvent } from '../../shared/index.js';
import type { CatchUp, ChannelHub } from './hub.js';
import { batchRoomOf, readerRoomOf, roomOf, slowRoomOf, type TickerServer, type TickerSocket } from './socket.js';

export interface FanoutOptions {
  /** How long events wait to be batched; 0 = until the end of the current turn. @default 0 */
  batchMs?: number;
  /** Events per batch at most: a channel's batch this long is sent at once. @default 256 */
  maxBatch?: number;
}

export class ReaderFanout {
  private readonly pending = new Map<string, TickerEvent[]>();
  /** Channels that sent an event this turn (or window): their next events wait for the flush. */
  private readonly sent = new Set<string>();
  private timer: NodeJS.Immediate | NodeJS.Timeout | undefined;
  private readonly batchMs: number;
  private readonly maxBatch: number;
  private readonly offs: (() => void)[];

  constructor(private readonly io: TickerServer, private readonly hub: ChannelHub, options: FanoutOptions = {}) {
    this.batchMs = options.batchMs ?? 0;
    this.maxBatch = options.maxBatch ?? 256;
    this.offs = [
      hub.on('event', (e) => this.add(e)),
      hub.on('snapshot', (s) => {
        this.flush(s.channel);
        this.to([roomOf(s.channel), batchRoomOf(s.channel)], s.channel).emit('channel:snapshot', s);
      }),
    ];
  }

  /** A channel's rooms but its conflated readers. */
  private to(rooms: string | string[], channel: string) {
    return this.io.to(rooms).except(slowRoomOf(channel));
  }

  private add(e: TickerEvent): void {
    let list = this.pending.get(e.channel);
    if (!list && !this.sent.has(e.channel)) {
      this.sent.add(e.channel);
      this.schedule();
      this.send(e.channel, [e]);
      return;
    }
    if (!list) this.pending.set(e.channel, (list = []));
    list.push(e);
    if (list.length >= this.maxBatch) this.flush(e.channel);
  }

  private schedule(): void {
    this.timer ??= this.batchMs > 0 ? setTimeout(this.flushAll, this.batchMs) : setImmediate(this.flushAll);
  }

  private readonly flushAll = (): void => {
    this.timer = undefined;
    this.sent.clear();
    for (const channel of [...this.pending.keys()]) this.flush(channel);
  };

  /** Sends a channel's pending events now. */
  flush(channel: string): void {
    const events = this.pending.get(channel);
    if (!events) return;
    this.pending.delete(channel);
    this.send(channel, events);
  }

  private send(channel: string, events: TickerEvent[]): void {
    if (events.length === 1) {
      this.to([roomOf(channel), batchRoomOf(channel)], channel).emit('headline:event', events[0]!);
      return;
    }
    this.to(batchRoomOf(channel), channel).emit('headline:events', { channel, events });
    const legacy = this.to(roomOf(channel), channel);
    for (const e of events) legacy.emit('headline:event', e);
  }

  /**
   * The cursor up to which every socket in the channel's rooms has been sent everything: the
   * hub's position, less the events still pending here.
   */
  sentCursor(channel: string): string | undefined {
    const first = this.pending.get(channel)?.[0];
    return first ? formatCursor({ epoch: first.epoch, offset: first.offset - 1 }) : this.hub.position(channel);
  }

  /**
   * Sends a catch-up to one socket and joins it to the channel's room (after flushing, so it gets
   * neither a pending event twice nor misses one). Must run inside the hub's `deliver`. A socket
   * that is conflated (slow-readers.ts) gets the catch-up and joins left out: it is attached
   * again from the catch-up's cursor once it drains.
   */
  admit(socket: TickerSocket, channel: string, c: CatchUp): void {
    if (c.mode === 'snapshot') socket.emit('channel:snapshot', c.snapshot);
    else if (socket.data.batch && c.events.length > 1) socket.emit('headline:events', { channel, events: c.events });
    else for (const e of c.events) socket.emit('headline:event', e);
    const slow = socket.data.slow;
    if (slow) {
      slow.set(channel, c.cursor);
      void socket.join(slowRoomOf(channel));
    } else {
      this.flush(channel);
      void socket.leave(slowRoomOf(channel));
    }
    void socket.join(readerRoomOf(socket, channel));
  }

  /** Whether the socket gets the channel's events now (in its room and not left out). */
  live(socket: TickerSocket, channel: string): boolean {
    return socket.rooms.has(readerRoomOf(socket, channel)) && !socket.rooms.has(slowRoomOf(channel));
  }

  /** Stops sending the channel's events to the socket, which stays in the channel's room. */
  holdBack(socket: TickerSocket, channel: string): void {
    void socket.join(slowRoomOf(channel));
  }

  leave(socket: TickerSocket, channel: string): void {
    void socket.leave(readerRoomOf(socket, channel));
    void socket.leave(slowRoomOf(channel));
  }

  /** Sends what is pending and stops listening to the hub. */
  stop(): void {
    for (const off of this.offs) off();
    if (this.timer) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
    }
    this.flushAll();
  }
}
