/**
 * The readers' side of the load generator: a crowd of readers owned by one worker thread
 * (bench/crowd-worker.ts), or by the load generator's main thread with `--loadgen-threads 0`.
 * It does all per-delivery work (decode, seen bitmap, latency samples, live sets, storm
 * arrivals, reconnects) and answers the coordinator (bench/loadgen.ts) with aggregates: counts,
 * latency samples, the last arrival per headline, live-set checks, its own event-loop delay.
 * While a phase runs it pushes its counts every 50 ms, so the coordinator knows when to stop.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { LiveSetCheck, LoopDelay, Proto } from './ipc.js';
import { nowMs } from './payload.js';
import { MAX_SEQ, Reader, type Sink } from './readers.js';
import { Samples } from './stats.js';

/** The phase's readers (connect, flash crowd), and the slow-reader phase's two groups. */
export type Group = 'main' | 'normal' | 'paused';

/** What every reader should end with: the server's live set (product, uri → version) or the acknowledged headlines (baselines). */
export type Expected = { kind: 'live'; items: Map<string, number> } | { kind: 'seqs'; seqs: number[] };

export interface OpenSpec {
  proto: Proto;
  urls: string[];
  channel: string;
  /** Global reader numbers this crowd opens; reader i connects to urls[(i + urlOffset) % urls.length]. */
  indices: number[];
  urlOffset: number;
}

export type CrowdCmd =
  | ({ type: 'open'; group: Group; concurrency: number; deadline: number } & OpenSpec)
  | { type: 'start'; from: number; to: number; latencies: boolean; track: Group[]; storm?: { victim: string; survivor: string; jitterMs: number } }
  /** Ends the phase; `sentAt` (the storm: send times of from..to) lets the crowd compute when its moved readers caught up. */
  | { type: 'end'; sentAt?: Float64Array; untrack: Group[] }
  | { type: 'converge'; group: Group; expected: Expected; deadline: number; pollMs: number }
  | { type: 'pause'; group: Group; paused: boolean }
  | { type: 'ports'; group: Group }
  | { type: 'stats'; group: Group }
  | { type: 'close'; groups: Group[]; final: boolean }
  | ({ type: 'flash'; n: number; t0: number; arriveMs: number; deadline: number } & OpenSpec)
  /** The flashes ([seq, sentAt]); waits (bounded) until every arrival has each one published after it subscribed. */
  | { type: 'flash-tally'; flashes: [number, number][]; deadline: number }
  /** This crowd's event-loop delay since the last `loop`, then reset. */
  | { type: 'loop' };

/** Counts pushed while a phase runs. `back`: storm readers moved and re-subscribed. */
export interface Progress {
  type: 'progress';
  delivered: number;
  duplicates: number;
  moved: number;
  back: number;
}

export interface Tally {
  delivered: number;
  duplicates: number;
  /** Deliveries that came in a snapshot. */
  viaSnapshot: number;
  /** Time of the last delivery. */
  last: number;
  /** Latest arrival per headline (index seq - from), 0 for none. */
  lastBySeq: Float64Array;
  latencies: Float64Array;
  /** Connections lost during the phase. */
  lost: number;
  storm?: { moved: number; stranded: number; lastResub: number; lastCaughtUp: number };
}

export interface FlashTally {
  connected: number;
  failed: number;
  expected: number;
  delivered: number;
  incompleteReaders: number;
  /** Per connected reader: connect start → first headline (those that had one), and → subscribed. */
  ttfh: Float64Array;
  conn: Float64Array;
}

export interface Replies {
  open: { opened: number; failed: number };
  start: null;
  end: Tally;
  converge: { check: LiveSetCheck; exactAt: number };
  pause: null;
  ports: number[];
  stats: { size: number; drops: number; snapshots: number; batches: number };
  close: null;
  flash: { connected: number; failed: number };
  'flash-tally': FlashTally;
  loop: LoopDelay;
}

