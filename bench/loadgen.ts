/**
 * The load generator: a separate process that opens the readers, publishes through the target's
 * own publish path, and measures what arrives. Driven by run.ts over IPC, one phase per command;
 * every phase is bounded by the timeout it is given.
 *
 * This main thread coordinates: it publishes, runs the phases and answers run.ts. The readers
 * live in K worker threads (`--threads K`, bench/crowds.ts), each owning N/K readers and doing
 * all per-delivery work; they send counts while a phase runs and aggregates at its end.
 */
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type {
  ApiCmd, ApiResult, BurstCmd, BurstResult, ConnectCmd, ConnectResult, FlashCmd, FlashResult, FromLoadgen, LatencyResult, LiveSetCheck,
  OverloadCmd, OverloadResult, PhaseResult, PublishPath, SingleCmd, SlowCmd, SlowResult, StormCmd, StormResult, ToLoadgen,
} from './ipc.js';
import type { Expected, Group } from './crowd.js';
import { Crowds, mergeChecks, mergeTallies, worstLoop } from './crowds.js';
import { correctionBody, headlineBody, nowMs, parseLink } from './payload.js';
import { MAX_SEQ } from './readers.js';
import { Samples, median, quantile } from './stats.js';

const send = (msg: FromLoadgen): void => void process.send?.(msg);
process.on('disconnect', () => process.exit(0));

const { values: opts } = parseArgs({ options: { threads: { type: 'string', default: '2' } } });
const threads = Number(opts.threads);
if (!Number.isInteger(threads) || threads < 0 || threads > 16) throw new Error('--threads takes an integer from 0 to 16');
const crowds = new Crowds(threads);

/** Readers the phases expect deliveries at (the connect command's N, then the flash crowd's). */
let requested = 0;
let nextSeq = 1;
const sentAt = new Float64Array(MAX_SEQ);

/** The coordinator's view of a phase; deliveries are counted in the crowds. */
interface Phase {
  from: number;
  to: number;
  expected: number;
}

function newPhase(count: number): Phase {
  if (nextSeq + count >= MAX_SEQ) throw new Error('too many headlines in one run');
  return { from: nextSeq, to: nextSeq + count, expected: requested * count };
}

/** Ends the phase in every crowd and merges their tallies. */
async function endPhase(p: Phase, untrack: Group[] = [], withSentAt = false) {
  const tallies = await crowds.all(() => ({ type: 'end', untrack, ...(withSentAt ? { sentAt: sentAt.slice(p.from, p.to) } : {}) }));
  return mergeTallies(tallies, p.to - p.from);
}

/** Waits until `done()` holds (checked on each progress push of a crowd and every 100 ms) or the deadline. */
function until(done: () => boolean, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const finish = () => {
      clearInterval(tick);
      clearTimeout(timer);
      crowds.onProgress = undefined;
      resolve();
    };
    const check = () => void (done() && finish());
    const tick = setInterval(check, 100);
    const timer = setTimeout(finish, timeoutMs);
    crowds.onProgress = check;
    check();
  });
}

const delivered = (): number => crowds.total().delivered;

const PUBLISH_TIMEOUT_MS = 15_000;
const PUBLISH_RETRIES = 2;

function resetPublishLog(): void {
  publishLog.retries = 0;
  publishLog.retried.clear();
  publishLog.failures.clear();
}

/** Publish outcomes of the current phase: retried attempts and final failures, by status. */
const publishLog = { retries: 0, retried: new Map<string, number>(), failures: new Map<string, number>() };

const summary = (m: Map<string, number>): string => [...m].map(([status, n]) => `${status}×${n}`).join(', ');
const failureSummary = (): string => summary(publishLog.failures);
const retrySummary = (): string => summary(publishLog.retried);

/** One POST; `retries` more with the same Idempotency-Key on a 5xx or a network error, as a CMS would. */
async function publish(path: PublishPath, seq: number, retries = 0): Promise<boolean> {
  const t = nowMs();
  sentAt[seq] = t;
  return (await request(path.url, 'POST', path.headers, JSON.stringify(headlineBody(seq, t)), `bench-${process.pid}-${seq}-${t}`, retries)) !== undefined;
}

