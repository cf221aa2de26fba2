/**
 * The load generator's main-thread side of its crowds: K worker threads, each owning a share of
 * the readers (bench/crowd-worker.ts), or with K = 0 one crowd on the main thread (the load
 * generator as it was: one event loop for everything). Commands go to one or all crowds; their
 * progress pushes are kept and summed here; helpers merge their replies.
 */
import { Worker } from 'node:worker_threads';
import type { LiveSetCheck, LoopDelay } from './ipc.js';
import { Crowd, type CrowdCmd, type Progress, type Replies, type Tally } from './crowd.js';

type Cmd<T extends CrowdCmd['type']> = Extract<CrowdCmd, { type: T }>;

interface Member {
  call(cmd: CrowdCmd): Promise<unknown>;
  stop(): Promise<void>;
}

/** tsx hooks are registered per thread: the worker's entry registers them, then imports the TypeScript module. */
function startWorker(onProgress: (p: Progress) => void): Member {
  const api = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./crowd-worker.ts', import.meta.url).href;
  const worker = new Worker(`import(${JSON.stringify(api)}).then((t) => { t.register(); return import(${JSON.stringify(entry)}); });`, {
    eval: true, resourceLimits: { maxOldGenerationSizeMb: 4096 },
  });
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  const failAll = (err: Error) => {
    for (const w of waiting.values()) w.reject(err);
    waiting.clear();
  };
  worker.on('message', (msg: Progress | { type: 'reply'; id: number; result: unknown } | { type: 'error'; id: number; message: string }) => {
    if (msg.type === 'progress') return onProgress(msg);
    const w = waiting.get(msg.id);
    waiting.delete(msg.id);
    if (msg.type === 'reply') w?.resolve(msg.result);
    else w?.reject(new Error(msg.message));
  });
  worker.on('error', (err) => failAll(err));
  worker.on('exit', (code) => failAll(new Error(`crowd worker exited (${code})`)));
  return {
    call: (cmd) => new Promise((resolve, reject) => {
      const id = ++nextId;
      waiting.set(id, { resolve, reject });
      worker.postMessage({ id, cmd });
    }),
    stop: async () => void (await worker.terminate()),
  };
}

export class Crowds {
  private readonly members: Member[];
  private readonly progress: Progress[];
  /** Called on every progress push. */
  onProgress: (() => void) | undefined;

  /** threads = 0: one crowd on this thread. */
  constructor(readonly threads: number) {
    const k = Math.max(1, threads);
    this.progress = Array.from({ length: k }, () => ({ type: 'progress', delivered: 0, duplicates: 0, moved: 0, back: 0 }));
    this.members = Array.from({ length: k }, (_, i) => {
      const on = (p: Progress) => {
        this.progress[i] = p;
        this.onProgress?.();
      };
      if (threads > 0) return startWorker(on);
      const crowd = new Crowd(on);
      return { call: (cmd: CrowdCmd) => crowd.handle(cmd), stop: () => Promise.resolve() };
    });
  }

  get size(): number {
    return this.members.length;
  }

  /**
   * The global reader numbers crowd k owns, of n spread round-robin over `urls` readers: blocks of
   * urls.length consecutive readers go to one crowd in turn, so every crowd has readers of every
   * URL (the storm moves some of each crowd's) and flash arrivals alternate between crowds.
   */
  indices(k: number, n: number, urls: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < n; i++) if (Math.floor(i / urls) % this.size === k) out.push(i);
    return out;
  }

  call<T extends CrowdCmd['type']>(k: number, cmd: Cmd<T>): Promise<Replies[T]> {
    return this.members[k]!.call(cmd) as Promise<Replies[T]>;
  }

  /** One command per crowd (`make(k)`), all at once. */
  all<T extends CrowdCmd['type']>(make: (k: number) => Cmd<T>): Promise<Replies[T][]> {
    return Promise.all(this.members.map((_, k) => this.call(k, make(k))));
  }

  /** Sums of the latest progress pushes (reset by each phase start). */
  total(): Omit<Progress, 'type'> {
    const sum = { delivered: 0, duplicates: 0, moved: 0, back: 0 };
    for (const p of this.progress) {
      sum.delivered += p.delivered;
      sum.duplicates += p.duplicates;
      sum.moved += p.moved;
      sum.back += p.back;
    }
    return sum;
  }

  /** Starts a phase in every crowd. */
  async start(cmd: Omit<Cmd<'start'>, 'type'>): Promise<void> {
    for (const p of this.progress) Object.assign(p, { delivered: 0, duplicates: 0, moved: 0, back: 0 });
    await this.all(() => ({ type: 'start', ...cmd }));
  }

  stop(): Promise<void[]> {
    return Promise.all(this.members.map((m) => m.stop()));
  }
}

export function mergeTallies(ts: Tally[], count: number): Tally {
  const m: Tally = { delivered: 0, duplicates: 0, viaSnapshot: 0, last: 0, lastBySeq: new Float64Array(count), latencies: new Float64Array(ts.reduce((s, t) => s + t.latencies.length, 0)), lost: 0 };
  let at = 0;
  for (const t of ts) {
    m.delivered += t.delivered;
    m.duplicates += t.duplicates;
    m.viaSnapshot += t.viaSnapshot;
    m.last = Math.max(m.last, t.last);
    m.lost += t.lost;
    for (let i = 0; i < count; i++) if (t.lastBySeq[i]! > m.lastBySeq[i]!) m.lastBySeq[i] = t.lastBySeq[i]!;
    m.latencies.set(t.latencies, at);
    at += t.latencies.length;
    if (t.storm) {
      const s = m.storm ?? { moved: 0, stranded: 0, lastResub: 0, lastCaughtUp: 0 };
      m.storm = { moved: s.moved + t.storm.moved, stranded: s.stranded + t.storm.stranded, lastResub: Math.max(s.lastResub, t.storm.lastResub), lastCaughtUp: Math.max(s.lastCaughtUp, t.storm.lastCaughtUp) };
    }
  }
  return m;
}

/** The crowds' checks as one; convergedSeconds from `since` to the last crowd's exact moment (NaN if any is not exact). */
export function mergeChecks(cs: Replies['converge'][], since: number): LiveSetCheck {
  const keys = ['readers', 'exact', 'withMissing', 'withStale', 'withExtra', 'missingItems', 'staleItems', 'extraItems'] as const;
  const c: LiveSetCheck = { ...cs[0]!.check, convergedSeconds: Number.NaN };
  for (const k of keys) c[k] = cs.reduce((s, x) => s + x.check[k], 0);
  if (c.exact === c.readers) c.convergedSeconds = Math.max(0, Math.max(...cs.map((x) => x.exactAt)) - since) / 1000;
  return c;
}

/** The worst of the crowds' loop delays, figure by figure (crowds without a sample left out; NaN if none has one). */
export function worstLoop(ds: LoopDelay[]): LoopDelay {
  const worst = (f: (d: LoopDelay) => number) => ds.map(f).filter((v) => !Number.isNaN(v)).reduce((a, b) => (Number.isNaN(a) || b > a ? b : a), Number.NaN);
  return { p50: worst((d) => d.p50), p99: worst((d) => d.p99), max: worst((d) => d.max) };
}
