/**
 * The Redis engine: per-channel log (a stream with explicit offsets 0-N) with an epoch, the live
 * set, documents, schedule and idempotency records, changed by one Lua script per change that
 * also PUBLISHes the event, so nothing is stored without being fanned out. Every process
 * subscribes; after a lost subscription it signals `resync` and the hub repairs from the log.
 */
import { Redis, ReplyError } from 'ioredis';
import type { Logger } from 'pino';
import type { AuditEntry, DeskHeadline, Headline, TickerEvent } from '../../shared/index.js';
import { EMPTY_EPOCH, compareNewestFirst } from '../../shared/index.js';
import type { Metrics } from '../ops/metrics.js';
import { Emitter } from './emitter.js';
import { EngineUnavailableError, OutcomeUnknownError } from './errors.js';
import { newEpoch } from './epoch.js';
import { parseFanout } from './fanout.js';
import { COMMIT, READ_LOG, SNAPSHOT } from './redis-scripts.js';
import { CREATE_ACCOUNT, UPDATE_ACCOUNT } from './redis-accounts.js';
import type {
  Account, AccountNotice, ChannelSnapshot, CommitResult, DueEntry, DueKind, Engine, EngineEvents, IdempotentReplay, LogRead, Mutation,
} from './types.js';
import { VERSIONS_KEPT } from './types.js';

export interface RedisEngineOptions {
  url: string;
  /** Prefix of every key and pub/sub channel. @default 'nt' */
  prefix?: string;
  /** Approximate events kept per channel log. @default 10000 */
  logLength?: number;
  logger: Logger;
  metrics?: Metrics;
}

type ScriptReply = (string | number | string[])[];

interface ScriptedRedis extends Redis {
  ntCommit(...args: (string | number)[]): Promise<ScriptReply>;
  ntSnapshot(...args: (string | number)[]): Promise<ScriptReply>;
  ntReadLog(...args: (string | number)[]): Promise<ScriptReply>;
}

/** Redis refused the command before running it (so a write was not applied). */
const REFUSED = /^(LOADING|BUSY|MASTERDOWN|READONLY|OOM|MISCONF|NOREPLICAS|TRYAGAIN|CLUSTERDOWN)\b/;
/** ioredis rejected the command without sending it (offline queue disabled, stream not writable). */
const NOT_SENT = "Stream isn't writeable and enableOfflineQueue options is false";

const due = (at: number | null | undefined): string => (at === undefined ? '' : at === null ? 'x' : String(at));

export class RedisEngine implements Engine {
  readonly kind = 'redis' as const;
  private readonly emitter = new Emitter<EngineEvents>();
  private readonly cmd: ScriptedRedis;
  private readonly sub: Redis;
  private readonly p: string;
  private readonly logLength: number;
  private readonly logger: Logger;
  private subscribedOnce = false;
  /** Rejecters of writes sent and not yet answered: settled as unknown when the connection drops. */
  private readonly inFlight = new Set<(err: Error) => void>();

