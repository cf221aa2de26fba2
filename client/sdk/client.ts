/**
 * The reader client: one Socket.IO connection per server, shared by every widget on the page.
 * Subscribes with a cursor per channel, applies snapshots and events in log order (a repeat is
 * ignored, a gap resyncs from the cursor), expires headlines by its own clock, persists cursors,
 * and reconnects with full-jitter backoff after any drop, including a server-initiated one
 * (which socket.io-client never retries by itself) and a `server:draining` notice.
 */
import type { Socket } from 'socket.io-client';
import type { TickerEvent } from '../../shared/events.js';
import { CHANNEL_PATTERN, type Headline } from '../../shared/headline.js';
import { MAX_CHANNELS_PER_SOCKET, type ClientToServerEvents, type ServerToClientEvents } from '../../shared/protocol.js';
import { backoff, type BackoffOptions } from './backoff.js';
import { ChannelState, type SavedChannel } from './channel-state.js';
import { systemClock, type Clock } from './clock.js';
import { Emitter } from './emitter.js';
import { memoryStore, type CursorStore } from './storage.js';

export type TickerSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
/** Makes a socket for a server URL; it must not auto-connect nor reconnect by itself. */
export type SocketFactory = (url: string) => TickerSocket;

/** connecting: never live yet; live: subscribed and current; reconnecting: lost, retrying; closed. */
export type ConnectionStatus = 'connecting' | 'live' | 'reconnecting' | 'closed';

export interface TickerClientEvents {
  status: (status: ConnectionStatus) => void;
  /** A channel's live set changed (newest first). */
  change: (channel: string, headlines: readonly Headline[]) => void;
}

export interface TickerClientOptions {
  url: string;
  socketFactory: SocketFactory;
  /** @default systemClock */
  clock?: Clock;
  /** @default Math.random */
  random?: () => number;
  /** @default an in-memory store (nothing survives a reload) */
  store?: CursorStore;
  backoff?: BackoffOptions;
  /** How long a subscribe may wait for its ack before the connection is retried. @default 10000 */
  ackTimeoutMs?: number;
}

interface Entry {
  state: ChannelState;
  refs: number;
  /** How many headlines to save: the most any follower shows. */
  keep: number;
  resyncing: boolean;
}

export class TickerClient {
  readonly url: string;
  private readonly events = new Emitter<TickerClientEvents>();
  private readonly channels = new Map<string, Entry>();
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly store: CursorStore;
  private socket: TickerSocket | undefined;
  private current: ConnectionStatus = 'connecting';
  private attempt = 0;
  private drainMs: number | undefined;
  private timers: { retry?: unknown; expiry?: unknown; save?: unknown } = {};
  private dirty = new Set<string>();

  constructor(private readonly options: TickerClientOptions) {
    this.url = options.url;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.store = options.store ?? memoryStore();
  }

  get status(): ConnectionStatus {
    return this.current;
  }

  on<K extends keyof TickerClientEvents>(name: K, listener: TickerClientEvents[K]): () => void {
    return this.events.on(name, listener);
  }

  /** The live set of a followed channel, newest first. */
  headlines(channel: string): readonly Headline[] {
    return this.channels.get(channel)?.state.headlines() ?? [];
  }

  /** Whether a followed channel has a position yet (a snapshot, events or a saved state). */
  ready(channel: string): boolean {
    return !!this.channels.get(channel)?.state.cursor;
  }

  /**
   * Follows a channel until the returned function is called (reference-counted). `keep`: how
   * many headlines the follower shows, so at most that many (the largest of all followers) are
   * saved for the next page load. `seed`: the page's server-rendered state of the channel (its
   * cursor and live set), shown at once and subscribed from, unless the saved state is newer
   * (ChannelState.adopt); ignored when the channel is followed already (its state is live).
   */
  follow(channel: string, keep = 30, seed?: SavedChannel): () => void {
    // An invalid name would make every subscribe of this shared connection fail: refuse it here.
    if (!CHANNEL_PATTERN.test(channel)) return () => undefined;
    let entry = this.channels.get(channel);
    if (!entry) {
      const state = new ChannelState(channel);
      state.restore(this.store.load(channel));
      if (seed) state.adopt(seed);
      state.expire(this.clock.now());
      entry = { state, refs: 0, keep, resyncing: false };
      this.channels.set(channel, entry);
      if (this.socket?.connected) this.subscribe([entry]);
      this.scheduleExpiry();
    }
    entry.refs++;
    entry.keep = Math.max(entry.keep, keep);
    this.ensureSocket();
    let done = false;
    return () => {
      if (done || !entry) return;
      done = true;
      if (--entry.refs > 0) return;
      this.persist();
      this.channels.delete(channel);
      if (this.socket?.connected) this.socket.emit('channels:unsubscribe', { channels: [channel] }, () => undefined);
      if (this.channels.size === 0) this.stop('connecting');
    };
  }

  /** Disconnects for good and releases timers. */
  close(): void {
    this.stop('closed');
  }

  private setStatus(status: ConnectionStatus): void {
    if (status === this.current) return;
    this.current = status;
    this.events.emit('status', status);
  }

