/** The in-process engine: one process, nothing persisted. The default without REDIS_URL. */
import { EMPTY_EPOCH, compareNewestFirst, formatCursor, type AuditEntry, type DeskHeadline, type Headline, type TickerEvent } from '../../shared/index.js';
import { Emitter } from './emitter.js';
import { newEpoch } from './epoch.js';
import { purgeHidden } from './purge.js';
import type {
  Account, ChannelSnapshot, CommitResult, DueEntry, DueKind, Engine, EngineEvents, IdempotentReplay, LogRead, Mutation,
} from './types.js';
import { VERSIONS_KEPT } from './types.js';

/** Documents the desk list returns per channel. */
export const DESK_LIST_LENGTH = 200;

interface ChannelState {
  epoch: string;
  offset: number;
  log: TickerEvent[];
  live: Map<string, Headline>;
  /** uri → the version that withheld or retracted it: older events are read without text. */
  hidden: Map<string, number>;
}

export interface MemoryEngineOptions {
  /** Events kept per channel log. @default 10000 */
  logLength?: number;
}

export class MemoryEngine implements Engine {
  readonly kind = 'memory' as const;
  private readonly emitter = new Emitter<EngineEvents>();
  private readonly docs = new Map<string, DeskHeadline>();
  private readonly history = new Map<string, DeskHeadline[]>();
  private readonly known = new Set<string>();
  private readonly logs = new Map<string, ChannelState>();
  private readonly schedule = new Map<string, number>();
  private readonly idempotency = new Map<string, { replay: IdempotentReplay; until: number }>();
  private readonly readers = new Map<string, { counts: Record<string, number>; until: number }>();
  private readonly logLength: number;
  private readonly audit = { headline: new Map<string, AuditEntry[]>(), channel: new Map<string, AuditEntry[]>() };
  private readonly accounts = new Map<string, Account>();
  private readonly accountKeys = new Map<string, string>();

  constructor(options: MemoryEngineOptions = {}) {
    this.logLength = options.logLength ?? 10_000;
  }

  private channel(name: string): ChannelState {
    let state = this.logs.get(name);
    if (!state) this.logs.set(name, (state = { epoch: newEpoch(), offset: 0, log: [], live: new Map(), hidden: new Map() }));
    return state;
  }

  async commit(m: Mutation): Promise<CommitResult> {
    const now = Date.now();
    if (m.idempotency) {
      const hit = this.idempotency.get(m.idempotency.key);
      if (hit && hit.until > now) return { status: 'replay', replay: hit.replay };
    }
    const current = this.docs.get(m.uri);
    if ((current?.version ?? null) !== m.expectVersion) return { status: 'conflict', currentVersion: current?.version ?? null };
    if (m.claim && !this.schedule.delete(`${m.claim}|${m.uri}`)) return { status: 'claimed' };

    this.docs.set(m.uri, m.doc);
    const versions = this.history.get(m.uri) ?? [];
    versions.push(m.doc);
    this.history.set(m.uri, versions.slice(-VERSIONS_KEPT));
    this.known.add(m.channel);
    const ch = this.channel(m.channel);
    if (m.live === 'set' && m.event?.headline) ch.live.set(m.uri, m.event.headline);
    if (m.live === 'delete') ch.live.delete(m.uri);
    if (m.hide) ch.hidden.set(m.uri, m.doc.version);
    if (m.audit) this.appendAuditNow(m.audit);
    for (const [kind, at] of Object.entries(m.due ?? {}) as [DueKind, number | null][]) {
      if (at === null) this.schedule.delete(`${kind}|${m.uri}`);
      else this.schedule.set(`${kind}|${m.uri}`, at);
    }
    let event: TickerEvent | undefined;
    if (m.event) {
      event = { channel: m.channel, epoch: ch.epoch, offset: ++ch.offset, type: m.event.type, uri: m.uri, version: m.doc.version, at: m.event.at };
      if (m.event.headline) event.headline = m.event.headline;
      ch.log.push(event);
      if (ch.log.length > this.logLength) ch.log.splice(0, ch.log.length - this.logLength);
    }
    if (m.idempotency) {
      const replay: IdempotentReplay = { fingerprint: m.idempotency.fingerprint, doc: m.doc };
      if (event) replay.cursor = formatCursor(event);
      this.idempotency.set(m.idempotency.key, { replay, until: now + m.idempotency.ttlMs });
    }
    // Fan-out after the commit, asynchronously, as a network engine would.
    queueMicrotask(() => {
      if (event) this.emitter.emit('event', event);
      this.emitter.emit('desk', m.doc);
    });
    return event ? { status: 'ok', event } : { status: 'ok' };
  }

  async getDoc(uri: string): Promise<DeskHeadline | null> {
    return this.docs.get(uri) ?? null;
  }

  async idempotent(key: string): Promise<IdempotentReplay | null> {
    const hit = this.idempotency.get(key);
    return hit && hit.until > Date.now() ? hit.replay : null;
  }

  async versions(uri: string): Promise<DeskHeadline[]> {
    return this.history.get(uri) ?? [];
  }

  async channels(): Promise<string[]> {
    return [...this.known].sort();
  }

  /** A channel that never had a headline: `empty:0`, and no state made for it. */
  async snapshot(channel: string): Promise<ChannelSnapshot> {
    const ch = this.logs.get(channel);
    if (!ch) return { epoch: EMPTY_EPOCH, offset: 0, headlines: [] };
    return { epoch: ch.epoch, offset: ch.offset, headlines: [...ch.live.values()].sort(compareNewestFirst) };
  }