  constructor(private readonly options: RedisEngineOptions) {
    this.p = options.prefix ?? 'nt';
    this.logLength = options.logLength ?? 10_000;
    this.logger = options.logger.child({ engine: 'redis' });
    const common = {
      lazyConnect: true,
      // A command whose reply was lost is never sent again behind the caller's back: the caller
      // gets OUTCOME_UNKNOWN and resolves it (same Idempotency-Key, or a look-up).
      autoResendUnfulfilledCommands: false,
      retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 5), 1000) * (0.5 + Math.random() / 2),
    };
    // Commands: fail fast. Nothing is queued while disconnected (a queued publish answered 503
    // could otherwise go live when Redis returns); a reply that does not come within
    // commandTimeout settles the write as unknown.
    this.cmd = new Redis(options.url, {
      ...common, connectionName: 'news-ticker:cmd', enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 3_000,
    }) as ScriptedRedis;
    this.sub = new Redis(options.url, { ...common, connectionName: 'news-ticker:sub', maxRetriesPerRequest: null });
    this.cmd.defineCommand('ntCommit', { numberOfKeys: 13, lua: COMMIT });
    this.cmd.defineCommand('ntSnapshot', { numberOfKeys: 4, lua: SNAPSHOT });
    this.cmd.defineCommand('ntReadLog', { numberOfKeys: 4, lua: READ_LOG });
    this.cmd.on('close', () => {
      for (const lost of [...this.inFlight]) lost(new OutcomeUnknownError('the connection to redis was lost before the answer'));
    });
    for (const [name, conn] of [['cmd', this.cmd], ['sub', this.sub]] as const) {
      conn.on('error', (err: Error) => {
        options.metrics?.redisErrors.inc();
        this.logger.warn({ conn: name, err: err.message }, 'redis connection error');
      });
    }
    this.sub.on('ready', () => {
      if (this.subscribedOnce) {
        options.metrics?.redisReconnects.inc();
        this.logger.info('redis fan-out reconnected; repairing channel logs');
        this.emitter.emit('resync');
      }
      this.subscribedOnce = true;
    });
    this.sub.on('message', (channel: string, message: string) => this.onMessage(channel, message));
  }

  /**
   * Runs a read: EngineUnavailableError when Redis is not reachable (at once when the process
   * already knows), other Redis errors as they are.
   */
  private async read<T>(send: () => Promise<T>): Promise<T> {
    if (this.cmd.status !== 'ready') throw new EngineUnavailableError(`redis is ${this.cmd.status}`);
    try {
      return await send();
    } catch (err) {
      if (err instanceof ReplyError && !REFUSED.test((err as Error).message)) throw err;
      throw new EngineUnavailableError('redis did not answer', { cause: err });
    }
  }

  /**
   * Runs a write. Not sent (not connected, or refused by Redis before running):
   * EngineUnavailableError. Sent and not answered (connection lost, timeout) or failed while
   * running: OutcomeUnknownError, since Redis may have applied it.
   */
  private async write<T>(send: () => Promise<T>): Promise<T> {
    if (this.cmd.status !== 'ready') throw new EngineUnavailableError(`redis is ${this.cmd.status}`);
    let lost!: (err: Error) => void;
    const dropped = new Promise<never>((_resolve, reject) => (lost = reject));
    this.inFlight.add(lost);
    try {
      return await Promise.race([send(), dropped]);
    } catch (err) {
      if (err instanceof OutcomeUnknownError) throw err;
      const message = (err as Error | undefined)?.message ?? '';
      if (message === NOT_SENT || (err instanceof ReplyError && REFUSED.test(message))) {
        throw new EngineUnavailableError('redis refused the change', { cause: err });
      }
      throw new OutcomeUnknownError(undefined, { cause: err });
    } finally {
      this.inFlight.delete(lost);
    }
  }

  private key(...parts: string[]): string {
    return [this.p, ...parts].join(':');
  }

  private get eventsChannel(): string {
    return this.key('events');
  }

  private get deskChannel(): string {
    return this.key('desk');
  }

  async start(): Promise<void> {
    await Promise.all([this.cmd.connect(), this.sub.connect()]);
    await this.sub.subscribe(this.eventsChannel, this.deskChannel, this.accountsChannel);
  }

  private onMessage(channel: string, message: string): void {
    if (channel === this.accountsChannel) {
      // Account notices (rotate, revoke) carry only ids; a bad one is logged and dropped.
      try {
        this.emitter.emit('account', JSON.parse(message) as AccountNotice);
      } catch (err) {
        this.logger.error({ err }, 'unreadable account notice');
      }
      return;
    }
    if (channel !== this.eventsChannel && channel !== this.deskChannel) return;
    const msg = parseFanout(message);
    if (!msg) {
      // Not ours or another version: dropped; a missed event is repaired from the log.
      this.logger.warn({ channel, bytes: message.length }, 'unreadable fan-out message dropped');
      return;
    }
    if (msg.type === 'event') this.emitter.emit('event', msg.event);
    else this.emitter.emit('desk', msg.doc);
  }

  async commit(m: Mutation): Promise<CommitResult> {
    const partial = m.event
      ? JSON.stringify({ channel: m.channel, type: m.event.type, uri: m.uri, version: m.doc.version, at: m.event.at, ...(m.event.headline ? { headline: m.event.headline } : {}) })
      : '';
    const reply = await this.write(() => this.cmd.ntCommit(
      this.key('doc', m.uri), this.key('live', m.channel), this.key('log', m.channel), this.key('seq', m.channel),
      this.key('epoch', m.channel), this.key('due'), m.idempotency ? this.key('idem', m.idempotency.key) : this.key('idem', '-'),
      this.key('desk', m.channel), this.key('versions', m.uri), this.key('channels'), this.key('hidden', m.channel),
      this.key('audit', 'h', m.uri), this.key('audit', 'c', m.channel),
      m.expectVersion === null ? '' : String(m.expectVersion), String(m.doc.version), JSON.stringify(m.doc), m.live,
      m.live === 'set' && m.event?.headline ? JSON.stringify(m.event.headline) : '', partial, m.uri,
      due(m.due?.expire), due(m.due?.release), m.claim ? `${m.claim}|${m.uri}` : '',
      m.idempotency?.fingerprint ?? '', m.idempotency?.ttlMs ?? 0, this.eventsChannel, this.deskChannel, this.logLength,
      newEpoch(), Date.parse(m.doc.firstCreated), VERSIONS_KEPT, m.channel, m.hide ? '1' : '', m.audit ? JSON.stringify(m.audit) : '',
    ));
    const [status, a, b, c] = reply as string[];
    switch (status) {
      case 'ok': {
        if (!m.event) return { status: 'ok' };
        const event: TickerEvent = { channel: m.channel, epoch: a!, offset: Number(b), type: m.event.type, uri: m.uri, version: m.doc.version, at: m.event.at };
        if (m.event.headline) event.headline = m.event.headline;
        return { status: 'ok', event };
      }
      case 'conflict':
        return { status: 'conflict', currentVersion: a ? Number(a) : null };
      case 'claimed':
        return { status: 'claimed' };
      case 'replay':
        return { status: 'replay', replay: { fingerprint: a!, doc: JSON.parse(b!) as DeskHeadline, ...(c ? { cursor: c } : {}) } };
      default:
        throw new Error(`unexpected commit reply ${String(status)}`);
    }
  }

  async getDoc(uri: string): Promise<DeskHeadline | null> {
    const doc = await this.read(() => this.cmd.hget(this.key('doc', uri), 'doc'));
    return doc ? (JSON.parse(doc) as DeskHeadline) : null;
  }

  async idempotent(key: string): Promise<IdempotentReplay | null> {
    const [f, doc, cursor] = await this.read(() => this.cmd.hmget(this.key('idem', key), 'f', 'doc', 'cursor'));
    if (!f || !doc) return null;
    return { fingerprint: f, doc: JSON.parse(doc) as DeskHeadline, ...(cursor ? { cursor } : {}) };
  }

  async versions(uri: string): Promise<DeskHeadline[]> {
    return (await this.read(() => this.cmd.lrange(this.key('versions', uri), 0, -1))).map((json) => JSON.parse(json) as DeskHeadline);
  }

  async channels(): Promise<string[]> {
    return (await this.read(() => this.cmd.smembers(this.key('channels')))).sort();
  }

  async snapshot(channel: string): Promise<ChannelSnapshot> {
    const [epoch, offset, live] = (await this.read(() => this.cmd.ntSnapshot(
      this.key('epoch', channel), this.key('seq', channel), this.key('live', channel), this.key('log', channel), newEpoch(),
    ))) as [string, string, string[]];
    const headlines = live.map((json) => JSON.parse(json) as Headline).sort(compareNewestFirst);
    return { epoch: epoch || EMPTY_EPOCH, offset: Number(offset), headlines };
  }

  async readLog(channel: string, epoch: string, after: number, limit: number): Promise<LogRead> {
    const [current, head, first, complete, events] = (await this.read(() => this.cmd.ntReadLog(
      this.key('epoch', channel), this.key('seq', channel), this.key('log', channel), this.key('hidden', channel), epoch, after, limit,
    ))) as [string, number, number, number, string[]];
    return {
      epoch: current, head: Number(head), first: Number(first), complete: complete === 1,
      events: events.map((json) => JSON.parse(json) as TickerEvent),
    };
  }

  async deskList(channel: string): Promise<DeskHeadline[]> {
    const uris = await this.read(() => this.cmd.zrevrange(this.key('desk', channel), 0, 199));
    if (uris.length === 0) return [];
    const pipeline = this.cmd.pipeline();
    for (const uri of uris) pipeline.hget(this.key('doc', uri), 'doc');
    const replies = (await this.read(() => pipeline.exec())) ?? [];
    return replies.flatMap(([, doc]) => (typeof doc === 'string' ? [JSON.parse(doc) as DeskHeadline] : []));
  }

  async due(now: number, limit: number): Promise<DueEntry[]> {
    const members = await this.read(() => this.cmd.zrangebyscore(this.key('due'), '-inf', now, 'LIMIT', 0, limit));
    return members.map((member) => {
      const [kind, uri] = member.split('|') as [DueKind, string];
      return { kind, uri };
    });
  }

  on<K extends keyof EngineEvents>(name: K, listener: EngineEvents[K]): () => void {
    return this.emitter.on(name, listener);
  }

  async reportReaders(processId: string, counts: Record<string, number>, ttlMs: number): Promise<void> {
    await this.read(() => this.cmd.hset(this.key('readers'), processId, JSON.stringify({ counts, until: Date.now() + ttlMs })));
  }

  async readerCounts(): Promise<Record<string, number>> {
    const all = await this.read(() => this.cmd.hgetall(this.key('readers')));
    const sum: Record<string, number> = {};
    const now = Date.now();
    const stale: string[] = [];
    for (const [processId, json] of Object.entries(all)) {
      const { counts, until } = JSON.parse(json) as { counts: Record<string, number>; until: number };
      if (until < now) {
        stale.push(processId);
        continue;
      }
      for (const [channel, n] of Object.entries(counts)) sum[channel] = (sum[channel] ?? 0) + n;
    }
    if (stale.length) await this.read(() => this.cmd.hdel(this.key('readers'), ...stale));
    return sum;
  }

  async ping(): Promise<void> {
    if (this.sub.status !== 'ready') throw new EngineUnavailableError(`redis is ${this.sub.status}`);
    await this.read(() => this.cmd.ping());
  }

  async close(): Promise<void> {
    this.sub.disconnect();
    await this.cmd.quit().catch(() => this.cmd.disconnect());
  }

  // Feeds, webhooks, leases, the audit trail and accounts go through read/write too, so an outage
  // answers 503 ENGINE_UNAVAILABLE (or OUTCOME_UNKNOWN for a write in flight), never a bare 500.
  async recordGet(ns: string, id: string): Promise<string | null> {
    return this.read(() => this.cmd.hget(this.key('rec', ns), id));
  }

  async recordPut(ns: string, id: string, value: string): Promise<void> {
    await this.write(() => this.cmd.hset(this.key('rec', ns), id, value));
  }

  async recordDelete(ns: string, id: string): Promise<boolean> {
    return (await this.write(() => this.cmd.hdel(this.key('rec', ns), id))) > 0;
  }

  async recordList(ns: string): Promise<Record<string, string>> {
    return this.read(() => this.cmd.hgetall(this.key('rec', ns)));
  }

  async listPush(name: string, value: string, max: number): Promise<void> {
    await this.write(() => this.cmd.multi().lpush(this.key('list', name), value).ltrim(this.key('list', name), 0, max - 1).exec());
  }

  async listRange(name: string, limit: number): Promise<string[]> {
    return this.read(() => this.cmd.lrange(this.key('list', name), 0, limit - 1));
  }

  async lease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const taken = await this.write(() => this.cmd.eval(LEASE, 1, this.key('lease', name), owner, ttlMs));
    return taken === 1;
  }

  async leaseRelease(name: string, owner: string): Promise<void> {
    await this.write(() => this.cmd.eval(LEASE_RELEASE, 1, this.key('lease', name), owner));
  }

  private get accountsChannel(): string {
    return this.key('accounts-changed');
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    const json = JSON.stringify(entry);
    await this.write(() => this.cmd.multi().rpush(this.key('audit', 'h', entry.uri), json).rpush(this.key('audit', 'c', entry.channel), json).exec());
  }

  async headlineAudit(uri: string): Promise<AuditEntry[]> {
    return (await this.read(() => this.cmd.lrange(this.key('audit', 'h', uri), 0, -1))).map((json) => JSON.parse(json) as AuditEntry);
  }

  async channelAudit(channel: string, limit: number, skip: number): Promise<AuditEntry[]> {
    const list = await this.read(() => this.cmd.lrange(this.key('audit', 'c', channel), -(skip + limit), -(skip + 1)));
    return list.reverse().map((json) => JSON.parse(json) as AuditEntry);
  }

  async createAccount(account: Account): Promise<boolean> {
    const notice: AccountNotice = { type: 'account-changed', id: account.id };
    const created = await this.write(() => this.cmd.eval(
      CREATE_ACCOUNT, 3, this.key('accounts'), this.key('account-names'), this.key('account-keys'),
      account.id, account.name, JSON.stringify(account), account.keyDigest, this.accountsChannel, JSON.stringify(notice),
    ));
    return created === 1;
  }

  async updateAccount(account: Account, previousDigest: string): Promise<void> {
    const notice: AccountNotice = { type: 'account-changed', id: account.id };
    await this.write(() => this.cmd.eval(
      UPDATE_ACCOUNT, 2, this.key('accounts'), this.key('account-keys'),
      account.id, JSON.stringify(account), previousDigest, account.revokedAt ? '' : account.keyDigest, this.accountsChannel, JSON.stringify(notice),
    ));
  }

  async getAccount(id: string): Promise<Account | null> {
    const json = await this.read(() => this.cmd.hget(this.key('accounts'), id));
    return json ? (JSON.parse(json) as Account) : null;
  }

  async accountByDigest(digest: string): Promise<Account | null> {
    const id = await this.read(() => this.cmd.hget(this.key('account-keys'), digest));
    return id ? this.getAccount(id) : null;
  }

  async listAccounts(): Promise<Account[]> {
    const all = await this.read(() => this.cmd.hvals(this.key('accounts')));
    return all.map((json) => JSON.parse(json) as Account).sort((a, b) => a.name.localeCompare(b.name));
  }
}

const LEASE_RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0`;

/** Takes a free lease or renews one's own, atomically. */
const LEASE = `local v = redis.call('GET', KEYS[1])
if (not v) or v == ARGV[1] then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0`;
