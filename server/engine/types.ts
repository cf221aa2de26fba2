/**
 * The storage and fan-out seam. Two implementations: memory (one process) and Redis (many).
 * The domain decides what a change is (a Mutation); an engine applies it atomically: the
 * document, the public live set, the channel log, the schedule, the idempotency record and the
 * fan-out publish happen together or not at all.
 */
import type { AuditEntry, DeskHeadline, EventType, Headline, Person, TickerEvent } from '../../shared/index.js';

export type DueKind = 'expire' | 'release';

/** Versions kept per headline for the desk's history. */
export const VERSIONS_KEPT = 50;

export interface Mutation {
  uri: string;
  channel: string;
  /** Compare-and-set: the version the stored document must have, or null when it must not exist. */
  expectVersion: number | null;
  doc: DeskHeadline;
  /** What happens to the headline in the channel's public live set. */
  live: 'set' | 'delete' | 'keep';
  /** The reader-visible event appended to the channel log and fanned out, if any. */
  event?: { type: EventType; headline?: Headline; at: string };
  /** Schedule: epoch milliseconds for each kind, or null to clear it. Omitted kinds are left as they are. */
  due?: Partial<Record<DueKind, number | null>>;
  /** A due entry this change consumes; the change is refused if another process took it first. */
  claim?: DueKind;
  idempotency?: { key: string; fingerprint: string; ttlMs: number };
  /**
   * Kill or hold: from now on every public read of the channel log serves this headline's
   * earlier events (version < doc.version) as tombstones without text. Never undone.
   */
  hide?: boolean;
  /**
   * The audit entry of this change (who, what, versions, why), appended to the headline's and
   * the channel's trail in the same atomic commit: a change is never stored without its entry.
   */
  audit?: AuditEntry;
}

export interface IdempotentReplay {
  fingerprint: string;
  doc: DeskHeadline;
  cursor?: string;
}

export type CommitResult =
  | { status: 'ok'; event?: TickerEvent }
  | { status: 'conflict'; currentVersion: number | null }
  | { status: 'claimed' }
  | { status: 'replay'; replay: IdempotentReplay };

export interface ChannelSnapshot {
  epoch: string;
  offset: number;
  headlines: Headline[];
}

export interface LogRead {
  epoch: string;
  /** Events with offset > after, oldest first, at most `limit`. */
  events: TickerEvent[];
  /** False when events after `after` were already trimmed from the log (or the epoch differs). */
  complete: boolean;
  /** The newest offset in the log. */
  head: number;
  /** The oldest offset still in the log (head + 1 when it is empty). */
  first: number;
}

export interface DueEntry {
  kind: DueKind;
  uri: string;
}

export interface EngineEvents {
  /** A log event from any process. May arrive late, twice or out of order; the hub sequences. */
  event: (e: TickerEvent) => void;
  /** A desk change (any document change, public or not) from any process. */
  desk: (doc: DeskHeadline) => void;
  /** The fan-out connection came back after a loss: events may have been missed. */
  resync: () => void;
  /** A person's account or key changed on some process (created, rotated, revoked). */
  account: (notice: AccountNotice) => void;
}

/** A stored account: the person and the SHA-256 digest (hex) of its current key. */
export interface Account extends Person {
  keyDigest: string;
}

/** Sent to every process when an account changes, so key caches and desk sockets follow within 1 s. */
export type AccountNotice = { type: 'account-changed'; id: string };

export interface Engine {
  readonly kind: 'memory' | 'redis';
  commit(m: Mutation): Promise<CommitResult>;
  getDoc(uri: string): Promise<DeskHeadline | null>;
  /** The remembered outcome of an Idempotency-Key (already scoped and hashed), if any. */
  idempotent(key: string): Promise<IdempotentReplay | null>;
  /** The live set and the log position it reflects, read atomically. */
  snapshot(channel: string): Promise<ChannelSnapshot>;
  readLog(channel: string, epoch: string, after: number, limit: number): Promise<LogRead>;
  /** A headline's versions, oldest first (the last VERSIONS_KEPT). */
  versions(uri: string): Promise<DeskHeadline[]>;
  /** Every channel that has had a headline. */
  channels(): Promise<string[]>;
  /** A channel's recent documents in every state, newest first, for the desk. */
  deskList(channel: string): Promise<DeskHeadline[]>;
  /** Due schedule entries at or before `now` (epoch ms). */
  due(now: number, limit: number): Promise<DueEntry[]>;
  on<K extends keyof EngineEvents>(name: K, listener: EngineEvents[K]): () => void;
  /** Cross-process reader counts: this process reports its own, reads the sum. */
  reportReaders(processId: string, counts: Record<string, number>, ttlMs: number): Promise<void>;
  readerCounts(): Promise<Record<string, number>>;
  /** Resolves when the engine can serve requests; rejects otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;

  // Small records for the formats (ninjs sources, feed subscriptions, webhooks): a namespace of
  // string values by id, shared by every process on the same store.
  recordGet(ns: string, id: string): Promise<string | null>;
  recordPut(ns: string, id: string, value: string): Promise<void>;
  recordDelete(ns: string, id: string): Promise<boolean>;
  recordList(ns: string): Promise<Record<string, string>>;
  /** Appends to a bounded list (newest first, at most `max`). */
  listPush(name: string, value: string, max: number): Promise<void>;
  /** The newest `limit` entries of a list, newest first. */
  listRange(name: string, limit: number): Promise<string[]>;
  /** Takes or renews a lease held by `owner` for `ttlMs`; false while another owner holds it. */
  lease(name: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Gives a lease back if `owner` still holds it. */
  leaseRelease(name: string, owner: string): Promise<void>;
  /** Appends to the audit trail of the entry's headline and channel. Never rewrites. */
  appendAudit(entry: AuditEntry): Promise<void>;
  /** A headline's audit trail, oldest first. */
  headlineAudit(uri: string): Promise<AuditEntry[]>;
  /** A channel's audit trail, newest first: at most `limit` entries, skipping the newest `skip`. */
  channelAudit(channel: string, limit: number, skip: number): Promise<AuditEntry[]>;
  /** Stores a new account; false when its name is taken. Notifies every process. */
  createAccount(account: Account): Promise<boolean>;
  /** Replaces an account (a new key digest, a revocation); the old digest stops working. Notifies every process. */
  updateAccount(account: Account, previousDigest: string): Promise<void>;
  getAccount(id: string): Promise<Account | null>;
  accountByDigest(digest: string): Promise<Account | null>;
  listAccounts(): Promise<Account[]>;
}