  async readLog(channel: string, epoch: string, after: number, limit: number): Promise<LogRead> {
    // A channel with no log reads as Redis reads it (epoch ''), and gets no state from the read.
    const ch = this.logs.get(channel) ?? { epoch: '', offset: 0, log: [], live: new Map(), hidden: new Map<string, number>() };
    const first = ch.log[0]?.offset ?? ch.offset + 1;
    const complete = (epoch === ch.epoch || (epoch === '' && after === 0)) && after >= first - 1 && after <= ch.offset;
    const events = complete ? purgeHidden(ch.log.slice(after - first + 1, after - first + 1 + limit), ch.hidden) : [];
    return { epoch: ch.epoch, events, complete, head: ch.offset, first };
  }

  async deskList(channel: string): Promise<DeskHeadline[]> {
    return [...this.docs.values()].filter((d) => d.channel === channel).sort(compareNewestFirst).slice(0, DESK_LIST_LENGTH);
  }

  async due(now: number, limit: number): Promise<DueEntry[]> {
    const out: DueEntry[] = [];
    for (const [member, at] of this.schedule) {
      if (at > now) continue;
      const [kind, uri] = member.split('|') as [DueKind, string];
      out.push({ kind, uri });
      if (out.length >= limit) break;
    }
    return out;
  }

  on<K extends keyof EngineEvents>(name: K, listener: EngineEvents[K]): () => void {
    return this.emitter.on(name, listener);
  }

  async reportReaders(processId: string, counts: Record<string, number>, ttlMs: number): Promise<void> {
    this.readers.set(processId, { counts, until: Date.now() + ttlMs });
  }

  async readerCounts(): Promise<Record<string, number>> {
    const sum: Record<string, number> = {};
    const now = Date.now();
    for (const { counts, until } of this.readers.values()) {
      if (until < now) continue;
      for (const [channel, n] of Object.entries(counts)) sum[channel] = (sum[channel] ?? 0) + n;
    }
    return sum;
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}

  private readonly records = new Map<string, Map<string, string>>();
  private readonly lists = new Map<string, string[]>();
  private readonly leases = new Map<string, { owner: string; until: number }>();

  async recordGet(ns: string, id: string): Promise<string | null> {
    return this.records.get(ns)?.get(id) ?? null;
  }

  async recordPut(ns: string, id: string, value: string): Promise<void> {
    let map = this.records.get(ns);
    if (!map) this.records.set(ns, (map = new Map()));
    map.set(id, value);
  }

  async recordDelete(ns: string, id: string): Promise<boolean> {
    return this.records.get(ns)?.delete(id) ?? false;
  }

  async recordList(ns: string): Promise<Record<string, string>> {
    return Object.fromEntries(this.records.get(ns) ?? []);
  }

  async listPush(name: string, value: string, max: number): Promise<void> {
    const list = this.lists.get(name) ?? [];
    list.unshift(value);
    this.lists.set(name, list.slice(0, max));
  }

  async listRange(name: string, limit: number): Promise<string[]> {
    return (this.lists.get(name) ?? []).slice(0, limit);
  }

  async lease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    const held = this.leases.get(name);
    if (held && held.until > now && held.owner !== owner) return false;
    this.leases.set(name, { owner, until: now + ttlMs });
    return true;
  }

  async leaseRelease(name: string, owner: string): Promise<void> {
    if (this.leases.get(name)?.owner === owner) this.leases.delete(name);
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    this.appendAuditNow(entry);
  }

  private appendAuditNow(entry: AuditEntry): void {
    for (const [map, key] of [[this.audit.headline, entry.uri], [this.audit.channel, entry.channel]] as const) {
      const list = map.get(key) ?? [];
      list.push(entry);
      map.set(key, list);
    }
  }

  async headlineAudit(uri: string): Promise<AuditEntry[]> {
    return [...(this.audit.headline.get(uri) ?? [])];
  }

  async channelAudit(channel: string, limit: number, skip: number): Promise<AuditEntry[]> {
    return [...(this.audit.channel.get(channel) ?? [])].reverse().slice(skip, skip + limit);
  }

  async createAccount(account: Account): Promise<boolean> {
    if ([...this.accounts.values()].some((a) => a.name === account.name)) return false;
    this.accounts.set(account.id, account);
    this.accountKeys.set(account.keyDigest, account.id);
    queueMicrotask(() => this.emitter.emit('account', { type: 'account-changed', id: account.id }));
    return true;
  }

  async updateAccount(account: Account, previousDigest: string): Promise<void> {
    this.accounts.set(account.id, account);
    this.accountKeys.delete(previousDigest);
    if (!account.revokedAt) this.accountKeys.set(account.keyDigest, account.id);
    queueMicrotask(() => this.emitter.emit('account', { type: 'account-changed', id: account.id }));
  }

  async getAccount(id: string): Promise<Account | null> {
    return this.accounts.get(id) ?? null;
  }

  async accountByDigest(digest: string): Promise<Account | null> {
    const id = this.accountKeys.get(digest);
    return id ? (this.accounts.get(id) ?? null) : null;
  }

  async listAccounts(): Promise<Account[]> {
    return [...this.accounts.values()].sort((a, b) => a.name.localeCompare(b.name));
  }
}
