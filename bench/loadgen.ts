/**
 * The load generator: a separate process that opens the readers, publishes through the target's
 * own publish path, and measures what arrives. Driven by run.ts over IPC, one phase per command;
 * every phase is bounded by the timeout it is given.
 */
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type {
  ApiCmd, ApiResult, BurstCmd, BurstResult, ConnectCmd, ConnectResult, FlashCmd, FlashResult, FromLoadgen, LatencyResult, LiveSetCheck,
  OverloadCmd, OverloadResult, PhaseResult, PublishPath, SingleCmd, SlowCmd, SlowResult, StormCmd, StormResult, ToLoadgen,
} from './ipc.js';
import { correctionBody, headlineBody, nowMs, parseLink } from './payload.js';
import { MAX_SEQ, Reader, type Sink } from './readers.js';
import { Samples, median, quantile } from './stats.js';

const send = (msg: FromLoadgen): void => void process.send?.(msg);
process.on('disconnect', () => process.exit(0));

let readers: Reader[] = [];
/** Readers that lost their connection (server close, heartbeat timeout), and whether we are closing them ourselves. */
let lostCount = 0;
let closing = false;
let requested = 0;
let nextSeq = 1;
const sentAt = new Float64Array(MAX_SEQ);

interface Phase {
  from: number;
  to: number;
  expected: number;
  delivered: number;
  duplicates: number;
  last: number;
  /** Latest arrival per headline (index seq - from). */
  lastBySeq: Float64Array;
  latencies?: Samples;
  snapshots: number;
  onProgress?: () => void;
}
let phase: Phase | undefined;

function newPhase(count: number, latencies: boolean): Phase {
  if (nextSeq + count >= MAX_SEQ) throw new Error('too many headlines in one run');
  const from = nextSeq;
  return {
    from, to: from + count, expected: requested * count, delivered: 0, duplicates: 0, last: 0,
    lastBySeq: new Float64Array(count), snapshots: 0, ...(latencies ? { latencies: new Samples() } : {}),
  };
}

let storm: { cmd: StormCmd; phase: Phase; deadline: number } | undefined;

const sink: Sink = {
  deliver(reader, seq, sent, viaSnapshot) {
    const p = phase;
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
    if (viaSnapshot) p.snapshots++;
    const i = seq - p.from;
    if (now > p.lastBySeq[i]!) p.lastBySeq[i] = now;
    if (reader.arrivals) reader.arrivals[i] = now;
    p.latencies?.push(now - sent);
    if (p.delivered >= p.expected) p.onProgress?.();
  },
  corrected(_reader, seq, sent) {
    const p = phase;
    if (p && seq >= p.from && seq < p.to) p.latencies?.push(nowMs() - sent);
  },
  lost(reader) {
    // As a real client does: come back after a full-jitter delay, with the cursor (product
    // readers); readers of the killed process in the storm come back to the survivor.
    lostCount++;
    const moving = storm !== undefined && reader.url === storm.cmd.victim;
    const url = moving ? storm!.cmd.survivor : reader.url;
    const attempt = (wait: number): void => {
      setTimeout(() => {
        if (closing) return;
        reader.connect(url, 10_000).then(() => {
          if (moving) reader.resubAt = nowMs();
          storm?.phase.onProgress?.();
        }).catch(() => attempt(250 + Math.random() * 750));
      }, wait);
    };
    attempt(Math.random() * (storm?.cmd.jitterMs ?? 1000));
  },
};

/** Waits until `done()` holds (checked on each delivery and every 100 ms) or the deadline. */
function until(p: Phase, done: () => boolean, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const finish = () => {
      clearInterval(tick);
      clearTimeout(timer);
      p.onProgress = undefined;
      resolve();
    };
    const check = () => void (done() && finish());
    const tick = setInterval(check, 100);
    const timer = setTimeout(finish, timeoutMs);
    p.onProgress = check;
    check();
  });
}

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
  closing = false;
  requested = cmd.n;
  let failed = 0;
  let next = 0;
  const deadline = Date.now() + cmd.timeoutMs;
  const worker = async () => {
    while (next < cmd.n && Date.now() < deadline) {
      const i = next++;
      const reader = new Reader(cmd.proto, cmd.urls[i % cmd.urls.length]!, cmd.channel, sink);
      try {
        await reader.connect(reader.url, Math.max(1000, deadline - Date.now()));
        readers.push(reader);
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: cmd.concurrency }, worker));
  return { phase: 'connect', readers: readers.length, failed: cmd.n - readers.length, seconds: (nowMs() - t0) / 1000 };
}

