/**
 * The load generator: a separate process that opens the readers, publishes through the target's
 * own publish path, and measures what arrives. Driven by run.ts over IPC, one phase per command;
 * every phase is bounded by the timeout it is given.
 */
import type {
  ApiCmd, ApiResult, BurstCmd, BurstResult, ConnectCmd, ConnectResult, FromLoadgen, LatencyResult, PublishPath, SingleCmd,
  StormCmd, StormResult, ToLoadgen,
} from './ipc.js';
import { headlineBody, nowMs } from './payload.js';
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
    if (reader.seen[seq]) {
      if (p && seq >= p.from && seq < p.to) p.duplicates++;
      return;
    }
    reader.seen[seq] = 1;
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
  const body = JSON.stringify(headlineBody(seq, t));
  const key = `bench-${process.pid}-${seq}-${t}`;
  for (let attempt = 0; ; attempt++) {
    let status: string;
    try {
      const res = await fetch(path.url, {
        method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': key, ...path.headers }, body,
        signal: AbortSignal.timeout(PUBLISH_TIMEOUT_MS),
      });
      await res.arrayBuffer();
      if (res.status === 201 || res.status === 200) return true;
      status = String(res.status);
      if (res.status < 500) attempt = retries; // not worth retrying
    } catch (err) {
      const code = (err as { cause?: { code?: unknown } }).cause?.code;
      status = err instanceof Error && err.name === 'TimeoutError' ? 'timeout' : `network${typeof code === 'string' ? `:${code}` : ''}`;
    }
    if (attempt >= retries) {
      publishLog.failures.set(status, (publishLog.failures.get(status) ?? 0) + 1);
      return false;
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

async function disconnect(): Promise<void> {
  closing = true;
  for (const r of readers) r.close();
  readers = [];
  await new Promise((r) => setTimeout(r, 500));
}

process.on('message', (raw: unknown) => {
  const cmd = raw as ToLoadgen;
  if (cmd.type === 'killed') return void killWaiters.get(cmd.id)?.(cmd.at);
  const run = async () => {
    switch (cmd.type) {
      case 'connect': return connect(cmd);
      case 'single': return single(cmd);
      case 'burst': return burst(cmd);
      case 'storm': return stormPhase(cmd);
      case 'api': return api(cmd);
      case 'disconnect': await disconnect(); return { phase: 'disconnect' as const };
    }
  };
  run().then(
    (result) => send({ type: 'result', id: cmd.id, result }),
    (err: unknown) => send({ type: 'error', id: cmd.id, message: err instanceof Error ? err.stack ?? err.message : String(err) }),
  );
});

send({ type: 'ready' });