interface HeadlineReply {
  data?: { headline?: { uri?: string; version?: number } };
}

/** One request, retried like a publish; resolves with the parsed answer, or undefined when it failed. */
async function request(url: string, method: string, headers: Record<string, string>, body: string, key: string, retries: number): Promise<HeadlineReply | undefined> {
  for (let attempt = 0; ; attempt++) {
    let status: string;
    try {
      const res = await fetch(url, {
        method, headers: { 'content-type': 'application/json', 'idempotency-key': key, ...headers }, body,
        signal: AbortSignal.timeout(PUBLISH_TIMEOUT_MS),
      });
      const text = await res.text();
      if (res.status === 201 || res.status === 200) {
        try {
          return JSON.parse(text) as HeadlineReply;
        } catch {
          return {};
        }
      }
      status = String(res.status);
      if (res.status < 500) attempt = retries; // not worth retrying
    } catch (err) {
      const code = (err as { cause?: { code?: unknown } }).cause?.code;
      status = err instanceof Error && err.name === 'TimeoutError' ? 'timeout' : `network${typeof code === 'string' ? `:${code}` : ''}`;
    }
    if (attempt >= retries) {
      publishLog.failures.set(status, (publishLog.failures.get(status) ?? 0) + 1);
      return undefined;
    }
    publishLog.retries++;
    publishLog.retried.set(status, (publishLog.retried.get(status) ?? 0) + 1);
    await new Promise((r) => setTimeout(r, 200 * (attempt + 1)));
  }
}

/** Headlines whose publish was acknowledged: only these are expected at the readers. */
function expectAcked(p: Phase, acked: number): void {
  p.expected = requested * acked;
}

async function connect(cmd: ConnectCmd): Promise<ConnectResult> {
  const t0 = nowMs();
  requested = cmd.n;
  const deadline = Date.now() + cmd.timeoutMs;
  const spec = { proto: cmd.proto, urls: cmd.urls, channel: cmd.channel, urlOffset: 0 };
  const concurrency = Math.ceil(cmd.concurrency / crowds.size);
  await crowds.all((k) => ({ type: 'open', group: 'main', concurrency, deadline, ...spec, indices: crowds.indices(k, cmd.n, cmd.urls.length) }));
  const readers = (await statsOf('main')).size;
  return { phase: 'connect', readers, failed: cmd.n - readers, seconds: (nowMs() - t0) / 1000 };
}

async function single(cmd: SingleCmd): Promise<LatencyResult> {
  const p = newPhase(cmd.count);
  await crowds.start({ from: p.from, to: p.to, latencies: true, track: [] });
  const deadline = Date.now() + cmd.timeoutMs;
  resetPublishLog();
  const t0 = nowMs();
  const sends: Promise<boolean>[] = [];
  for (let i = 0; i < cmd.count; i++) {
    const wait = t0 + i * cmd.intervalMs - nowMs();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    sends.push(publish(cmd.publish, nextSeq++, PUBLISH_RETRIES));
  }
  expectAcked(p, (await Promise.all(sends)).filter(Boolean).length);
  await until(() => delivered() >= p.expected, Math.max(0, deadline - Date.now()));
  const t = await endPhase(p);
  const lat = t.latencies;
  const lastReader = Array.from(t.lastBySeq, (at, i) => (at > 0 ? at - sentAt[p.from + i]! : Number.NaN)).filter((v) => !Number.isNaN(v));
  return {
    phase: 'single', expected: p.expected, delivered: t.delivered, duplicates: t.duplicates, dropped: t.lost,
    publishRetries: publishLog.retries, publishRetried: retrySummary(), publishFailures: failureSummary(),
    p50: quantile(lat, 0.5), p99: quantile(lat, 0.99), max: quantile(lat, 1), lastReaderMedian: median(lastReader),
  };
}

