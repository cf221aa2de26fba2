/** Markdown tables of a benchmark run: one per phase, each target a row, with the ratios. */
import type { ApiResult, BurstResult, ConnectResult, FlashResult, LatencyResult, LiveSetCheck, LoopDelay, OverloadResult, SlowResult, StormResult } from './ipc.js';
import { LABELS, type TargetName } from './targets.js';

export interface MemResult {
  rssBefore: number;
  rssAfter: number;
  heapBefore: number;
  heapAfter: number;
  readers: number;
}

export interface TargetRun {
  target: TargetName;
  /** The machine's 1-minute load average when the target started and when it stopped. */
  loadBefore?: number;
  loadAfter?: number;
  /** Cores' worth of CPU used by processes other than the benchmark's, before and during the run. */
  othersAtStart?: number;
  othersDuring?: number;
  error?: string;
  connect?: ConnectResult;
  mem?: MemResult;
  single?: LatencyResult;
  burst?: BurstResult;
  /** Cores' worth of CPU the target's server processes used during the burst. */
  burstServerCpu?: number;
  storm?: StormResult & { redisCommands: number; redisTop: string };
  api?: ApiResult;
  flash?: FlashResult;
  overload?: OverloadResult;
  slow?: {
    connected: SlowResult;
    published: SlowResult;
    resumed: SlowResult;
    /** Server memory (after a GC) with the readers connected, with the paused readers still paused after the publishes, and after they converged. */
    mem: { before: ServerMem; paused: ServerMem; after: ServerMem };
  };
  /** The load generator's event-loop delay per phase: its main thread, and the worst of its reader threads. */
  loopDelay?: Record<string, LoopDelay>;
  workerLoopDelay?: Record<string, LoopDelay>;
}

export interface ServerMem {
  rss: number;
  heapUsed: number;
}

export const rssPerReader = (m: MemResult): number => (m.rssAfter - m.rssBefore) / Math.max(1, m.readers);
export const heapPerReader = (m: MemResult): number => (m.heapAfter - m.heapBefore) / Math.max(1, m.readers);

/** Deliveries over expected; 1 means complete. */
export function completeness(r: { expected: number; delivered: number }): number {
  return r.expected === 0 ? 1 : r.delivered / r.expected;
}

export function pct(r: { expected: number; delivered: number }): string {
  const c = completeness(r);
  if (c >= 1) return '100%';
  return `**${(Math.floor(c * 10000) / 100).toFixed(2)}% FAIL**`;
}

const f = (v: number | undefined, digits = 0): string => (v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits));
const ms = (v: number | undefined): string => f(v, v !== undefined && v < 10 ? 1 : 0);

function ratio(runs: TargetRun[], row: TargetRun, base: TargetName, pick: (r: TargetRun) => number | undefined): string {
  if (row.target !== 'memory' && row.target !== 'redis') return '';
  const a = pick(row);
  const b = pick(runs.find((r) => r.target === base) ?? { target: base });
  return a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0 ? '–' : `${(a / b).toFixed(2)}×`;
}