async function single(cmd: SingleCmd): Promise<LatencyResult> {
  const p = newPhase(cmd.count, true);
  phase = p;
  const deadline = Date.now() + cmd.timeoutMs;
  const lost0 = lostCount;
  resetPublishLog();
  const t0 = nowMs();
  const sends: Promise<boolean>[] = [];
  for (let i = 0; i < cmd.count; i++) {
    const wait = t0 + i * cmd.intervalMs - nowMs();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    sends.push(publish(cmd.publish, nextSeq++, PUBLISH_RETRIES));
  }
  expectAcked(p, (await Promise.all(sends)).filter(Boolean).length);
  await until(p, () => p.delivered >= p.expected, Math.max(0, deadline - Date.now()));
  const lat = p.latencies!.values();
  const lastReader = Array.from(p.lastBySeq, (t, i) => (t > 0 ? t - sentAt[p.from + i]! : Number.NaN)).filter((v) => !Number.isNaN(v));
  phase = undefined;
  return {
    phase: 'single', expected: p.expected, delivered: p.delivered, duplicates: p.duplicates, dropped: lostCount - lost0,
    publishRetries: publishLog.retries, publishRetried: retrySummary(), publishFailures: failureSummary(),
    p50: quantile(lat, 0.5), p99: quantile(lat, 0.99), max: quantile(lat, 1), lastReaderMedian: median(lastReader),
  };
}

async function burst(cmd: BurstCmd): Promise<BurstResult> {
  const p = newPhase(cmd.count, false);
  phase = p;
  const cpu0 = process.cpuUsage();
  const deadline = Date.now() + cmd.timeoutMs;
  const lost0 = lostCount;
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
  await until(p, () => p.delivered >= p.expected, Math.max(0, deadline - Date.now()));
  const wall = (p.last || nowMs()) - t0;
  const cpu = process.cpuUsage(cpu0);
  phase = undefined;
  return {
    phase: 'burst', expected: p.expected, delivered: p.delivered, duplicates: p.duplicates, dropped: lostCount - lost0, seconds: wall / 1000,
    deliveriesPerSec: p.delivered / (wall / 1000), publishedPerSec: issued / ((published - t0) / 1000), publishErrors: errors + (cmd.count - issued),
    publishRetries: publishLog.retries, publishRetried: retrySummary(), publishFailures: failureSummary(),
    loadgenCpu: (cpu.user + cpu.system) / 1000 / (nowMs() - t0),
  };
}

const killWaiters = new Map<number, (at: number) => void>();