async function burst(cmd: BurstCmd): Promise<BurstResult> {
  const p = newPhase(cmd.count);
  await crowds.start({ from: p.from, to: p.to, latencies: false, track: [] });
  const cpu0 = process.cpuUsage();
  const deadline = Date.now() + cmd.timeoutMs;
  resetPublishLog();
  const t0 = nowMs();
  let issued = 0;
  let errors = 0;
  const worker = async () => {
    while (issued < cmd.count && Date.now() < deadline) {
      issued++;
      if (!(await publish(cmd.publish, nextSeq++, PUBLISH_RETRIES))) errors++;
    }
  };
  await Promise.all(Array.from({ length: cmd.concurrency }, worker));
  expectAcked(p, issued - errors);
  const published = nowMs();
  await until(() => delivered() >= p.expected, Math.max(0, deadline - Date.now()));
  const t = await endPhase(p);
  const wall = (t.last || nowMs()) - t0;
  return {
    phase: 'burst', expected: p.expected, delivered: t.delivered, duplicates: t.duplicates, dropped: t.lost, seconds: wall / 1000,
    deliveriesPerSec: t.delivered / (wall / 1000), publishedPerSec: issued / ((published - t0) / 1000), publishErrors: errors + (cmd.count - issued),
    publishRetries: publishLog.retries, publishRetried: retrySummary(), publishFailures: failureSummary(),
    loadgenCpu: cpuSince(cpu0, t0),
  };
}

/** Cores' worth of CPU of the whole process (this thread and the crowds' worker threads) since cpu0 / t0. */
function cpuSince(cpu0: NodeJS.CpuUsage, t0: number): number {
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / 1000 / (nowMs() - t0);
}

const killWaiters = new Map<number, (at: number) => void>();

async function stormPhase(cmd: StormCmd): Promise<StormResult> {
  const p = newPhase(cmd.count);
  await crowds.start({ from: p.from, to: p.to, latencies: false, track: [], storm: { victim: cmd.victim, survivor: cmd.survivor, jitterMs: cmd.jitterMs } });
  const deadline = Date.now() + cmd.timeoutMs;
  let killAt = 0;
  resetPublishLog();
  const t0 = nowMs();
  const sends: Promise<boolean>[] = [];
  let acked = 0;
  let killed: Promise<void> | undefined;
  for (let i = 0; i < cmd.count; i++) {
    const wait = t0 + i * cmd.intervalMs - nowMs();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    sends.push(publish(cmd.publish, nextSeq++, PUBLISH_RETRIES).then((ok) => {
      if (ok && ++acked === cmd.killAfter) {
        killed = new Promise((resolve) => {
          killWaiters.set(cmd.id, (at) => {
            killAt = at;
            resolve();
          });
          send({ type: 'kill', id: cmd.id, victim: cmd.victim });
        });
      }
      return ok;
    }));
  }
  expectAcked(p, (await Promise.all(sends)).filter(Boolean).length);
  await killed;
  await until(() => {
    const t = crowds.total();
    return t.delivered >= p.expected && t.back >= t.moved;
  }, Math.max(0, deadline - Date.now()));
  const t = await endPhase(p, [], true);
  const s = t.storm!;
  return {
    phase: 'storm', moved: s.moved, expected: p.expected, delivered: t.delivered, missing: p.expected - t.delivered,
    duplicates: t.duplicates, dropped: t.lost, snapshots: t.viaSnapshot,
    publishRetries: publishLog.retries, publishRetried: retrySummary(), publishFailures: failureSummary(),
    backSeconds: Math.max(0, s.lastResub - killAt) / 1000, caughtUpSeconds: Math.max(0, s.lastCaughtUp - killAt) / 1000, stranded: s.stranded,
  };
}

async function api(cmd: ApiCmd): Promise<ApiResult> {
  const total = Math.round((cmd.rate * cmd.durationMs) / 1000);
  resetPublishLog();
  const latencies = new Samples();
  let errors = 0;
  const t0 = nowMs();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const wait = t0 + (i * 1000) / cmd.rate - nowMs();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const start = nowMs();
    pending.push(publish(cmd.publish, 0).then((ok) => {
      if (ok) latencies.push(nowMs() - start);
      else errors++;
    }));
  }
  const sentDone = nowMs();
  await Promise.race([Promise.all(pending), new Promise((r) => setTimeout(r, cmd.timeoutMs))]);
  const lat = latencies.values();
  return {
    phase: 'api', requests: total, errors: total - lat.length, publishFailures: failureSummary(), p50: quantile(lat, 0.5), p99: quantile(lat, 0.99), max: quantile(lat, 1),
    achievedRate: total / ((sentDone - t0) / 1000),
  };
}