interface Phase {
  from: number;
  to: number;
  delivered: number;
  duplicates: number;
  viaSnapshot: number;
  last: number;
  lastBySeq: Float64Array;
  latencies?: Samples;
  lost0: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class Crowd {
  private readonly groups: Record<Group, Reader[]> = { main: [], normal: [], paused: [] };
  private arrivals: { reader: Reader; ok: boolean }[] = [];
  private closing = false;
  private lost = 0;
  private phase: Phase | undefined;
  private storm: { victim: string; survivor: string; jitterMs: number; moved: Reader[] } | undefined;
  private progressTimer: NodeJS.Timeout | undefined;
  private lastPushed = '';
  private readonly loop = monitorEventLoopDelay({ resolution: 10 });

  constructor(private readonly push: (p: Progress) => void) {
    this.loop.enable();
  }

  handle(cmd: CrowdCmd): Promise<Replies[keyof Replies]> {
    switch (cmd.type) {
      case 'open': return this.open(cmd);
      case 'start': return Promise.resolve(this.start(cmd));
      case 'end': return Promise.resolve(this.end(cmd));
      case 'converge': return this.converge(cmd);
      case 'pause':
        for (const r of this.groups[cmd.group]) r.pause(cmd.paused);
        return Promise.resolve(null);
      case 'ports': return Promise.resolve(this.groups[cmd.group].map((r) => r.localPort()).filter((p): p is number => p !== undefined));
      case 'stats': {
        const rs = this.groups[cmd.group];
        const sum = (f: (r: Reader) => number) => rs.reduce((s, r) => s + f(r), 0);
        return Promise.resolve({ size: rs.length, drops: sum((r) => r.drops), snapshots: sum((r) => r.snapshots), batches: sum((r) => r.batches) });
      }
      case 'close':
        this.closing ||= cmd.final;
        for (const g of cmd.groups) {
          for (const r of this.groups[g]) {
            r.track = undefined;
            r.close();
          }
          this.groups[g] = [];
        }
        return Promise.resolve(null);
      case 'flash': return this.flash(cmd);
      case 'flash-tally': return this.flashTally(cmd);
      case 'loop': {
        // No sample yet (a phase shorter than the 10 ms resolution): unknown, not 0.
        const h = this.loop;
        const d = h.count ? { p50: h.percentile(50) / 1e6, p99: h.percentile(99) / 1e6, max: h.max / 1e6 } : { p50: Number.NaN, p99: Number.NaN, max: Number.NaN };
        this.loop.reset();
        return Promise.resolve(d);
      }
    }
  }

  private readonly sink: Sink = {
    deliver: (reader, seq, sent, viaSnapshot) => {
      const p = this.phase;
      if (seq <= 0 || seq >= MAX_SEQ) return;
      if (reader.has(seq)) {
        if (p && seq >= p.from && seq < p.to) p.duplicates++;
        return;
      }
      reader.mark(seq);
      if (!p || seq < p.from || seq >= p.to) return;
      const now = nowMs();
      p.delivered++;
      p.last = now;
      if (viaSnapshot) p.viaSnapshot++;
      const i = seq - p.from;
      if (now > p.lastBySeq[i]!) p.lastBySeq[i] = now;
      if (reader.arrivals) reader.arrivals[i] = now;
      p.latencies?.push(now - sent);
    },
    corrected: (_reader, seq, sent) => {
      const p = this.phase;
      if (p && seq >= p.from && seq < p.to) p.latencies?.push(nowMs() - sent);
    },
    lost: (reader) => {
      // As a real client does: come back after a full-jitter delay, with the cursor (product
      // readers); readers of the killed process in the storm come back to the survivor.
      this.lost++;
      const storm = this.storm;
      const moving = storm !== undefined && reader.url === storm.victim;
      const url = moving ? storm.survivor : reader.url;
      const attempt = (wait: number): void => {
        setTimeout(() => {
          if (this.closing) return;
          reader.connect(url, 10_000).then(() => {
            if (moving) reader.resubAt = nowMs();
          }).catch(() => attempt(250 + Math.random() * 750));
        }, wait);
      };
      attempt(Math.random() * (storm?.jitterMs ?? 1000));
    },
  };

  private readerOf(spec: OpenSpec, i: number): Reader {
    return new Reader(spec.proto, spec.urls[(i + spec.urlOffset) % spec.urls.length]!, spec.channel, this.sink);
  }

  private async open(cmd: Extract<CrowdCmd, { type: 'open' }>): Promise<Replies['open']> {
    this.closing = false;
    let next = 0;
    let opened = 0;
    const opener = async () => {
      while (next < cmd.indices.length && Date.now() < cmd.deadline) {
        const reader = this.readerOf(cmd, cmd.indices[next++]!);
        try {
          await reader.connect(reader.url, Math.max(1000, cmd.deadline - Date.now()));
          this.groups[cmd.group].push(reader);
          opened++;
        } catch {
          /* counted below */
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(cmd.concurrency, cmd.indices.length)) }, opener));
    return { opened, failed: cmd.indices.length - opened };
  }

