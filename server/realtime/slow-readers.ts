/**
 * Latest-wins for slow readers. A reader whose connection cannot keep up is not queued for
 * without bound nor cut off: once `threshold` packets wait in its engine.io writeBuffer (packets
 * queue there only while the previous write has not reached the kernel), the server stops
 * sending it channel events (it joins each channel's `cs:` room, which every broadcast leaves
 * out; it stays in the channel rooms, so it is still counted as a reader) and remembers, per
 * channel, the cursor up to which it had been sent everything. When the connection drains (engine.io `drain`), each channel is attached again
 * from that cursor: the hub sends the events missed when they are few (no more than the live
 * set's headlines, and for a socket without batches no more than threshold / 2 packets), else a
 * snapshot with reason `slow-reader`. Memory per slow reader: what was queued before it was
 * conflated, plus a cursor per followed channel.
 *
 * Detection costs one length check per packet (engine.io `packetCreate`); a socket past the
 * threshold is looked at again on a later turn, so a healthy socket that got a burst in one turn
 * (whose writes are still on their way to the kernel) is not mistaken for a slow one. Any socket,
 * desks included, with more than `hardCap` packets waiting is still cut off.
 */
import type { Logger } from 'pino';
import type { ChannelHub } from './hub.js';
import type { ReaderFanout } from './fanout.js';
import type { TickerSocket } from './socket.js';

export interface SlowReaderOptions {
  hub: ChannelHub;
  fanout: ReaderFanout;
  logger: Logger;
  /** Packets waiting to be written at which a reader is conflated. @default 64 */
  threshold?: number;
  /** Packets waiting to be written at which any socket is cut off. @default max(2000, 16 × threshold) */
  hardCap?: number;
  /** Called each time a reader is conflated (a metric). */
  onConflate?: () => void;
}

/** engine.io's socket: the packets it could not write yet are in `writeBuffer` (typed private). */
interface EngineSocket {
  writeBuffer: unknown[];
  on(event: 'packetCreate', listener: () => void): void;
  once(event: 'drain', listener: () => void): void;
}

const engineOf = (socket: TickerSocket): EngineSocket => socket.conn as unknown as EngineSocket;

export class SlowReaders {
  readonly threshold: number;
  private readonly hardCap: number;
  private readonly suspects = new Set<TickerSocket>();
  private checking = false;

  constructor(private readonly options: SlowReaderOptions) {
    this.threshold = options.threshold ?? 64;
    this.hardCap = options.hardCap ?? Math.max(2000, 16 * this.threshold);
  }

  /** Watches one socket's queue for as long as it is connected. */
  watch(socket: TickerSocket): void {
    const conn = engineOf(socket);
    conn.on('packetCreate', () => {
      if (conn.writeBuffer.length < this.threshold || this.suspects.has(socket)) return;
      this.suspects.add(socket);
      if (!this.checking) {
        this.checking = true;
        setImmediate(() => this.check());
      }
    });
    // No disconnect listener: suspects are let go on the next turn, connected or not.
  }

  private check(): void {
    this.checking = false;
    const suspects = [...this.suspects];
    this.suspects.clear();
    for (const socket of suspects) {
      if (!socket.connected) continue;
      const queued = engineOf(socket).writeBuffer.length;
      if (queued > this.hardCap) {
        this.options.logger.warn({ socketId: socket.id, queued }, 'socket cannot keep up even without channel events; disconnecting it');
        socket.disconnect(true);
      } else if (queued >= this.threshold) {
        this.conflate(socket);
      }
    }
  }

  private conflate(socket: TickerSocket): void {
    if (socket.data.slow) return;
    const { fanout } = this.options;
    const channels = [...socket.data.budget.channels].filter((c) => fanout.live(socket, c));
    // Gets no channel events (a desk, or a reader whose subscribe is still running): nothing to stop.
    if (!channels.length) return;
    const slow = new Map<string, string>();
    for (const channel of channels) {
      fanout.holdBack(socket, channel);
      slow.set(channel, fanout.sentCursor(channel) ?? '');
    }
    socket.data.slow = slow;
    this.options.onConflate?.();
    engineOf(socket).once('drain', () => this.recover(socket));
  }

  /** The connection drained: attach each channel again from where the reader was left. */
  private recover(socket: TickerSocket): void {
    const slow = socket.data.slow;
    socket.data.slow = undefined;
    if (!slow || !socket.connected) return;
    const { hub, fanout } = this.options;
    const options = { behind: 'slow-reader', cheapest: true, ...(socket.data.batch ? {} : { maxEvents: this.threshold >> 1 }) } as const;
    for (const [channel, cursor] of slow) {
      hub.attach(channel, cursor, (c) => {
        // Unsubscribed or gone meanwhile: joins nothing.
        if (socket.connected && socket.data.budget.channels.has(channel)) fanout.admit(socket, channel, c);
      }, options).catch((err: unknown) => {
        // The store is unreachable: the client reconnects and resubscribes from its cursors.
        this.options.logger.warn({ err, channel }, 'slow reader catch-up failed; disconnecting it');
        socket.disconnect(true);
      });
    }
  }
}