// ---------------------------------------------------------------------------------------------
// Operations with a live set: new headlines, corrections and kills (the product), and the
// comparison of every reader's final state with the server's.

interface OpsState {
  from: number;
  to: number;
  /** Acknowledged new headlines (seq). */
  acked: number[];
  /** Product: uri → current version and seq of headlines of this phase still live. */
  live: Map<string, { seq: number; version: number }>;
  liveUris: string[];
  /** Headlines with an edit in flight: never edited twice at once (a kill racing a correction answers 409). */
  busy: Set<string>;
  published: number;
  corrections: number;
  kills: number;
  lastAck: number;
}

function newOps(count: number): OpsState {
  if (nextSeq + count >= MAX_SEQ) throw new Error('too many headlines in one run');
  return { from: nextSeq, to: nextSeq + count, acked: [], live: new Map(), liveUris: [], busy: new Set(), published: 0, corrections: 0, kills: 0, lastAck: 0 };
}

function pickLive(ops: OpsState): string | undefined {
  for (let tries = 0; ops.liveUris.length && tries < 20; tries++) {
    const i = Math.floor(Math.random() * ops.liveUris.length);
    const uri = ops.liveUris[i]!;
    if (!ops.live.has(uri)) {
      ops.liveUris[i] = ops.liveUris.at(-1)!;
      ops.liveUris.pop();
    } else if (!ops.busy.has(uri)) return uri;
  }
  return undefined;
}

/** Operation number i (1-based) of a phase: a kill, a correction (product only) or a new headline. */
async function operate(path: PublishPath, ops: OpsState, i: number, correctEvery: number, killEvery: number): Promise<boolean> {
  const api = path.api;
  const target = api && ((killEvery && i % killEvery === 0) || (correctEvery && i % correctEvery === 0)) ? pickLive(ops) : undefined;
  if (api && target) {
    const item = ops.live.get(target)!;
    const kill = killEvery > 0 && i % killEvery === 0;
    if (kill) ops.live.delete(target); // no second edit of a headline being killed
    const t = nowMs();
    ops.busy.add(target);
    const reply = kill
      ? await request(`${api}/headlines/${target}/retract`, 'POST', path.headers, JSON.stringify({ reason: 'bench kill' }), `bench-${process.pid}-k-${target}`, PUBLISH_RETRIES)
      : await request(`${api}/headlines/${target}`, 'PATCH', path.headers, JSON.stringify(correctionBody(item.seq, t)), `bench-${process.pid}-c-${target}-${t}`, PUBLISH_RETRIES);
    ops.busy.delete(target);
    if (!reply) return false;
    ops.lastAck = nowMs();
    if (kill) ops.kills++;
    else {
      ops.corrections++;
      const v = reply.data?.headline?.version;
      const cur = ops.live.get(target);
      if (cur && typeof v === 'number' && v > cur.version) cur.version = v;
    }
    return true;
  }
  if (nextSeq >= ops.to) return false;
  const seq = nextSeq++;
  const t = nowMs();
  sentAt[seq] = t;
  const reply = await request(path.url, 'POST', path.headers, JSON.stringify(headlineBody(seq, t)), `bench-${process.pid}-${seq}-${t}`, PUBLISH_RETRIES);
  if (!reply) return false;
  ops.lastAck = nowMs();
  ops.published++;
  ops.acked.push(seq);
  const uri = reply.data?.headline?.uri;
  if (uri) {
    ops.live.set(uri, { seq, version: reply.data?.headline?.version ?? 1 });
    ops.liveUris.push(uri);
  }
  return true;
}