  private stop(status: ConnectionStatus): void {
    this.persist();
    for (const t of Object.values(this.timers)) this.clock.clearTimeout(t);
    this.timers = {};
    const socket = this.socket;
    this.socket = undefined;
    socket?.off();
    socket?.disconnect();
    this.setStatus(status);
  }

  private ensureSocket(): void {
    if (this.socket) return;
    const socket = this.options.socketFactory(this.url);
    this.socket = socket;
    // Ask for `headline:events` batches, keeping whatever auth the factory set.
    ((socket.auth ??= {}) as Record<string, unknown>).batch = true;
    socket.on('connect', () => this.subscribe([...this.channels.values()]));
    socket.on('disconnect', () => this.lost());
    socket.on('connect_error', () => this.lost());
    socket.on('server:draining', (notice) => {
      this.drainMs = Math.max(0, Number(notice?.reconnectInMs) || 0);
    });
    socket.on('channel:snapshot', (s) => {
      const entry = this.channels.get(s.channel);
      if (!entry) return;
      entry.state.replace(s);
      entry.resyncing = false;
      this.changed(entry);
    });
    const apply = (e: TickerEvent): void => {
      const entry = this.channels.get(e.channel);
      if (!entry) return;
      const result = entry.state.apply(e);
      if (result === 'changed') this.changed(entry);
      else if (result === 'gap') this.resync(entry);
    };
    socket.on('headline:event', apply);
    // A batch: its events in log order, each applied as one `headline:event` (a gap resyncs once).
    socket.on('headline:events', (b) => b.events.map(apply));
    if (this.current === 'closed') this.current = 'connecting';
    socket.connect();
  }

  /** After any drop: keep the live sets, retry after a jittered delay (or the drain notice's). */
  private lost(): void {
    const socket = this.socket;
    if (!socket || this.timers.retry !== undefined) return;
    if (this.current === 'live') this.setStatus('reconnecting');
    for (const entry of this.channels.values()) entry.resyncing = false;
    const delay = this.drainMs !== undefined ? Math.floor(this.random() * this.drainMs) : backoff(this.attempt++, this.random, this.options.backoff);
    this.drainMs = undefined;
    this.timers.retry = this.clock.setTimeout(() => {
      this.timers.retry = undefined;
      if (this.socket === socket && !socket.connected) socket.connect();
    }, delay);
  }

  private subscribe(entries: Entry[]): void {
    const socket = this.socket;
    if (!socket || entries.length === 0) return;
    let pending = 0;
    for (let i = 0; i < entries.length; i += MAX_CHANNELS_PER_SOCKET) {
      const batch = entries.slice(i, i + MAX_CHANNELS_PER_SOCKET);
      pending++;
      const channels = batch.map(({ state }) => (state.cursor ? { channel: state.channel, cursor: state.cursor } : { channel: state.channel }));
      socket.timeout(this.options.ackTimeoutMs ?? 10_000).emit('channels:subscribe', { channels }, (err, res) => {
        if (this.socket !== socket) return;
        if (err || !res || ('error' in res && res.error.code !== 'VALIDATION_FAILED')) {
          // Timed out or refused (e.g. the store is down): drop and retry the whole connection.
          socket.disconnect();
          this.lost();
          return;
        }
        if (--pending === 0 && socket.connected) {
          this.attempt = 0;
          this.setStatus('live');
        }
      });
    }
  }

  /** A gap in the log (should not happen on one socket): ask again from the last applied cursor. */
  private resync(entry: Entry): void {
    const socket = this.socket;
    if (entry.resyncing || !socket?.connected) return;
    entry.resyncing = true;
    const cursor = entry.state.cursor;
    socket.emit('channels:subscribe', { channels: [cursor ? { channel: entry.state.channel, cursor } : { channel: entry.state.channel }] }, () => {
      entry.resyncing = false;
    });
  }

  private changed(entry: Entry): void {
    entry.state.expire(this.clock.now());
    this.events.emit('change', entry.state.channel, entry.state.headlines());
    this.dirty.add(entry.state.channel);
    this.timers.save ??= this.clock.setTimeout(() => this.persist(), 250);
    this.scheduleExpiry();
  }

  /** Saves changed channels now (otherwise at most 250 ms after a change, and on page hide). */
  persist(): void {
    this.clock.clearTimeout(this.timers.save);
    this.timers.save = undefined;
    for (const channel of this.dirty) {
      const entry = this.channels.get(channel);
      const saved = entry?.state.save(this.clock.now(), entry.keep);
      if (saved) this.store.save(channel, saved);
    }
    this.dirty.clear();
  }

  /** One timer for the earliest expiry across channels, so items leave even if the server is late. */
  private scheduleExpiry(): void {
    this.clock.clearTimeout(this.timers.expiry);
    let next: number | undefined;
    for (const { state } of this.channels.values()) {
      const t = state.nextExpiry();
      if (t !== undefined && (next === undefined || t < next)) next = t;
    }
    if (next === undefined) return;
    this.timers.expiry = this.clock.setTimeout(() => {
      this.timers.expiry = undefined;
      const now = this.clock.now();
      for (const entry of this.channels.values()) if (entry.state.expire(now)) this.events.emit('change', entry.state.channel, entry.state.headlines());
      this.scheduleExpiry();
    }, Math.min(Math.max(0, next - this.clock.now()), 2 ** 31 - 1));
  }
}