  private start(cmd: Extract<CrowdCmd, { type: 'start' }>): null {
    const count = cmd.to - cmd.from;
    this.phase = {
      from: cmd.from, to: cmd.to, delivered: 0, duplicates: 0, viaSnapshot: 0, last: 0, lastBySeq: new Float64Array(count), lost0: this.lost,
      ...(cmd.latencies ? { latencies: new Samples() } : {}),
    };
    for (const g of cmd.track) for (const r of this.groups[g]) r.track = { from: cmd.from, to: cmd.to, live: new Map() };
    if (cmd.storm) {
      const moved = this.groups.main.filter((r) => r.url === cmd.storm!.victim);
      for (const r of moved) r.arrivals = new Float64Array(count);
      this.storm = { ...cmd.storm, moved };
    }
    this.lastPushed = '';
    clearInterval(this.progressTimer);
    this.progressTimer = setInterval(() => this.pushProgress(), 50);
    return null;
  }

  private pushProgress(): void {
    const p = this.phase;
    if (!p) return;
    const moved = this.storm?.moved ?? [];
    const msg: Progress = { type: 'progress', delivered: p.delivered, duplicates: p.duplicates, moved: moved.length, back: moved.filter((r) => r.resubAt > 0).length };
    const key = `${msg.delivered}/${msg.duplicates}/${msg.back}`;
    if (key !== this.lastPushed) {
      this.lastPushed = key;
      this.push(msg);
    }
  }

  private end(cmd: Extract<CrowdCmd, { type: 'end' }>): Tally {
    const p = this.phase;
    clearInterval(this.progressTimer);
    if (!p) throw new Error('end: no phase');
    this.phase = undefined;
    for (const g of cmd.untrack) for (const r of this.groups[g]) r.track = undefined;
    const tally: Tally = {
      delivered: p.delivered, duplicates: p.duplicates, viaSnapshot: p.viaSnapshot, last: p.last, lastBySeq: p.lastBySeq,
      latencies: p.latencies ? p.latencies.values().slice() : new Float64Array(0), lost: this.lost - p.lost0,
    };
    const storm = this.storm;
    this.storm = undefined;
    if (storm && cmd.sentAt) {
      const s = { moved: storm.moved.length, stranded: 0, lastResub: 0, lastCaughtUp: 0 };
      for (const r of storm.moved) {
        if (!r.resubAt) {
          s.stranded++;
          continue;
        }
        s.lastResub = Math.max(s.lastResub, r.resubAt);
        // Caught up: it has every headline sent before it came back (the rest it gets live).
        let t = r.resubAt;
        for (let i = 0; i < cmd.sentAt.length; i++) {
          if (cmd.sentAt[i]! >= r.resubAt) continue;
          const arrived = r.arrivals![i]!;
          t = Math.max(t, arrived > 0 ? arrived : Number.POSITIVE_INFINITY);
        }
        s.lastCaughtUp = Math.max(s.lastCaughtUp, t);
      }
      tally.storm = s;
    }
    return tally;
  }

