/**
 * A test reader: a socket.io-client that follows channels the way a real client must —
 * applies snapshots and events in order, keeps a cursor per channel, and records every
 * delivery so tests can count duplicates and losses. Waits are on conditions, never on time.
 */
import { io } from 'socket.io-client';
import { applyEvent, compareNewestFirst, type TickerEvent } from '../../shared/events.js';
import type { Headline } from '../../shared/headline.js';
import type { Ack, EventBatch, Snapshot, SubscribeResult } from '../../shared/protocol.js';
import type { TickerClientSocket } from './app.js';
import { Conditions } from './conditions.js';

export class Reader {
  readonly live = new Map<string, Headline>();
  readonly cursors = new Map<string, string>();
  /** Every event received, in arrival order. */
  readonly events: TickerEvent[] = [];
  readonly snapshots: Snapshot[] = [];
  /** Out-of-order or repeated deliveries seen (offset not exactly last + 1 within an epoch). */
  readonly anomalies: string[] = [];
  /** Every `headline:events` batch received (only with `batch: true`). */
  readonly batches: EventBatch[] = [];
  private readonly conditions = new Conditions();
  socket: TickerClientSocket;

  /** `batch`: asks for `headline:events` in the handshake, as the SDK does. */
  constructor(url: string, private readonly channels: string[], private readonly options: { batch?: boolean } = {}) {
    this.socket = this.open(url);
  }

  private open(url: string): TickerClientSocket {
    const socket: TickerClientSocket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false, ...(this.options.batch ? { auth: { batch: true } } : {}) });
    socket.on('channel:snapshot', (s) => {
      this.snapshots.push(s);
      for (const [uri, h] of this.live) if (h.channel === s.channel) this.live.delete(uri);
      for (const h of s.headlines) this.live.set(h.uri, h);
      this.cursors.set(s.channel, s.cursor);
      this.notify();
    });
    socket.on('headline:event', (e) => {
      this.apply(e);
      this.notify();
    });
    socket.on('headline:events', (b) => {
      this.batches.push(b);
      for (const e of b.events) this.apply(e);
      this.notify();
    });
    return socket;
  }

  private apply(e: TickerEvent): void {
    const prev = this.cursors.get(e.channel);
    const expected = prev && prev.startsWith(`${e.epoch}:`) ? Number(prev.split(':')[1]) + 1 : undefined;
    if (expected !== undefined && e.offset !== expected) this.anomalies.push(`${e.channel}: got ${e.offset}, expected ${expected}`);
    this.events.push(e);
    applyEvent(this.live, e);
    this.cursors.set(e.channel, `${e.epoch}:${e.offset}`);
  }

  private notify(): void {
    this.conditions.poke();
  }

  /** Subscribes (with cursors when it has them); resolves with the ack. */
  async subscribe(): Promise<SubscribeResult[]> {
    if (!this.socket.connected) await new Promise<void>((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('connect_error', reject);
    });
    const res = await new Promise<Ack<{ channels: SubscribeResult[] }>>((resolve) =>
      this.socket.emit('channels:subscribe', { channels: this.channels.map((channel) => ({ channel, ...(this.cursors.get(channel) ? { cursor: this.cursors.get(channel) } : {}) })) }, resolve),
    );
    if ('error' in res) throw new Error(`subscribe failed: ${res.error.code} ${res.error.message}`);
    return res.data.channels;
  }

  /** Drops the connection (the reader keeps its state and cursors). */
  disconnect(): void {
    this.socket.disconnect();
  }

  /** Connects to `url` (the same or another server) and resubscribes with its cursors. */
  async reconnect(url: string): Promise<SubscribeResult[]> {
    this.socket.disconnect();
    this.socket = this.open(url);
    return this.subscribe();
  }

  /** Resolves when the predicate holds; rejects with `what` after the deadline. */
  waitFor(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    return this.conditions.until(predicate, what, timeoutMs);
  }


  /** Events received for one headline uri. */
  eventsOf(uri: string): TickerEvent[] {
    return this.events.filter((e) => e.uri === uri);
  }

  liveOf(channel: string): Headline[] {
    return [...this.live.values()].filter((h) => h.channel === channel).sort(compareNewestFirst);
  }
}
