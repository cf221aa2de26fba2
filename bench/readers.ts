/**
 * Bench readers: one per simulated page, speaking each target's protocol. They do the least a
 * real client must (decode, read the headline, keep the cursor) and report each delivery.
 * Product readers follow our protocol: `channels:subscribe` (with the cursor when coming back),
 * then `channel:snapshot` / `headline:event`, and the batched `headline:events` (a handshake
 * with `auth: { batch: true }` opts in; a server that does not batch ignores it).
 *
 * A reader can also keep a live set (`track`): uri → version of the headlines whose sequence
 * number lies in a range, replaced by each snapshot and changed by each event, as the widget
 * does; the overload and slow-reader phases compare it with the server's.
 */
import { io, type Socket } from 'socket.io-client';
import type { Socket as NetSocket } from 'node:net';
import WebSocket from 'ws';
import type { ClientToServerEvents, ServerToClientEvents } from '../shared/protocol.js';
import type { Headline } from '../shared/headline.js';
import type { TickerEvent } from '../shared/events.js';
import type { Proto } from './ipc.js';
import { nowMs, parseLink } from './payload.js';

/** Batched events (the wire contract of issue 11.1): several events of one channel, in log order. */
interface BatchedEvents {
  channel: string;
  events: TickerEvent[];
}
type ProductSocket = Socket<ServerToClientEvents & { 'headline:events': (batch: BatchedEvents) => void }, ClientToServerEvents>;

export interface Sink {
  /** A headline reached a reader (live, in a catch-up, or in a non-first-visit snapshot). */
  deliver(reader: Reader, seq: number, sentAt: number, viaSnapshot: boolean): void;
  /** A correction reached a reader live; `sentAt` is when its request started. */
  corrected?(reader: Reader, seq: number, sentAt: number): void;
  /** A reader lost its connection (not by our own close). */
  lost(reader: Reader): void;
}

/** Highest sequence number a run may use (the `seen` bitmap size). */
export const MAX_SEQ = 1 << 15;

/** The live set a reader keeps for headlines with from ≤ seq < to. */
export interface Tracking {
  from: number;
  to: number;
  /** uri → version */
  live: Map<string, number>;
}

export class Reader {
  /** Headline sequence numbers seen, one bit each. */
  private readonly seenBits = new Uint8Array(MAX_SEQ >> 3);
  url: string;
  cursor: string | undefined;
  private close_: (() => void) | undefined;
  private socket_: (() => NetSocket | undefined) | undefined;
  private closing = false;
  /** Storm bookkeeping: when the reader re-subscribed and when each storm headline arrived. */
  resubAt = 0;
  arrivals: Float64Array | undefined;
  /** When connect() started and when the subscription was acknowledged (first time). */
  startedAt = 0;
  subscribedAt = 0;
  /** When the reader first had a headline to show (an event, or a snapshot with headlines). */
  firstHeadlineAt = 0;
  /** Times this reader lost its connection. */
  drops = 0;
  /** Batched frames received (`headline:events`). */
  batches = 0;
  snapshots = 0;
  track: Tracking | undefined;

  constructor(readonly proto: Proto, url: string, readonly channel: string, private readonly sink: Sink) {
    this.url = url;
  }

  has(seq: number): boolean {
    return (this.seenBits[seq >> 3]! & (1 << (seq & 7))) !== 0;
  }

  mark(seq: number): void {
    this.seenBits[seq >> 3]! |= 1 << (seq & 7);
  }

