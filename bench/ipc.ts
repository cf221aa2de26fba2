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

export interface KilledMsg {
  type: 'killed';
  id: number;
  at: number;
}

export type ToLoadgen = ConnectCmd | SingleCmd | BurstCmd | StormCmd | ApiCmd | DisconnectCmd | KilledMsg;

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

export type PhaseResult = ConnectResult | LatencyResult | BurstResult | StormResult | ApiResult | { phase: 'disconnect' };

export type FromLoadgen =
  | { type: 'ready' }
  | { type: 'result'; id: number; result: PhaseResult }
  | { type: 'error'; id: number; message: string }
  | { type: 'kill'; id: number; victim: string };

/** Orchestrator → target server (baselines and the product wrapper). */
export type ToServer = { type: 'mem'; id: number };
export type FromServer = { type: 'mem'; id: number; rss: number; heapUsed: number };
