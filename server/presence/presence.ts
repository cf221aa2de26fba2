/**
 * Presence: how many readers follow each channel, on this process and over every process.
 *
 * Local counts change as readers come and go: a socket joins or leaves a channel room, an SSE
 * stream opens or closes (both call `add` / `remove`). Cluster counts go through the engine:
 * every `reportEveryMs` this process writes its counts (they expire after three periods, so a
 * crashed process stops counting) and reads the sum back, which is cached here. A change is
 * also written `reportSoonMs` after it happens, so other processes see it before the next tick.
 *
 * Whoever asks — the publish path's `reach`, `/readers`, `/metrics`, the desk — reads memory,
 * never the store: measuring reach used to cost a store round trip before every publish.
 *
 * The cached sum holds this process's counts as of the last read; they are swapped for the live
 * local counts on every answer, so a reader who joined here a moment ago counts at once and a
 * single process (memory engine) is always exact. Other processes' readers are at most one
 * period old. When the sum could not be read for three periods it is unknown (`undefined`),
 * as a publish's reach is when the store is down.
 */
import type { Logger } from 'pino';
import { Emitter } from '../engine/emitter.js';
import type { Engine } from '../engine/types.js';

/** What the places readers arrive at need: one more or one fewer reader of a channel. */
export interface ReaderTally {
  add(channel: string): void;
  remove(channel: string): void;
}

export interface PresenceOptions {
  engine: Engine;
  /** This process's id in the shared reports. */
  processId: string;
  logger: Logger;
  /** How often this process reports its counts and reads the cluster's. @default 2000 */
  reportEveryMs?: number;
  /** How soon after a change it is reported (changes in between go in one write). @default 200 */
  reportSoonMs?: number;
}

type Counts = Record<string, number>;

/** The cluster sum as last read, and this process's counts inside it. */
interface ClusterRead {
  sum: Map<string, number>;
  mine: Map<string, number>;
  at: number;
}

interface PresenceEvents {
  /** The cluster counts were read again (every `reportEveryMs` while the store answers). */
  refreshed: (counts: Counts) => void;
}

export class Presence implements ReaderTally {
  private readonly engine: Engine;
  private readonly processId: string;
  private readonly logger: Logger;
  private readonly everyMs: number;
  private readonly soonMs: number;
  private readonly emitter = new Emitter<PresenceEvents>();
  private readonly local = new Map<string, number>();
  private cached: ClusterRead | undefined;
  private refreshing = false;
  private timer: NodeJS.Timeout | undefined;
  private soon: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(options: PresenceOptions) {
    this.engine = options.engine;
    this.processId = options.processId;
    this.logger = options.logger;
    this.everyMs = options.reportEveryMs ?? 2000;
    this.soonMs = options.reportSoonMs ?? 200;
  }

  /** Reports expire after three periods: one lost report does not drop a process's readers. */
  private get ttlMs(): number {
    return this.everyMs * 3;
  }

  add(channel: string): void {
    this.local.set(channel, (this.local.get(channel) ?? 0) + 1);
    this.reportSoon();
  }

  remove(channel: string): void {
    const n = (this.local.get(channel) ?? 0) - 1;
    if (n > 0) this.local.set(channel, n);
    else this.local.delete(channel);
    this.reportSoon();
  }

  /** Readers on this process per channel (only channels with at least one). */
  localCounts(): Counts {
    return Object.fromEntries(this.local);
  }

  /** Readers of `channel` over every process; undefined while the cluster sum is unknown. */
  readersOf(channel: string): number | undefined {
    const cached = this.fresh();
    if (!cached) return undefined;
    return this.merge(cached, channel);
  }

  /** Readers per channel over every process (only channels with at least one); undefined while unknown. */
  clusterCounts(): Counts | undefined {
    const cached = this.fresh();
    if (!cached) return undefined;
    const counts: Counts = {};
    for (const channel of new Set([...cached.sum.keys(), ...this.local.keys()])) {
      const n = this.merge(cached, channel);
      if (n > 0) counts[channel] = n;
    }
    return counts;
  }

  on<K extends keyof PresenceEvents>(name: K, listener: PresenceEvents[K]): () => void {
    return this.emitter.on(name, listener);
  }

  /** Reads the cluster counts once (so a new process knows them at once), then every period. */
  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.everyMs);
    this.timer.unref();
  }

  /** Stops reporting and withdraws this process's counts (they would expire anyway). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.soon);
    await this.engine.reportReaders(this.processId, {}, 1).catch(() => undefined);
  }

  private fresh(): ClusterRead | undefined {
    return this.cached && Date.now() - this.cached.at <= this.ttlMs ? this.cached : undefined;
  }

  private merge(cached: ClusterRead, channel: string): number {
    const others = (cached.sum.get(channel) ?? 0) - (cached.mine.get(channel) ?? 0);
    return Math.max(0, others + (this.local.get(channel) ?? 0));
  }

  /**
   * Writes this process's counts, then reads the sum: in that order on one connection, so the
   * sum holds exactly the counts written (`mine`). No other write runs in between (`refreshing`).
   */
  private async refresh(): Promise<void> {
    if (this.refreshing || this.stopped) return;
    this.refreshing = true;
    clearTimeout(this.soon);
    this.soon = undefined;
    try {
      const mine = new Map(this.local);
      await this.engine.reportReaders(this.processId, Object.fromEntries(mine), this.ttlMs);
      const sum = await this.engine.readerCounts();
      this.cached = { sum: new Map(Object.entries(sum)), mine, at: Date.now() };
      this.emitter.emit('refreshed', this.clusterCounts() ?? {});
    } catch (err) {
      this.logger.debug({ err }, 'reader counts not reported or read; the next period retries');
    } finally {
      this.refreshing = false;
    }
  }

  private reportSoon(): void {
    if (this.stopped) return;
    this.soon ??= setTimeout(() => {
      this.soon = undefined;
      // A refresh in flight has taken its snapshot; write this change after it.
      if (this.refreshing) return this.reportSoon();
      this.engine
        .reportReaders(this.processId, this.localCounts(), this.ttlMs)
        .catch((err: unknown) => this.logger.debug({ err }, 'reader counts not reported; the next period retries'));
    }, this.soonMs);
    this.soon.unref();
  }
}