  /** Connects to `url` and resolves once subscribed to the channel. */
  connect(url: string, timeoutMs: number): Promise<void> {
    this.url = url;
    this.closing = false;
    if (!this.startedAt) this.startedAt = nowMs();
    const p = this.proto === 'raw' ? this.connectRaw(url) : this.proto === 'socketio' ? this.connectSocketIo(url) : this.connectProduct(url);
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('connect timeout')), timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer)).then(() => {
      if (!this.subscribedAt) this.subscribedAt = nowMs();
    }).catch((err: unknown) => {
      this.close();
      throw err;
    });
  }

  close(): void {
    this.closing = true;
    this.close_?.();
    this.close_ = undefined;
    this.socket_ = undefined;
  }

  /**
   * Stops (or resumes) reading from the TCP socket: the kernel buffers fill, then the server's
   * writes back up. `ws` keeps its net.Socket in `_socket`.
   */
  pause(paused: boolean): boolean {
    const sock = this.socket_?.();
    if (!sock) return false;
    if (paused) sock.pause();
    else sock.resume();
    return true;
  }

  /** The local port of the reader's TCP connection (to find it in /proc/net/tcp). */
  localPort(): number | undefined {
    return this.socket_?.()?.localPort;
  }

  get connected(): boolean {
    return this.close_ !== undefined;
  }

  private onLost = (): void => {
    if (!this.closing) {
      this.close_ = undefined;
      this.socket_ = undefined;
      this.drops++;
      this.sink.lost(this);
    }
  };

  private onHeadline(link: unknown, viaSnapshot: boolean): void {
    if (!this.firstHeadlineAt) this.firstHeadlineAt = nowMs();
    const l = parseLink(link);
    if (l) this.sink.deliver(this, l.seq, l.sentAt, viaSnapshot);
  }

  private tracked(h: Headline): boolean {
    const t = this.track;
    if (!t) return false;
    const l = parseLink(h.link);
    return l !== undefined && l.seq >= t.from && l.seq < t.to;
  }

  private onEvent(e: TickerEvent): void {
    this.cursor = `${e.epoch}:${e.offset}`;
    const t = this.track;
    if (e.headline) {
      if (t && this.tracked(e.headline) && (t.live.get(e.uri) ?? 0) < e.version) t.live.set(e.uri, e.version);
      if (e.type === 'corrected') {
        const l = parseLink(e.headline.link);
        if (l) this.sink.corrected?.(this, l.seq, l.sentAt);
      } else this.onHeadline(e.headline.link, false);
    } else t?.live.delete(e.uri);
  }

  private onSnapshot(s: { cursor: string; reason: string; headlines: Headline[] }): void {
    this.cursor = s.cursor;
    this.snapshots++;
    if (s.headlines.length && !this.firstHeadlineAt) this.firstHeadlineAt = nowMs();
    const t = this.track;
    if (t) {
      t.live.clear();
      for (const h of s.headlines) if (this.tracked(h)) t.live.set(h.uri, h.version);
    }
    if (s.reason !== 'first-visit') for (const h of s.headlines) this.onHeadline(h.link, true);
    else for (const h of s.headlines) {
      // A first visit shows these, but they were not "delivered" live: mark them seen only.
      const l = parseLink(h.link);
      if (l) this.mark(l.seq);
    }
  }

  private connectProduct(url: string): Promise<void> {
    const socket: ProductSocket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false, timeout: 30_000, auth: { batch: true } });
    this.close_ = () => socket.disconnect();
    this.socket_ = () => netSocketOf((socket.io.engine?.transport as unknown as { ws?: WebSocket } | undefined)?.ws);
    socket.on('headline:event', (e) => this.onEvent(e));
    socket.on('headline:events', (b) => {
      this.batches++;
      for (const e of b.events) this.onEvent(e);
    });
    socket.on('channel:snapshot', (s) => this.onSnapshot(s));
    return new Promise((resolve, reject) => {
      socket.once('connect_error', reject);
      socket.once('connect', () => {
        socket.on('disconnect', this.onLost);
        const channel = { channel: this.channel, ...(this.cursor ? { cursor: this.cursor } : {}) };
        socket.emit('channels:subscribe', { channels: [channel] }, (ack) => {
          if ('data' in ack) resolve();
          else reject(new Error(`subscribe refused: ${ack.error.code}`));
        });
      });
    });
  }

  private connectSocketIo(url: string): Promise<void> {
    const socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false, timeout: 30_000 });
    this.close_ = () => socket.disconnect();
    this.socket_ = () => netSocketOf((socket.io.engine?.transport as unknown as { ws?: WebSocket } | undefined)?.ws);
    socket.on('headline:event', (e: { headline?: { link?: unknown } }) => this.onHeadline(e.headline?.link, false));
    return new Promise((resolve, reject) => {
      socket.once('connect_error', reject);
      socket.once('connect', () => {
        socket.on('disconnect', this.onLost);
        socket.emit('join', this.channel, () => resolve());
      });
    });
  }

  private connectRaw(url: string): Promise<void> {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws?channel=${this.channel}`, { perMessageDeflate: false });
    this.close_ = () => ws.close();
    this.socket_ = () => netSocketOf(ws);
    return new Promise((resolve, reject) => {
      ws.on('error', reject); // after the open a failure also closes; reject is then a no-op
      ws.on('message', (data: Buffer) => {
        const msg = JSON.parse(data.toString()) as { type?: string; headline?: { link?: unknown } };
        if (msg.type === 'subscribed') {
          ws.on('close', this.onLost);
          resolve();
        } else this.onHeadline(msg.headline?.link, false);
      });
    });
  }
}

function netSocketOf(ws: WebSocket | undefined): NetSocket | undefined {
  return (ws as unknown as { _socket?: NetSocket } | undefined)?._socket;
}