async function stormPhase(cmd: StormCmd): Promise<StormResult> {
  const p = newPhase(cmd.count, false);
  phase = p;
  const moved = readers.filter((r) => r.url === cmd.victim);
  for (const r of moved) r.arrivals = new Float64Array(cmd.count);
  storm = { cmd, phase: p, deadline: Date.now() + cmd.timeoutMs };
  let killAt = 0;
  const lost0 = lostCount;
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
  await until(p, () => p.delivered >= p.expected && moved.every((r) => r.resubAt > 0), Math.max(0, storm.deadline - Date.now()));
  storm = undefined;
  phase = undefined;
  let back = 0;
  let caughtUp = 0;
  let stranded = 0;
  for (const r of moved) {
    if (!r.resubAt) {
      stranded++;
      continue;
    }
    back = Math.max(back, r.resubAt - killAt);
    let t = r.resubAt;
    for (let i = 0; i < cmd.count; i++) {
      if (sentAt[p.from + i]! >= r.resubAt) continue;
      const arrived = r.arrivals![i]!;
      t = Math.max(t, arrived > 0 ? arrived : Number.POSITIVE_INFINITY);
    }
    caughtUp = Math.max(caughtUp, t - killAt);
  }
  return {
    phase: 'storm', moved: moved.length, expected: p.expected, delivered: p.delivered, missing: p.expected - p.delivered,
    duplicates: p.duplicates, dropped: lostCount - lost0, snapshots: p.snapshots,
    publishRetries: publishLog.retries, publishRetried: retrySummary(), publishFailures: failureSummary(), backSeconds: back / 1000, caughtUpSeconds: caughtUp / 1000, stranded,
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

/** What every reader should end with: the server's live set (product, uri → version) or the acknowledged headlines (baselines). */
type Expected = { kind: 'live'; items: Map<string, number> } | { kind: 'seqs'; seqs: number[] };

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

function checkLiveSets(rs: Reader[], expected: Expected): LiveSetCheck {
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

/** Waits (bounded) until every reader holds the expected state; convergedSeconds counts from `since`. */
async function converge(rs: Reader[], expected: Expected, since: number, deadline: number): Promise<LiveSetCheck> {
  for (;;) {
    const c = checkLiveSets(rs, expected);
    if (c.exact === c.readers) return { ...c, convergedSeconds: Math.max(0, nowMs() - since) / 1000 };
    if (Date.now() >= deadline) return c;
    await new Promise((r) => setTimeout(r, rs.length <= 100 ? 50 : 200));
  }
}

function startTracking(rs: Reader[], ops: OpsState): void {
  for (const r of rs) r.track = { from: ops.from, to: ops.to, live: new Map() };
}

async function overload(cmd: OverloadCmd): Promise<OverloadResult> {
  const total = Math.round((cmd.rate * cmd.durationMs) / 1000);
  const ops = newOps(total);
  const p = newPhase(total, true);
  p.expected = Number.POSITIVE_INFINITY;
  phase = p;
  startTracking(readers, ops);
  const deadline = Date.now() + cmd.timeoutMs;
  const lost0 = lostCount;
  const snaps0 = readers.reduce((s, r) => s + r.snapshots, 0);
  const batches0 = readers.reduce((s, r) => s + r.batches, 0);
  resetPublishLog();
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
  const check = await converge(readers, expected, ops.lastAck || nowMs(), deadline);
  phase = undefined;
  for (const r of readers) r.track = undefined;
  const lat = p.latencies!.values();
  return {
    phase: 'overload', published: ops.published, corrections: ops.corrections, kills: ops.kills, rate: cmd.rate,
    achievedRate: total / Math.max(0.001, (sentDone - t0) / 1000 + 1 / cmd.rate),
    deliveries: lat.length, p50: quantile(lat, 0.5), p99: quantile(lat, 0.99), max: quantile(lat, 1),
    snapshots: readers.reduce((s, r) => s + r.snapshots, 0) - snaps0, batches: readers.reduce((s, r) => s + r.batches, 0) - batches0,
    dropped: lostCount - lost0, check,
    publishRetries: publishLog.retries, publishRetried: retrySummary(), publishFailures: failureSummary(),
  };
}

/**
 * Bytes the kernel holds for these readers' connections on 127.0.0.1 (from /proc/net/tcp and
 * tcp6): what the server's sockets have not sent yet (tx_queue of the server side) and what the
 * paused readers have not read (rx_queue of their side). None of it is in the server's RSS.
 */
function kernelQueued(rs: Reader[]): number {
  const ports = new Set(rs.map((r) => r.localPort()).filter((p): p is number => p !== undefined));
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

let slow: { normal: Reader[]; paused: Reader[]; ops?: OpsState; expected?: Expected } | undefined;

async function slowStep(cmd: SlowCmd): Promise<SlowResult> {
  const deadline = Date.now() + cmd.timeoutMs;
  switch (cmd.step) {
    case 'connect': {
      closing = false;
      const open = async (n: number, offset: number): Promise<Reader[]> => {
        const rs = Array.from({ length: n }, (_, i) => new Reader(cmd.proto, cmd.urls[(i + offset) % cmd.urls.length]!, cmd.channel, sink));
        const ok = await Promise.all(rs.map((r) => r.connect(r.url, Math.max(1000, deadline - Date.now())).then(() => true, () => false)));
        return rs.filter((_, i) => ok[i]);
      };
      slow = { normal: await open(cmd.normal, 0), paused: await open(cmd.paused, 1) };
      return { phase: 'slow', step: 'connect', normal: slow.normal.length, paused: slow.paused.length, publishRetries: 0, publishRetried: '', publishFailures: '' };
    }
    case 'publish': {
      if (!slow) throw new Error('slow: connect first');
      const ops = newOps(cmd.count);
      slow.ops = ops;
      const p = newPhase(cmd.count, true);
      p.expected = Number.POSITIVE_INFINITY;
      phase = p;
      startTracking([...slow.normal, ...slow.paused], ops);
      for (const r of slow.paused) r.pause(true);
      resetPublishLog();
      const t0 = nowMs();
      let next = 1;
      const worker = async () => {
        while (next <= cmd.count && Date.now() < deadline) await operate(cmd.publish, ops, next++, cmd.correctEvery, cmd.killEvery);
      };
      await Promise.all(Array.from({ length: cmd.concurrency }, worker));
      const publishSeconds = (nowMs() - t0) / 1000;
      slow.expected = await expectedOf(cmd.publish, ops);
      const normalCheck = await converge(slow.normal, slow.expected, ops.lastAck || nowMs(), deadline);
      phase = undefined;
      return {
        kernelQueued: kernelQueued(slow.paused),
        phase: 'slow', step: 'publish', published: ops.published, corrections: ops.corrections, kills: ops.kills, normalCheck,
        normalP99: quantile(p.latencies!.values(), 0.99), publishSeconds,
        publishRetries: publishLog.retries, publishRetried: retrySummary(), publishFailures: failureSummary(),
      };
    }
    case 'resume': {
      if (!slow?.expected) throw new Error('slow: publish first');
      const drops0 = slow.paused.reduce((s, r) => s + r.drops, 0);
      const snaps0 = slow.paused.reduce((s, r) => s + r.snapshots, 0);
      const t0 = nowMs();
      for (const r of slow.paused) r.pause(false);
      const pausedCheck = await converge(slow.paused, slow.expected, t0, deadline);
      return {
        phase: 'slow', step: 'resume', pausedCheck, pausedDropped: slow.paused.reduce((s, r) => s + r.drops, 0) - drops0,
        pausedSnapshots: slow.paused.reduce((s, r) => s + r.snapshots, 0) - snaps0, publishRetries: 0, publishRetried: '', publishFailures: '',
      };
    }
    case 'end': {
      for (const r of [...(slow?.normal ?? []), ...(slow?.paused ?? [])]) {
        r.track = undefined;
        r.close();
      }
      slow = undefined;
      await new Promise((r) => setTimeout(r, 300));
      return { phase: 'slow', step: 'end', publishRetries: 0, publishRetried: '', publishFailures: '' };
    }
  }
}

async function flash(cmd: FlashCmd): Promise<FlashResult> {
  closing = false;
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
  const arrivals = Array.from({ length: cmd.n }, (_, i) => new Reader(cmd.proto, cmd.urls[i % cmd.urls.length]!, cmd.channel, sink));
  const t0 = nowMs();
  const connects: Promise<boolean>[] = [];
  const publishing = (async () => {
    const sends: Promise<void>[] = [];
    for (let k = 1; t0 + k * cmd.intervalMs <= t0 + cmd.arriveMs + cmd.tailMs; k++) {
      const wait = t0 + k * cmd.intervalMs - nowMs();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      sends.push(flashOnce());
    }
    await Promise.all(sends);
  })();
  for (let i = 0; i < cmd.n; i++) {
    const wait = t0 + (i * cmd.arriveMs) / cmd.n - nowMs();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const r = arrivals[i]!;
    connects.push(r.connect(r.url, Math.min(30_000, Math.max(1000, deadline - Date.now()))).then(() => true, () => false));
  }
  const ok = await Promise.all(connects);
  await publishing;
  const connected = arrivals.filter((_, i) => ok[i]);
  const expectedOfReader = (r: Reader) => flashSeqs.filter((seq) => sentAt[seq]! > r.subscribedAt);
  const tally = () => {
    let expected = 0;
    let delivered = 0;
    let incompleteReaders = 0;
    for (const r of connected) {
      const want = expectedOfReader(r);
      const got = want.filter((seq) => r.has(seq)).length;
      expected += want.length;
      delivered += got;
      if (got < want.length) incompleteReaders++;
    }
    return { expected, delivered, incompleteReaders };
  };
  let t = tally();
  while (t.delivered < t.expected && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    t = tally();
  }
  const ttfh = connected.filter((r) => r.firstHeadlineAt > 0).map((r) => r.firstHeadlineAt - r.startedAt);
  const conn = connected.map((r) => r.subscribedAt - r.startedAt);
  // The crowd stays: the storm (Redis) runs on these readers, then `disconnect` closes them.
  for (const r of readers) r.close();
  arrivals.forEach((r, i) => ok[i] || r.close());
  readers = connected;
  requested = connected.length;
  return {
    phase: 'flash', arrivals: cmd.n, connected: connected.length, failed: cmd.n - connected.length, flashes: flashSeqs.length,
    ttfhP50: quantile(ttfh, 0.5), ttfhP99: quantile(ttfh, 0.99), ttfhMax: quantile(ttfh, 1), noHeadline: connected.length - ttfh.length,
    ...t, connectP50: quantile(conn, 0.5), connectP99: quantile(conn, 0.99), seconds: (nowMs() - t0) / 1000,
    publishRetries: publishLog.retries, publishRetried: retrySummary(), publishFailures: failureSummary(),
  };
}

async function disconnect(): Promise<void> {
  closing = true;
  for (const r of readers) r.close();
  readers = [];
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
  run().then(
    (result) => send({ type: 'result', id: cmd.id, result: { ...result, loopDelay: { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 } } }),
    (err: unknown) => send({ type: 'error', id: cmd.id, message: err instanceof Error ? err.stack ?? err.message : String(err) }),
  );
});

send({ type: 'ready' });
