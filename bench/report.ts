/** Markdown tables of a benchmark run: one per phase, each target a row, with the ratios. */
import type { ApiResult, BurstResult, ConnectResult, LatencyResult, StormResult } from './ipc.js';
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
}

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
  out.push(`### Single headline (${s.singleCount} at ${(1000 / s.singleIntervalMs).toFixed(1)}/s): latency per delivery, ms`, '',
    table(['target', 'complete', 'readers dropped', 'publish retries / failed', 'p50', 'p99', 'last reader (median of headlines)', 'max (last reader)', 'max ×sio', 'max ×ws'],
      single.map((r) => [LABELS[r.target], pct(r.single!), String(r.single!.dropped ?? 0), outcome(r.single!), ms(r.single!.p50), ms(r.single!.p99), ms(r.single!.lastReaderMedian), ms(r.single!.max),
        ratio(runs, r, 'socketio', (x) => x.single?.max), ratio(runs, r, 'raw', (x) => x.single?.max)])), '');

  const burst = runs.filter((r) => r.burst);
  out.push(`### Burst (${s.burstCount} headlines, ${s.burstConcurrency} publish requests in flight)`, '',
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

  const api = runs.filter((r) => r.api);
  out.push(`### Publish API (${s.apiRate} requests/s for ${s.apiDurationMs / 1000} s, no readers on the channel): latency, ms`, '',
    table(['target', 'requests', 'errors', 'achieved req/s', 'p50', 'p99', 'max'],
      api.map((r) => [LABELS[r.target], String(r.api!.requests), r.api!.errors ? `${r.api!.errors} (${r.api!.publishFailures})` : '0', f(r.api!.achievedRate), ms(r.api!.p50), ms(r.api!.p99), ms(r.api!.max)])), '');
  return out.join('\n');
}