/** Publish retries and final failures of a phase: "0 / 0", or "3 / 1 (503×1)". */
function outcome(r: { publishRetries?: number; publishRetried?: string; publishFailures?: string }): string {
  const failed = [...(r.publishFailures ?? '').matchAll(/×(\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
  const retries = r.publishRetries ?? 0;
  return `${retries}${retries && r.publishRetried ? ` (${r.publishRetried})` : ''} / ${failed}${failed ? ` (${r.publishFailures})` : ''}`;
}

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

export interface PhaseSettings {
  singleCount: number;
  singleIntervalMs: number;
  burstCount: number;
  burstConcurrency: number;
  stormCount: number;
  stormIntervalMs: number;
  stormJitterMs: number;
  apiRate: number;
  apiDurationMs: number;
  flashArriveMs: number;
  flashIntervalMs: number;
  flashTailMs: number;
  overloadRate: number;
  overloadDurationMs: number;
  /** Product only: every correctEvery-th operation is a correction, every killEvery-th a kill. */
  correctEvery: number;
  killEvery: number;
  slowCount: number;
  slowPaused: number;
  slowNormal: number;
  slowConcurrency: number;
}

const mb = (bytes: number): string => f(bytes / 2 ** 20, 1);
const signedMb = (bytes: number): string => `${bytes >= 0 ? '+' : ''}${mb(bytes)}`;

/** "exact/readers", bold when not all. */
function exactOf(c: LiveSetCheck | undefined): string {
  if (!c) return '–';
  const text = `${c.exact}/${c.readers}`;
  return c.exact === c.readers ? text : `**${text} FAIL**`;
}
const items = (readers: number, n: number): string => (n ? `${readers} (${n})` : '0');

export function renderTables(n: number, runs: TargetRun[], s: PhaseSettings, repeat = 1): string {
  const out: string[] = [`## N = ${n} readers`, ''];
  if (repeat > 1) out.push(`Each target ran ${repeat} times, interleaved; each table shows the best run of each target (the storm: the worst), and the most CPU other processes took in any of them.`, '');
  const errors = runs.filter((r) => r.error);
  for (const r of errors) out.push(`**${LABELS[r.target]} failed:** ${r.error!.split('\n')[0]}`, '');

  out.push('### Readers connected (ramp), and CPU taken by other processes on the machine (in cores, of 2)', '',
    table(['target', 'connected', 'failed', 'seconds', 'others\' CPU at start', 'others\' CPU during the run', 'load avg start → end'],
      runs.filter((r) => r.connect).map((r) => [LABELS[r.target], String(r.connect!.readers), String(r.connect!.failed), f(r.connect!.seconds, 1),
        f(r.othersAtStart, 2), f(r.othersDuring, 2), `${f(r.loadBefore, 1)} → ${f(r.loadAfter, 1)}`])), '');

  const single = runs.filter((r) => r.single);
  if (single.length) out.push(`### Single headline (${s.singleCount} at ${(1000 / s.singleIntervalMs).toFixed(1)}/s): latency per delivery, ms`, '',
    table(['target', 'complete', 'readers dropped', 'publish retries / failed', 'p50', 'p99', 'last reader (median of headlines)', 'max (last reader)', 'max ×sio', 'max ×ws'],
      single.map((r) => [LABELS[r.target], pct(r.single!), String(r.single!.dropped ?? 0), outcome(r.single!), ms(r.single!.p50), ms(r.single!.p99), ms(r.single!.lastReaderMedian), ms(r.single!.max),
        ratio(runs, r, 'socketio', (x) => x.single?.max), ratio(runs, r, 'raw', (x) => x.single?.max)])), '');

  const burst = runs.filter((r) => r.burst);
  if (burst.length) out.push(`### Burst (${s.burstCount} headlines, ${s.burstConcurrency} publish requests in flight)`, '',
    table(['target', 'complete', 'duplicates', 'readers dropped', 'publish retries / failed', 'seconds to last delivery', 'deliveries/s', '×sio', '×ws', 'headlines accepted/s', 'server CPU', 'load generator CPU'],
      burst.map((r) => [LABELS[r.target], pct(r.burst!), String(r.burst!.duplicates), String(r.burst!.dropped ?? 0), outcome(r.burst!), f(r.burst!.seconds, 2), f(r.burst!.deliveriesPerSec),
        ratio(runs, r, 'socketio', (x) => x.burst?.deliveriesPerSec), ratio(runs, r, 'raw', (x) => x.burst?.deliveriesPerSec),
        f(r.burst!.publishedPerSec), `${f((r.burstServerCpu ?? Number.NaN) * 100)}%`, `${f(r.burst!.loadgenCpu * 100)}%`])), '');

  const mem = runs.filter((r) => r.mem);
  out.push('### Memory (after a full GC; Redis target: both processes summed)', '',
    table(['target', 'RSS before MB', 'RSS after MB', 'RSS per reader KB', '×sio', '×ws', 'heap per reader KB', 'heap ×sio'],
      mem.map((r) => [LABELS[r.target], f(r.mem!.rssBefore / 2 ** 20, 1), f(r.mem!.rssAfter / 2 ** 20, 1), f(rssPerReader(r.mem!) / 1024, 1),
        ratio(runs, r, 'socketio', (x) => x.mem && rssPerReader(x.mem)), ratio(runs, r, 'raw', (x) => x.mem && rssPerReader(x.mem)),
        f(heapPerReader(r.mem!) / 1024, 1), ratio(runs, r, 'socketio', (x) => x.mem && heapPerReader(x.mem))])), '');

  const storm = runs.filter((r) => r.storm);
  if (storm.length) {
    out.push(`### Reconnect storm (SIGKILL one of 2 processes; ${s.stormCount} headlines at ${(1000 / s.stormIntervalMs).toFixed(0)}/s; reconnect jitter 0–${s.stormJitterMs} ms; readers come back with their cursors)`, '',
      table(['target', 'readers moved', 'complete', 'missing', 'duplicates', 'publish retries / failed', 'snapshots', 'all back, s', 'all caught up, s', 'stranded', 'Redis commands during the storm (per moved reader): busiest'],
        storm.map((r) => {
          const x = r.storm!;
          return [LABELS[r.target], String(x.moved), pct(x), String(x.missing), String(x.duplicates), outcome(x), String(x.snapshots), f(x.backSeconds, 2),
            f(x.caughtUpSeconds, 2), String(x.stranded), `${x.redisCommands} (${f(x.redisCommands / Math.max(1, x.moved), 2)}): ${x.redisTop}`];
        })), '');
  }

  const flash = runs.filter((r) => r.flash);
  if (flash.length) {
    out.push(`### Flash crowd (${n} readers arrive evenly over ${s.flashArriveMs / 1000} s; a flash every ${s.flashIntervalMs / 1000} s, from before the first arrival to ${s.flashTailMs / 1000} s after the last)`, '',
      'Time to first headline: from the reader\'s connect start to the first headline it can show (its snapshot when it holds one, else the first event). Deliveries: every flash whose publish started after the reader\'s subscription was acknowledged, live or in its snapshot.', '',
      table(['target', 'connected', 'failed', 'flashes', 'first headline p50 ms', 'p99 ms', 'max ms', 'p99 ×sio', 'p99 ×ws', 'subscribed p50 / p99 ms', 'deliveries complete', 'readers incomplete', 'publish retries / failed', 'server CPU'],
        flash.map((r) => {
          const x = r.flash!;
          return [LABELS[r.target], String(x.connected), x.failed ? `**${x.failed}**` : '0', String(x.flashes), ms(x.ttfhP50), ms(x.ttfhP99), ms(x.ttfhMax),
            ratio(runs, r, 'socketio', (y) => y.flash?.ttfhP99), ratio(runs, r, 'raw', (y) => y.flash?.ttfhP99),
            `${ms(x.connectP50)} / ${ms(x.connectP99)}`, pct(x), String(x.incompleteReaders), outcome(x), `${f((x.serverCpu ?? Number.NaN) * 100)}%`];
        })), '');
  }

  const overload = runs.filter((r) => r.overload);
  if (overload.length) {
    out.push(`### Overload (${s.overloadRate} operations/s to all ${n} readers for ${s.overloadDurationMs / 1000} s, then stop; product: every ${s.correctEvery}th a correction, every ${s.killEvery}th a kill)`, '',
      'Latency per live delivery (new headlines and corrections), from the request\'s start, ms. Live set: each reader\'s final state against the server\'s live set of the phase\'s headlines (product: snapshots replace, events apply); for the baselines, which have no live set, the headlines acknowledged. Missing / stale / extra: readers (items).', '',
      table(['target', 'new / corrected / killed', 'ops/s', 'deliveries', 'p50', 'p99', 'max', 'p99 ×sio', 'p99 ×ws', 'snapshots', 'batched frames', 'readers dropped', 'exact live set', 'missing', 'stale', 'extra', 'all exact after last op, s', 'publish retries / failed', 'server CPU', 'load generator CPU'],
        overload.map((r) => {
          const x = r.overload!;
          const c = x.check;
          return [LABELS[r.target], `${x.published} / ${x.corrections} / ${x.kills}`, f(x.achievedRate, 1), String(x.deliveries), ms(x.p50), ms(x.p99), ms(x.max),
            ratio(runs, r, 'socketio', (y) => y.overload?.p99), ratio(runs, r, 'raw', (y) => y.overload?.p99), String(x.snapshots), String(x.batches), String(x.dropped),
            exactOf(c), items(c.withMissing, c.missingItems), items(c.withStale, c.staleItems), items(c.withExtra, c.extraItems), f(c.convergedSeconds, 2), outcome(x),
            `${f((x.serverCpu ?? Number.NaN) * 100)}%`, `${f(x.loadgenCpu * 100)}%`];
        })), '');
  }

  const slow = runs.filter((r) => r.slow);
  if (slow.length) {
    out.push(`### Slow readers (${s.slowPaused} readers pause their socket while ${s.slowCount} operations are published, ${s.slowConcurrency} in flight, beside ${s.slowNormal} normal readers on the same channel; then they resume)`, '',
      'Server memory after a GC: with the readers connected (before), at the end of the publishes with the readers still paused, and after they resumed and converged. "Held for paused readers" = paused − after (the live set itself grows in both). Kernel queues: bytes the kernel held for the paused readers\' connections (server send queues and reader receive queues, /proc/net/tcp), not in any RSS. Dropped: paused readers whose connection the server closed.', '',
      table(['target', 'published / corrected / killed', 'publish s', 'RSS before → paused → after MB', 'heap before → paused → after MB', 'heap growth while paused MB', 'held for paused readers (heap / RSS) MB', 'kernel queues of paused readers MB', 'paused dropped', 'snapshots to paused', 'paused converged', 'converged after resume, s', 'normal readers exact', 'normal p99 ms'],
        slow.map((r) => {
          const x = r.slow!;
          const m = x.mem;
          const pc = x.resumed.pausedCheck;
          return [LABELS[r.target], `${x.published.published ?? 0} / ${x.published.corrections ?? 0} / ${x.published.kills ?? 0}`, f(x.published.publishSeconds, 1),
            `${mb(m.before.rss)} → ${mb(m.paused.rss)} → ${mb(m.after.rss)}`, `${mb(m.before.heapUsed)} → ${mb(m.paused.heapUsed)} → ${mb(m.after.heapUsed)}`,
            signedMb(m.paused.heapUsed - m.before.heapUsed), `${signedMb(m.paused.heapUsed - m.after.heapUsed)} / ${signedMb(m.paused.rss - m.after.rss)}`, mb(x.published.kernelQueued ?? Number.NaN),
            `${x.resumed.pausedDropped ?? 0}/${x.connected.paused ?? 0}`, String(x.resumed.pausedSnapshots ?? 0), exactOf(pc), f(pc?.convergedSeconds, 2),
            exactOf(x.published.normalCheck), ms(x.published.normalP99)];
        })), '');
  }

  const api = runs.filter((r) => r.api);
  if (api.length) out.push(`### Publish API (${s.apiRate} requests/s for ${s.apiDurationMs / 1000} s, no readers on the channel): latency, ms`, '',
    table(['target', 'requests', 'errors', 'achieved req/s', 'p50', 'p99', 'max'],
      api.map((r) => [LABELS[r.target], String(r.api!.requests), r.api!.errors ? `${r.api!.errors} (${r.api!.publishFailures})` : '0', f(r.api!.achievedRate), ms(r.api!.p50), ms(r.api!.p99), ms(r.api!.max)])), '');

  const loops = runs.filter((r) => r.loopDelay && Object.keys(r.loopDelay).length);
  if (loops.length) {
    const names = [...new Set(loops.flatMap((r) => Object.keys(r.loopDelay!)))];
    const threads = loops.some((r) => r.workerLoopDelay && Object.keys(r.workerLoopDelay).length);
    const cell = (d: LoopDelay | undefined) => (d ? `${ms(d.p99)} / ${ms(d.max)}` : '–');
    out.push('### Load generator event-loop delay per phase (p99 / max, ms; monitorEventLoopDelay, 10 ms resolution)', '',
      threads
        ? 'Each cell: the main thread (publishing, phase control) · the reader threads (decoding every delivery; the worst thread). A high reader-thread figure means the load generator itself was the bottleneck of that phase: its readers decoded late, and every latency above includes that.'
        : 'A high figure means the load generator itself was the bottleneck of that phase: its readers decoded late, and every latency above includes that.', '',
      table(['target', ...names], loops.map((r) => [LABELS[r.target], ...names.map((p) => {
        const main = cell(r.loopDelay![p]);
        return threads ? `${main} · ${cell(r.workerLoopDelay?.[p])}` : main;
      })])), '');
  }
  return out.join('\n');
}