  /** Waits (bounded) until every reader of the group holds the expected state. */
  private async converge(cmd: Extract<CrowdCmd, { type: 'converge' }>): Promise<Replies['converge']> {
    for (;;) {
      const check = checkLiveSets(this.groups[cmd.group], cmd.expected);
      if (check.exact === check.readers || Date.now() >= cmd.deadline) return { check, exactAt: check.exact === check.readers ? nowMs() : Number.NaN };
      await sleep(cmd.pollMs);
    }
  }

  /** Flash crowd: opens reader i at t0 + i × arriveMs / n, whether or not earlier ones finished. */
  private async flash(cmd: Extract<CrowdCmd, { type: 'flash' }>): Promise<Replies['flash']> {
    this.closing = false;
    this.arrivals = cmd.indices.map((i) => ({ reader: this.readerOf(cmd, i), ok: false }));
    const connects: Promise<void>[] = [];
    for (const [j, i] of cmd.indices.entries()) {
      const wait = cmd.t0 + (i * cmd.arriveMs) / cmd.n - nowMs();
      if (wait > 1) await sleep(wait);
      const a = this.arrivals[j]!;
      connects.push(a.reader.connect(a.reader.url, Math.min(30_000, Math.max(1000, cmd.deadline - Date.now()))).then(() => void (a.ok = true), () => undefined));
    }
    await Promise.all(connects);
    const connected = this.arrivals.filter((a) => a.ok).length;
    return { connected, failed: this.arrivals.length - connected };
  }

  private async flashTally(cmd: Extract<CrowdCmd, { type: 'flash-tally' }>): Promise<FlashTally> {
    const connected = this.arrivals.filter((a) => a.ok).map((a) => a.reader);
    const tally = () => {
      let expected = 0;
      let delivered = 0;
      let incompleteReaders = 0;
      for (const r of connected) {
        const want = cmd.flashes.filter(([, sent]) => sent > r.subscribedAt);
        const got = want.filter(([seq]) => r.has(seq)).length;
        expected += want.length;
        delivered += got;
        if (got < want.length) incompleteReaders++;
      }
      return { expected, delivered, incompleteReaders };
    };
    let t = tally();
    while (t.delivered < t.expected && Date.now() < cmd.deadline) {
      await sleep(250);
      t = tally();
    }
    const ttfh = Float64Array.from(connected.filter((r) => r.firstHeadlineAt > 0), (r) => r.firstHeadlineAt - r.startedAt);
    const conn = Float64Array.from(connected, (r) => r.subscribedAt - r.startedAt);
    // The crowd stays: the storm (Redis) runs on these readers, then `disconnect` closes them.
    for (const r of this.groups.main) r.close();
    for (const a of this.arrivals) if (!a.ok) a.reader.close();
    this.groups.main = connected;
    const failed = this.arrivals.length - connected.length;
    this.arrivals = [];
    return { connected: connected.length, failed, ...t, ttfh, conn };
  }
}

export function checkLiveSets(rs: Reader[], expected: Expected): LiveSetCheck {
  const c: LiveSetCheck = {
    readers: rs.length, exact: 0, withMissing: 0, withStale: 0, withExtra: 0, missingItems: 0, staleItems: 0, extraItems: 0,
    serverItems: expected.kind === 'live' ? expected.items.size : expected.seqs.length, convergedSeconds: Number.NaN,
  };
  for (const r of rs) {
    let missing = 0;
    let stale = 0;
    let extra = 0;
    if (expected.kind === 'seqs') {
      for (const seq of expected.seqs) if (!r.has(seq)) missing++;
    } else {
      const live = r.track?.live ?? new Map<string, number>();
      for (const [uri, version] of expected.items) {
        const v = live.get(uri);
        if (v === undefined) missing++;
        else if (v < version) stale++;
      }
      for (const uri of live.keys()) if (!expected.items.has(uri)) extra++;
    }
    c.missingItems += missing;
    c.staleItems += stale;
    c.extraItems += extra;
    if (missing) c.withMissing++;
    if (stale) c.withStale++;
    if (extra) c.withExtra++;
    if (!missing && !stale && !extra) c.exact++;
  }
  return c;
}
