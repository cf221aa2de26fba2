/**
 * Messages between the benchmark's processes, as discriminated unions: the orchestrator
 * (run.ts) drives the load generator (loadgen.ts) phase by phase and probes each target server.
 */

/** How the load generator speaks to a target. */
export type Proto = 'product' | 'socketio' | 'raw';

export interface PublishPath {
  /** Full URL of the POST that publishes one headline on the benchmark channel. */
  url: string;
  headers: Record<string, string>;
  /**
   * The product only: its API base (`http://127.0.0.1:PORT/api/v1`), for corrections
   * (`PATCH /headlines/:uri`), kills (`POST /headlines/:uri/retract`) and the live set
   * (`GET /channels/:channel/headlines`).
   */
  api?: string;
  channel: string;
}

export interface ConnectCmd {
  type: 'connect';
  id: number;
  proto: Proto;
  /** Readers are spread round-robin over these base URLs (http://127.0.0.1:PORT). */
  urls: string[];
  channel: string;
  n: number;
  /** Connections being opened at once (the ramp). */
  concurrency: number;
  timeoutMs: number;
}

export interface SingleCmd {
  type: 'single';
  id: number;
  publish: PublishPath;
  count: number;
  intervalMs: number;
  timeoutMs: number;
}

export interface BurstCmd {
  type: 'burst';
  id: number;
  publish: PublishPath;
  count: number;
  /** Publish requests in flight at once. */
  concurrency: number;
  timeoutMs: number;
}

export interface StormCmd {
  type: 'storm';
  id: number;
  publish: PublishPath;
  /** Readers connected to this URL lose their server; they reconnect to `survivor`. */
  victim: string;
  survivor: string;
  count: number;
  intervalMs: number;
  /** The victim is killed once this many storm headlines were acknowledged. */
  killAfter: number;
  /** Upper bound of a reader's first reconnect delay (full jitter: uniform 0..max). */
  jitterMs: number;
  timeoutMs: number;
}

export interface ApiCmd {
  type: 'api';
  id: number;
  publish: PublishPath;
  rate: number;
  durationMs: number;
  timeoutMs: number;
}

export interface DisconnectCmd {
  type: 'disconnect';
  id: number;
}

/** Flash crowd (issue 10.5): n readers arrive evenly over arriveMs while a flash goes out every intervalMs. */
export interface FlashCmd {
  type: 'flash';
  id: number;
  proto: Proto;
  urls: string[];
  channel: string;
  publish: PublishPath;
  n: number;
  arriveMs: number;
  intervalMs: number;
  /** Flashes keep coming this long after the last arrival. */
  tailMs: number;
  timeoutMs: number;
}

/** Overload (issue 11.2): `rate` operations/s to every connected reader for durationMs, then stop and compare live sets. */
export interface OverloadCmd {
  type: 'overload';
  id: number;
  publish: PublishPath;
  rate: number;
  durationMs: number;
  /** Product only: every correctEvery-th operation corrects a live headline of the phase, every killEvery-th kills one (0: never). */
  correctEvery: number;
  killEvery: number;
  timeoutMs: number;
}

/**
 * Slow readers (issue 11.2): on their own channel, `normal` readers and `paused` readers that stop
 * reading while `count` operations are published; then they resume. One step per command, so the
 * orchestrator can probe the server's memory between steps.
 */
export interface SlowCmd {
  type: 'slow';
  id: number;
  step: 'connect' | 'publish' | 'resume' | 'end';
  proto: Proto;
  urls: string[];
  channel: string;
  publish: PublishPath;
  normal: number;
  paused: number;
  count: number;
  concurrency: number;
  correctEvery: number;
  killEvery: number;
  timeoutMs: number;
}

export interface KilledMsg {
  type: 'killed';
  id: number;
  at: number;
}

export type ToLoadgen = ConnectCmd | SingleCmd | BurstCmd | StormCmd | ApiCmd | DisconnectCmd | FlashCmd | OverloadCmd | SlowCmd | KilledMsg;

export interface ConnectResult {
  phase: 'connect';
  readers: number;
  failed: number;
  seconds: number;
}

/** What happened to the publish requests of a phase: retries (same Idempotency-Key) and final failures by status. */
export interface PublishOutcome {
  publishRetries: number;
  /** Why the retried attempts failed, e.g. "503×3". */
  publishRetried: string;
  /** e.g. "503×2, timeout×1"; empty when every publish was acknowledged. */
  publishFailures: string;
}

export interface LatencyResult extends PublishOutcome {
  phase: 'single';
  expected: number;
  delivered: number;
  duplicates: number;
  /** Readers that lost their connection during the phase (and came back, with their cursor). */
  dropped: number;
  /** Milliseconds from the publish request's start to each delivery. */
  p50: number;
  p99: number;
  max: number;
  /** Median over the headlines of the time to their last reader. */
  lastReaderMedian: number;
}

