/**
 * The channel hub: this process's ordered view of each channel it serves. It turns the engine's
 * fan-out (which may deliver late, twice, out of order or not at all) into a gap-free, ordered
 * stream per channel, repairing gaps from the log, and keeps the live set and a ring of recent
 * events in memory, so reconnecting readers catch up without a store round trip each.
 *
 * State is bounded: a channel is held only while someone follows it (`follow`/`unfollow`, a
 * count per channel) or reads it. With no followers left, a channel that never had a headline
 * (epoch EMPTY_EPOCH) is dropped at once, any other after `idleMs`; a later reader loads it again.
 */
import type { Logger } from 'pino';
import {
  EMPTY_EPOCH, applyEvent, compareNewestFirst, formatCursor, parseCursor, type Headline, type Snapshot, type SnapshotReason, type TickerEvent,
} from '../../shared/index.js';
import { Emitter } from '../engine/emitter.js';
import { HIDING_EVENTS, hiddenBy, purgeHidden, tombstone } from '../engine/purge.js';
import type { Engine } from '../engine/types.js';

export type CatchUp =
  | { mode: 'events'; events: TickerEvent[]; cursor: string }
  | { mode: 'snapshot'; snapshot: Snapshot; cursor: string };

interface HubEvents {
  event: (e: TickerEvent) => void;
  snapshot: (s: Snapshot) => void;
  gapRepaired: (channel: string, events: number) => void;
}

interface ChannelState {
  name: string;
  epoch: string;
  offset: number;
  live: Map<string, Headline>;
  ring: TickerEvent[];
  sorted?: Headline[];
  /** Events received while loading or repairing, applied after. */
  buffer: TickerEvent[] | undefined;
}

/** How a catch-up is chosen for one attach. */
export interface AttachOptions {
  /** The snapshot's reason when the reader is too far behind for events. @default 'cursor-too-old' */
  behind?: SnapshotReason;
  /** At most this many events, else a snapshot (never more than the hub's maxCatchUp). */
  maxEvents?: number;
  /** Events only when they are no more than the live set's headlines: a snapshot would be no larger. */
  cheapest?: boolean;
}

export interface HubOptions {
  engine: Engine;
  logger: Logger;
  /** Recent events kept in memory per channel. @default 1000 */
  ringSize?: number;
  /** A reader further behind than this gets a snapshot instead of the events. @default 500 */
  maxCatchUp?: number;
  /** How long a channel with headlines and no followers stays loaded. @default 60000 */
  idleMs?: number;
}

export class ChannelHub {
  private readonly emitter = new Emitter<HubEvents>();
  private readonly channels = new Map<string, Promise<ChannelState>>();
  private readonly engine: Engine;
  private readonly logger: Logger;
  private readonly ringSize: number;
  private readonly maxCatchUp: number;
  private readonly idleMs: number;
  private readonly unsubscribe: (() => void)[];
  /** Followers per channel (sockets, and readers in the middle of a read). */
  private readonly followers = new Map<string, number>();
  private readonly idleTimers = new Map<string, NodeJS.Timeout>();

  constructor(options: HubOptions) {
    this.engine = options.engine;
    this.logger = options.logger;
    this.ringSize = options.ringSize ?? 1000;
    this.maxCatchUp = options.maxCatchUp ?? 500;
    this.idleMs = options.idleMs ?? 60_000;
    this.unsubscribe = [
      this.engine.on('event', (e) => this.receive(e)),
      this.engine.on('resync', () => void this.repairAll()),
    ];
  }

  on<K extends keyof HubEvents>(name: K, listener: HubEvents[K]): () => void {
    return this.emitter.on(name, listener);
  }

  close(): void {
    for (const off of this.unsubscribe) off();
    for (const timer of this.idleTimers.values()) clearTimeout(timer);
    this.idleTimers.clear();
  }

  /** Channels held in memory now. */
  get size(): number {
    return this.channels.size;
  }

  /** Whether this process holds the channel and it has had a headline (it has a real epoch). */
  hasHeadlines(channel: string): boolean {
    const state = this.ready.get(channel);
    return state !== undefined && state.epoch !== EMPTY_EPOCH;
  }

  /**
   * This process's position in a loaded channel: every event up to it has been emitted (and
   * none after). Undefined while the channel is not loaded.
   */
  position(channel: string): string | undefined {
    const state = this.ready.get(channel);
    return state && formatCursor(state);
  }

  /** One more follower of `channel`: it stays loaded until the matching `unfollow`. */
  follow(channel: string): void {
    this.followers.set(channel, (this.followers.get(channel) ?? 0) + 1);
    clearTimeout(this.idleTimers.get(channel));
    this.idleTimers.delete(channel);
  }

  unfollow(channel: string): void {
    const n = (this.followers.get(channel) ?? 0) - 1;
    if (n > 0) return void this.followers.set(channel, n);
    this.followers.delete(channel);
    this.idle(channel);
  }