async function expectedOf(path: PublishPath, ops: OpsState): Promise<Expected> {
  if (!path.api) return { kind: 'seqs', seqs: ops.acked };
  const res = await fetch(`${path.api}/channels/${path.channel}/headlines`, { signal: AbortSignal.timeout(PUBLISH_TIMEOUT_MS) });
  const body = (await res.json()) as { data: { headlines: { uri: string; version: number; link?: string }[] } };
  const items = new Map<string, number>();
  for (const h of body.data.headlines) {
    const l = parseLink(h.link);
    if (l && l.seq >= ops.from && l.seq < ops.to) items.set(h.uri, h.version);
  }
  return { kind: 'live', items };
}

/** Waits (bounded) until every reader of the group, in every crowd, holds the expected state; convergedSeconds counts from `since`. */
async function converge(group: Group, readers: number, expected: Expected, since: number, deadline: number): Promise<LiveSetCheck> {
  const pollMs = readers <= 100 ? 50 : 200;
  return mergeChecks(await crowds.all(() => ({ type: 'converge', group, expected, deadline, pollMs })), since);
}

/** Snapshots and batched frames received by a group's readers so far, and their lost connections. */
async function statsOf(group: Group) {
  const all = await crowds.all(() => ({ type: 'stats', group }));
  return { size: all.reduce((s, x) => s + x.size, 0), drops: all.reduce((s, x) => s + x.drops, 0), snapshots: all.reduce((s, x) => s + x.snapshots, 0), batches: all.reduce((s, x) => s + x.batches, 0) };
}

async function overload(cmd: OverloadCmd): Promise<OverloadResult> {
  const total = Math.round((cmd.rate * cmd.durationMs) / 1000);
  const ops = newOps(total);
  await crowds.start({ from: ops.from, to: ops.to, latencies: true, track: ['main'] });
  const deadline = Date.now() + cmd.timeoutMs;
  const stats0 = await statsOf('main');
  resetPublishLog();
  const cpu0 = process.cpuUsage();
  const t0 = nowMs();
  const pending: Promise<boolean>[] = [];
  for (let i = 1; i <= total; i++) {
    const wait = t0 + ((i - 1) * 1000) / cmd.rate - nowMs();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    pending.push(operate(cmd.publish, ops, i, cmd.correctEvery, cmd.killEvery));
  }
  const sentDone = nowMs();
  await Promise.all(pending);
  const expected = await expectedOf(cmd.publish, ops);
  const check = await converge('main', stats0.size, expected, ops.lastAck || nowMs(), deadline);
  const t = await endPhase({ ...ops, expected: Number.POSITIVE_INFINITY }, ['main']);
  const stats = await statsOf('main');
  const lat = t.latencies;
  return {
    phase: 'overload', published: ops.published, corrections: ops.corrections, kills: ops.kills, rate: cmd.rate,
    achievedRate: total / Math.max(0.001, (sentDone - t0) / 1000 + 1 / cmd.rate),
    deliveries: lat.length, p50: quantile(lat, 0.5), p99: quantile(lat, 0.99), max: quantile(lat, 1),
    snapshots: stats.snapshots - stats0.snapshots, batches: stats.batches - stats0.batches,
    dropped: t.lost, check, loadgenCpu: cpuSince(cpu0, t0),
    publishRetries: publishLog.retries, publishRetried: retrySummary(), publishFailures: failureSummary(),
  };
}

/**
 * Bytes the kernel holds for these readers' connections on 127.0.0.1 (from /proc/net/tcp and
 * tcp6): what the server's sockets have not sent yet (tx_queue of the server side) and what the
 * paused readers have not read (rx_queue of their side). None of it is in the server's RSS.
 */
function kernelQueued(localPorts: number[]): number {
  const ports = new Set(localPorts);
  let bytes = 0;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 5) continue;
      const local = parseInt(f[1]!.split(':')[1]!, 16);
      const remote = parseInt(f[2]!.split(':')[1]!, 16);
      const [tx, rx] = f[4]!.split(':').map((h) => parseInt(h, 16));
      if (ports.has(local)) bytes += rx ?? 0; // the reader's side: received, not read
      else if (ports.has(remote)) bytes += tx ?? 0; // the server's side: written, not sent
    }
  }
  return bytes;
}