export interface BurstResult extends PublishOutcome {
  phase: 'burst';
  expected: number;
  delivered: number;
  duplicates: number;
  dropped: number;
  seconds: number;
  deliveriesPerSec: number;
  publishedPerSec: number;
  publishErrors: number;
  loadgenCpu: number;
}

export interface StormResult extends PublishOutcome {
  phase: 'storm';
  moved: number;
  expected: number;
  delivered: number;
  missing: number;
  duplicates: number;
  dropped: number;
  snapshots: number;
  /** Seconds from the kill until every moved reader was re-subscribed. */
  backSeconds: number;
  /** Seconds from the kill until every moved reader had everything published before it came back. */
  caughtUpSeconds: number;
  /** Readers still not re-subscribed at the deadline. */
  stranded: number;
}

export interface ApiResult {
  phase: 'api';
  publishFailures: string;
  requests: number;
  errors: number;
  p50: number;
  p99: number;
  max: number;
  achievedRate: number;
}

/** The load generator's own event-loop delay during a phase (perf_hooks.monitorEventLoopDelay), ms. */
export interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
}

export interface FlashResult extends PublishOutcome {
  phase: 'flash';
  arrivals: number;
  connected: number;
  failed: number;
  /** Flashes published (acknowledged) during the phase. */
  flashes: number;
  /** Connect start → first headline shown (an event, or a snapshot holding one), ms, over connected readers. */
  ttfhP50: number;
  ttfhP99: number;
  ttfhMax: number;
  /** Connected readers that never had a headline. */
  noHeadline: number;
  /** Headlines whose publish started after the reader subscribed: each must arrive (live, in a catch-up or a snapshot). */
  expected: number;
  delivered: number;
  /** Readers missing at least one of those. */
  incompleteReaders: number;
  connectP50: number;
  connectP99: number;
  seconds: number;
  /** Filled in by run.ts: cores' worth of CPU of the server process(es) during the phase. */
  serverCpu?: number;
}

/** How every reader's final state compares with the server's live set (or, for the baselines, the headlines published). */
export interface LiveSetCheck {
  readers: number;
  exact: number;
  /** Readers lacking an item, holding an older version of one, holding one that is gone. */
  withMissing: number;
  withStale: number;
  withExtra: number;
  missingItems: number;
  staleItems: number;
  extraItems: number;
  /** Items in the server's live set (product) or headlines acknowledged (baselines). */
  serverItems: number;
  /** Seconds from the last acknowledged operation until every reader was exact (NaN: never within the deadline). */
  convergedSeconds: number;
}

export interface OverloadResult extends PublishOutcome {
  phase: 'overload';
  published: number;
  corrections: number;
  kills: number;
  /** Operations requested per second and achieved. */
  rate: number;
  achievedRate: number;
  /** Live deliveries (new headlines and corrections), latency from the request's start, ms. */
  deliveries: number;
  p50: number;
  p99: number;
  max: number;
  snapshots: number;
  batches: number;
  dropped: number;
  check: LiveSetCheck;
  /** Cores' worth of CPU over the phase: the load generator (all its threads), and (filled in by run.ts) the server process(es). */
  loadgenCpu: number;
  serverCpu?: number;
}

export interface SlowResult extends PublishOutcome {
  phase: 'slow';
  step: SlowCmd['step'];
  normal?: number;
  paused?: number;
  published?: number;
  corrections?: number;
  kills?: number;
  /** Paused readers whose connection the server closed (seen once they resume). */
  pausedDropped?: number;
  pausedSnapshots?: number;
  /** Normal readers: live deliveries latency, ms. */
  normalP99?: number;
  normalCheck?: LiveSetCheck;
  /** After resuming: the paused readers against the server's live set. */
  pausedCheck?: LiveSetCheck;
  publishSeconds?: number;
  /** Bytes the kernel holds for the paused readers' connections at the end of the publishes (server send queues + reader receive queues). */
  kernelQueued?: number;
}

export type PhaseResult = (ConnectResult | LatencyResult | BurstResult | StormResult | ApiResult | FlashResult | OverloadResult | SlowResult | { phase: 'disconnect' }) & {
  loopDelay?: LoopDelay;
  /** The readers' worker threads (the worst of them, figure by figure), when the load generator runs any. */
  workerLoopDelay?: LoopDelay;
};

export type FromLoadgen =
  | { type: 'ready' }
  | { type: 'result'; id: number; result: PhaseResult }
  | { type: 'error'; id: number; message: string }
  | { type: 'kill'; id: number; victim: string };

/** Orchestrator → target server (baselines and the product wrapper). */
export type ToServer = { type: 'mem'; id: number };
export type FromServer = { type: 'mem'; id: number; rss: number; heapUsed: number };