  /** A channel nobody follows: dropped now when it never had a headline, else after idleMs. */
  private idle(name: string): void {
    if (this.followers.has(name)) return;
    const state = this.ready.get(name);
    if (!state) return; // still loading: checked again when the load settles
    clearTimeout(this.idleTimers.get(name));
    this.idleTimers.delete(name);
    if (state.epoch === EMPTY_EPOCH) return this.evict(name);
    const timer = setTimeout(() => {
      this.idleTimers.delete(name);
      if (!this.followers.has(name)) this.evict(name);
    }, this.idleMs);
    timer.unref();
    this.idleTimers.set(name, timer);
  }

  private evict(name: string): void {
    this.channels.delete(name);
    this.ready.delete(name);
  }

  private watch(name: string): Promise<ChannelState> {
    let state = this.channels.get(name);
    if (!state) {
      state = this.load(name);
      this.channels.set(name, state);
      state.then(() => this.idle(name), () => this.channels.delete(name));
    }
    return state;
  }

  private async load(name: string): Promise<ChannelState> {
    const state: ChannelState = { name, epoch: '', offset: 0, live: new Map(), ring: [], buffer: [] };
    this.loading.set(name, state);
    try {
      const snap = await this.engine.snapshot(name);
      state.epoch = snap.epoch;
      state.offset = snap.offset;
      for (const h of snap.headlines) state.live.set(h.uri, h);
    } finally {
      this.loading.delete(name);
    }
    this.ready.set(name, state);
    this.drain(state);
    return state;
  }

  private readonly loading = new Map<string, ChannelState>();
  private readonly ready = new Map<string, ChannelState>();

  private receive(e: TickerEvent): void {
    const state = this.ready.get(e.channel) ?? this.loading.get(e.channel);
    if (!state) return; // nobody here follows this channel
    if (state.buffer) {
      state.buffer.push(e);
      return;
    }
    this.accept(state, e);
  }

  /** Applies an event in order; a gap or a new epoch starts a repair. */
  private accept(state: ChannelState, e: TickerEvent): void {
    // A channel's first headline gives it its epoch: offset 1 of it follows empty:0.
    if (state.epoch === EMPTY_EPOCH && state.offset === 0 && e.offset === 1) state.epoch = e.epoch;
    if (e.epoch !== state.epoch) {
      void this.repair(state);
      return;
    }
    if (e.offset <= state.offset) return; // already applied
    if (e.offset > state.offset + 1) {
      void this.repair(state);
      return;
    }
    state.offset = e.offset;
    if (applyEvent(state.live, e)) state.sorted = undefined;
    state.ring.push(e);
    this.purgeRing(state, e);
    if (state.ring.length > this.ringSize * 1.5) state.ring.splice(0, state.ring.length - this.ringSize);
    this.emitter.emit('event', e);
  }

  /** A hold or kill: earlier ring events of that headline lose their text (new objects; delivered ones stay as sent). */
  private purgeRing(state: ChannelState, e: TickerEvent): void {
    if (!HIDING_EVENTS.has(e.type)) return;
    const ring = state.ring;
    for (let i = 0; i < ring.length; i++) {
      const old = ring[i]!;
      if (old.uri === e.uri && old.version < e.version && old.headline) ring[i] = tombstone(old);
    }
  }

  private drain(state: ChannelState): void {
    const buffered = state.buffer ?? [];
    state.buffer = undefined;
    buffered.sort((a, b) => a.offset - b.offset);
    for (const e of buffered) {
      // accept() may start a repair, which buffers again: later events wait for it.
      const pending = (state as { buffer?: TickerEvent[] }).buffer;
      if (pending) pending.push(e);
      else this.accept(state, e);
    }
  }

  /** Reads the log from this process's offset to the head; on a new epoch, reloads and resnapshots. */
  private async repair(state: ChannelState): Promise<void> {
    if (state.buffer) return; // a load or repair is already running; it drains what arrives
    state.buffer = [];
    let repaired = 0;
    try {
      for (;;) {
        // From empty:0, the log of whatever epoch the channel has now, from its start.
        const fromEmpty = state.epoch === EMPTY_EPOCH;
        const read = await this.engine.readLog(state.name, fromEmpty ? '' : state.epoch, fromEmpty ? 0 : state.offset, 1000);
        if (!read.complete) {
          await this.resnapshot(state);
          return;
        }
        if (fromEmpty && read.events.length) state.epoch = read.epoch;
        for (const e of read.events) {
          state.offset = e.offset;
          if (applyEvent(state.live, e)) state.sorted = undefined;
          state.ring.push(e);
          this.purgeRing(state, e);
          this.emitter.emit('event', e);
          repaired++;
        }
        if (state.ring.length > this.ringSize) state.ring.splice(0, state.ring.length - this.ringSize);
        if (read.events.length === 0 || state.offset >= read.head) break;
      }
      if (repaired) {
        this.logger.info({ channel: state.name, events: repaired }, 'log gap repaired');
        this.emitter.emit('gapRepaired', state.name, repaired);
      }
    } catch (err) {
      this.logger.warn({ err, channel: state.name }, 'log repair failed; retried on the next event or reconnect');
    } finally {
      this.drain(state);
    }
  }