/** The slow-reader phase across its steps: its operations, and the state the readers must reach. */
let slow: { ops?: OpsState; expected?: Expected; normal: number; paused: number } | undefined;

async function slowStep(cmd: SlowCmd): Promise<SlowResult> {
  const deadline = Date.now() + cmd.timeoutMs;
  switch (cmd.step) {
    case 'connect': {
      const spec = { proto: cmd.proto, urls: cmd.urls, channel: cmd.channel };
      const open = async (group: Group, n: number, urlOffset: number): Promise<number> => {
        const opened = await crowds.all((k) => ({ type: 'open', group, ...spec, urlOffset, indices: crowds.indices(k, n, cmd.urls.length), concurrency: n, deadline }));
        return opened.reduce((s, x) => s + x.opened, 0);
      };
      const normal = await open('normal', cmd.normal, 0);
      slow = { normal, paused: await open('paused', cmd.paused, 1) };
      return { phase: 'slow', step: 'connect', normal: slow.normal, paused: slow.paused, publishRetries: 0, publishRetried: '', publishFailures: '' };
    }
    case 'publish': {
      if (!slow) throw new Error('slow: connect first');
      const ops = newOps(cmd.count);
      slow.ops = ops;
      await crowds.start({ from: ops.from, to: ops.to, latencies: true, track: ['normal', 'paused'] });
      await crowds.all(() => ({ type: 'pause', group: 'paused', paused: true }));
      resetPublishLog();
      const t0 = nowMs();
      let next = 1;
      const worker = async () => {
        while (next <= cmd.count && Date.now() < deadline) await operate(cmd.publish, ops, next++, cmd.correctEvery, cmd.killEvery);
      };
      await Promise.all(Array.from({ length: cmd.concurrency }, worker));
      const publishSeconds = (nowMs() - t0) / 1000;
      slow.expected = await expectedOf(cmd.publish, ops);
      const normalCheck = await converge('normal', slow.normal, slow.expected, ops.lastAck || nowMs(), deadline);
      const t = await endPhase({ ...ops, expected: Number.POSITIVE_INFINITY });
      const ports = (await crowds.all(() => ({ type: 'ports', group: 'paused' }))).flat();
      return {
        kernelQueued: kernelQueued(ports),
        phase: 'slow', step: 'publish', published: ops.published, corrections: ops.corrections, kills: ops.kills, normalCheck,
        normalP99: quantile(t.latencies, 0.99), publishSeconds,
        publishRetries: publishLog.retries, publishRetried: retrySummary(), publishFailures: failureSummary(),
      };
    }
    case 'resume': {
      if (!slow?.expected) throw new Error('slow: publish first');
      const stats0 = await statsOf('paused');
      const t0 = nowMs();
      await crowds.all(() => ({ type: 'pause', group: 'paused', paused: false }));
      const pausedCheck = await converge('paused', slow.paused, slow.expected, t0, deadline);
      const stats = await statsOf('paused');
      return {
        phase: 'slow', step: 'resume', pausedCheck, pausedDropped: stats.drops - stats0.drops,
        pausedSnapshots: stats.snapshots - stats0.snapshots, publishRetries: 0, publishRetried: '', publishFailures: '',
      };
    }
    case 'end': {
      await crowds.all(() => ({ type: 'close', groups: ['normal', 'paused'], final: false }));
      slow = undefined;
      await new Promise((r) => setTimeout(r, 300));
      return { phase: 'slow', step: 'end', publishRetries: 0, publishRetried: '', publishFailures: '' };
    }
  }
}

