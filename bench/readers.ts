/**
 * Bench readers: one per simulated page, speaking each target's protocol. They do the least a
 * real client must (decode, read the headline, keep the cursor) and report each delivery.
 * Product readers follow our protocol: `channels:subscribe` (with the cursor when coming back),
 * then `channel:snapshot` / `headline:event`.
 */
import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import type { ClientToServerEvents, ServerToClientEvents } from '../shared/protocol.js';
import type { Proto } from './ipc.js';
import { parseLink } from './payload.js';

type ProductSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface Sink {
  /** A headline reached a reader (live, in a catch-up, or in a non-first-visit snapshot). */
  deliver(reader: Reader, seq: number, sentAt: number, viaSnapshot: boolean): void;
  /** A reader lost its connection (not by our own close). */
  lost(reader: Reader): void;
}

/** Highest sequence number a run may use (the `seen` bitmap size). */
export const MAX_SEQ = 4096;

export class Reader {
  readonly seen = new Uint8Array(MAX_SEQ);
  url: string;
  cursor: string | undefined;
  private close_: (() => void) | undefined;
  private closing = false;
  /** Storm bookkeeping: when the reader re-subscribed and when each storm headline arrived. */
  resubAt = 0;
  arrivals: Float64Array | undefined;

  constructor(readonly proto: Proto, url: string, readonly channel: string, private readonly sink: Sink) {
    this.url = url;
  }

  /** Connects to `url` and resolves once subscribed to the channel. */
  connect(url: string, timeoutMs: number): Promise<void> {
    this.url = url;
    this.closing = false;
    const p = this.proto === 'raw' ? this.connectRaw(url) : this.proto === 'socketio' ? this.connectSocketIo(url) : this.connectProduct(url);
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('connect timeout')), timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer)).catch((err: unknown) => {
      this.close();
      throw err;
    });
  }

  close(): void {
    this.closing = true;
    this.close_?.();
    this.close_ = undefined;
  }

  private onLost = (): void => {
    if (!this.closing) {
      this.close_ = undefined;
      this.sink.lost(this);
    }
  };

  private onHeadline(link: unknown, viaSnapshot: boolean): void {
    const l = parseLink(link);
    if (l) this.sink.deliver(this, l.seq, l.sentAt, viaSnapshot);
  }

  private connectProduct(url: string): Promise<void> {
    const socket: ProductSocket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false, timeout: 30_000 });
    this.close_ = () => socket.disconnect();
    socket.on('headline:event', (e) => {
      this.cursor = `${e.epoch}:${e.offset}`;
      if (e.headline) this.onHeadline(e.headline.link, false);
    });
    socket.on('channel:snapshot', (s) => {
      this.cursor = s.cursor;
      if (s.reason !== 'first-visit') for (const h of s.headlines) this.onHeadline(h.link, true);
    });
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