  private async resnapshot(state: ChannelState): Promise<void> {
    const snap = await this.engine.snapshot(state.name);
    state.epoch = snap.epoch;
    state.offset = snap.offset;
    state.live = new Map(snap.headlines.map((h) => [h.uri, h]));
    state.sorted = undefined;
    state.ring = [];
    this.logger.warn({ channel: state.name, epoch: snap.epoch }, 'channel log lost or trimmed; sending a fresh snapshot');
    this.emitter.emit('snapshot', this.snapshotOf(state, 'resync'));
  }

  /** After the fan-out connection returns: read every followed channel's log for what was missed. */
  async repairAll(): Promise<void> {
    await Promise.all([...this.ready.values()].map((s) => this.repair(s)));
  }

  private snapshotOf(state: ChannelState, reason: SnapshotReason): Snapshot {
    state.sorted ??= [...state.live.values()].sort(compareNewestFirst);
    return {
      channel: state.name, epoch: state.epoch, offset: state.offset, cursor: formatCursor(state),
      headlines: state.sorted, fresh: true, reason,
    };
  }

  /** The live set of a channel now with its position (as a first-visit snapshot). */
  async current(channel: string): Promise<Snapshot> {
    this.follow(channel);
    try {
      return this.snapshotOf(await this.watch(channel), 'first-visit');
    } finally {
      this.unfollow(channel);
    }
  }

  /** The live set of a channel now, newest first. */
  async liveSet(channel: string): Promise<Headline[]> {
    this.follow(channel);
    try {
      return this.snapshotOf(await this.watch(channel), 'first-visit').headlines;
    } finally {
      this.unfollow(channel);
    }
  }

  /**
   * Brings a reader at `cursor` up to date. `deliver` runs synchronously at a point where the
   * catch-up ends exactly at this process's offset, so the caller can join the channel's
   * broadcast inside it and miss or repeat nothing.
   */
  async attach(channel: string, cursorText: string | undefined, deliver: (c: CatchUp) => void, options: AttachOptions = {}): Promise<void> {
    const state = await this.watch(channel);
    const cursor = cursorText ? parseCursor(cursorText) : undefined;
    if (cursor && cursor.epoch === state.epoch && cursor.offset > state.offset && state.epoch !== EMPTY_EPOCH) await this.repair(state);
    const result = await this.catchUp(state, cursor, options);
    deliver(result);
  }

  private async catchUp(state: ChannelState, cursor: { epoch: string; offset: number } | undefined, options: AttachOptions): Promise<CatchUp> {
    const snapshot = (reason: SnapshotReason): CatchUp => {
      const s = this.snapshotOf(state, reason);
      return { mode: 'snapshot', snapshot: s, cursor: s.cursor };
    };
    const behind = options.behind ?? 'cursor-too-old';
    let limit = Math.min(this.maxCatchUp, options.maxEvents ?? Infinity);
    if (options.cheapest) limit = Math.min(limit, Math.max(1, state.live.size));
    if (!cursor) return snapshot('first-visit');
    if (cursor.epoch !== state.epoch) return snapshot('epoch-changed');
    if (cursor.offset > state.offset) return snapshot('cursor-too-old');
    if (state.offset - cursor.offset > limit) return snapshot(behind);
    const fromRing = this.fromRing(state, cursor.offset);
    if (fromRing) return { mode: 'events', events: fromRing, cursor: formatCursor(state) };
    // Older than the ring: read the log once, then join it to the ring (which may have moved on).
    const read = await this.engine.readLog(state.name, state.epoch, cursor.offset, limit);
    if (!read.complete) return snapshot(behind);
    const last = read.events.at(-1)?.offset ?? cursor.offset;
    const tail = this.fromRing(state, last);
    if (!tail) return snapshot(behind);
    // A hold or kill that this process accepted after the read hides the text of what was read.
    const older = purgeHidden(read.events.filter((e) => e.offset <= last), hiddenBy(tail));
    return { mode: 'events', events: [...older, ...tail], cursor: formatCursor(state) };
  }

  /** Events after `offset` up to the current offset, when the ring still holds them all. */
  private fromRing(state: ChannelState, offset: number): TickerEvent[] | undefined {
    if (offset >= state.offset) return [];
    const first = state.ring[0];
    if (!first || first.offset > offset + 1) return undefined;
    return state.ring.slice(offset + 1 - first.offset);
  }
}