async function flash(cmd: FlashCmd): Promise<FlashResult> {
  const deadline = Date.now() + cmd.timeoutMs;
  resetPublishLog();
  const flashSeqs: number[] = [];
  const flashOnce = async () => {
    if (nextSeq >= MAX_SEQ - 1) return;
    const seq = nextSeq++;
    if (await publish(cmd.publish, seq, PUBLISH_RETRIES)) flashSeqs.push(seq);
  };
  // The channel has a headline before the crowd comes (the news that brings it).
  await flashOnce();
  const t0 = nowMs();
  // Each crowd opens its arrivals on the shared schedule t0 + i × arriveMs / n.
  const spec = { proto: cmd.proto, urls: cmd.urls, channel: cmd.channel, urlOffset: 0, n: cmd.n, t0, arriveMs: cmd.arriveMs, deadline };
  const arriving = crowds.all((k) => ({ type: 'flash', ...spec, indices: crowds.indices(k, cmd.n, cmd.urls.length) }));
  const sends: Promise<void>[] = [];
  for (let k = 1; t0 + k * cmd.intervalMs <= t0 + cmd.arriveMs + cmd.tailMs; k++) {
    const wait = t0 + k * cmd.intervalMs - nowMs();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    sends.push(flashOnce());
  }
  await Promise.all(sends);
  await arriving;
  const flashes = flashSeqs.map((seq): [number, number] => [seq, sentAt[seq]!]);
  const tallies = await crowds.all(() => ({ type: 'flash-tally', flashes, deadline }));
  const sum = (f: (t: (typeof tallies)[number]) => number) => tallies.reduce((s, t) => s + f(t), 0);
  const concat = (f: (t: (typeof tallies)[number]) => Float64Array) => tallies.flatMap((t) => Array.from(f(t)));
  const ttfh = concat((t) => t.ttfh);
  const conn = concat((t) => t.conn);
  const connected = sum((t) => t.connected);
  // The crowd stays (the crowds keep it as their readers): the storm (Redis) runs on it, then `disconnect` closes it.
  requested = connected;
  return {
    phase: 'flash', arrivals: cmd.n, connected, failed: cmd.n - connected, flashes: flashSeqs.length,
    ttfhP50: quantile(ttfh, 0.5), ttfhP99: quantile(ttfh, 0.99), ttfhMax: quantile(ttfh, 1), noHeadline: connected - ttfh.length,
    expected: sum((t) => t.expected), delivered: sum((t) => t.delivered), incompleteReaders: sum((t) => t.incompleteReaders),
    connectP50: quantile(conn, 0.5), connectP99: quantile(conn, 0.99), seconds: (nowMs() - t0) / 1000,
    publishRetries: publishLog.retries, publishRetried: retrySummary(), publishFailures: failureSummary(),
  };
}

async function disconnect(): Promise<void> {
  await crowds.all(() => ({ type: 'close', groups: ['main'], final: true }));
  await new Promise((r) => setTimeout(r, 500));
}

/** The load generator's own event-loop delay, reset at each command: a busy loop here delays every measurement. */
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();

process.on('message', (raw: unknown) => {
  const cmd = raw as ToLoadgen;
  if (cmd.type === 'killed') return void killWaiters.get(cmd.id)?.(cmd.at);
  const run = async (): Promise<PhaseResult> => {
    switch (cmd.type) {
      case 'connect': return connect(cmd);
      case 'single': return single(cmd);
      case 'burst': return burst(cmd);
      case 'storm': return stormPhase(cmd);
      case 'api': return api(cmd);
      case 'flash': return flash(cmd);
      case 'overload': return overload(cmd);
      case 'slow': return slowStep(cmd);
      case 'disconnect': await disconnect(); return { phase: 'disconnect' as const };
    }
  };
  loop.reset();
  const workersLoop = () => crowds.all(() => ({ type: 'loop' }));
  workersLoop().then(run).then(async (result) => {
    const mainLoop = { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 };
    const workers = threads > 0 ? { workerLoopDelay: worstLoop(await workersLoop()) } : {};
    send({ type: 'result', id: cmd.id, result: { ...result, loopDelay: mainLoop, ...workers } });
  }).catch((err: unknown) => send({ type: 'error', id: cmd.id, message: err instanceof Error ? err.stack ?? err.message : String(err) }));
});

// Ready once every crowd answers (worker threads are up).
void crowds.all(() => ({ type: 'loop' })).then(() => send({ type: 'ready' }));
