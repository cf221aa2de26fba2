/**
 * The Redis engine: per-channel log (a stream with explicit offsets 0-N) with an epoch, the live
 * set, documents, schedule and idempotency records, changed by one Lua script per change that
 * also PUBLISHes the event, so nothing is stored without being fanned out. Every process
 * subscribes; after a lost subscription it signals `resync` and the hub repairs from the log.
 */
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AuditEntry, DeskHeadline, Headline, TickerEvent } from '../../shared/index.js';
import { compareNewestFirst } from '../../shared/index.js';
import type { Metrics } from '../ops/metrics.js';
import { Emitter } from './emitter.js';
import { newEpoch } from './epoch.js';
import { COMMIT, READ_LOG, SNAPSHOT } from './redis-scripts.js';
import { CREATE_ACCOUNT, UPDATE_ACCOUNT } from './redis-accounts.js';
import type {
  Account, AccountNotice, ChannelSnapshot, CommitResult, DueEntry, DueKind, Engine, EngineEvents, LogRead, Mutation,
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

  constructor(private readonly options: RedisEngineOptions) {
    this.p = options.prefix ?? 'nt';
    this.logLength = options.logLength ?? 10_000;
    this.logger = options.logger.child({ engine: 'redis' });
    const common = {
      lazyConnect: true,
      maxRetriesPerRequest: 5,
      // A command whose reply was lost is not sent again (ioredis then drops it, so
      // commandTimeout settles it): the caller sees a 503 and retries with its Idempotency-Key,
      // rather than a change running twice behind its back.
      autoResendUnfulfilledCommands: false,
      retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 5), 1000) * (0.5 + Math.random() / 2),
    };
    this.cmd = new Redis(options.url, { ...common, connectionName: 'news-ticker:cmd', commandTimeout: 3_000 }) as ScriptedRedis;
    this.sub = new Redis(options.url, { ...common, connectionName: 'news-ticker:sub', maxRetriesPerRequest: null });
    this.cmd.defineCommand('ntCommit', { numberOfKeys: 10, lua: COMMIT });
    this.cmd.defineCommand('ntSnapshot', { numberOfKeys: 4, lua: SNAPSHOT });
    this.cmd.defineCommand('ntReadLog', { numberOfKeys: 3, lua: READ_LOG });
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
    try {
      if (channel === this.eventsChannel) this.emitter.emit('event', JSON.parse(message) as TickerEvent);
      else if (channel === this.deskChannel) this.emitter.emit('desk', JSON.parse(message) as DeskHeadline);
      else if (channel === this.accountsChannel) this.emitter.emit('account', JSON.parse(message) as AccountNotice);
    } catch (err) {
      this.logger.error({ err }, 'unreadable fan-out message');
    }
  }

  async commit(m: Mutation): Promise<CommitResult> {
    const partial = m.event
      ? JSON.stringify({ channel: m.channel, type: m.event.type, uri: m.uri, version: m.doc.version, at: m.event.at, ...(m.event.headline ? { headline: m.event.headline } : {}) })
      : '';
    const reply = await this.cmd.ntCommit(
      this.key('doc', m.uri), this.key('live', m.channel), this.key('log', m.channel), this.key('seq', m.channel),
      this.key('epoch', m.channel), this.key('due'), m.idempotency ? this.key('idem', m.idempotency.key) : this.key('idem', '-'),
      this.key('desk', m.channel), this.key('versions', m.uri), this.key('channels'),
      m.expectVersion === null ? '' : String(m.expectVersion), String(m.doc.version), JSON.stringify(m.doc), m.live,
      m.live === 'set' && m.event?.headline ? JSON.stringify(m.event.headline) : '', partial, m.uri,
      due(m.due?.expire), due(m.due?.release), m.claim ? `${m.claim}|${m.uri}` : '',
      m.idempotency?.fingerprint ?? '', m.idempotency?.ttlMs ?? 0, this.eventsChannel, this.deskChannel, this.logLength,
      newEpoch(), Date.parse(m.doc.firstCreated), VERSIONS_KEPT, m.channel,
    );
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
    const doc = await this.cmd.hget(this.key('doc', uri), 'doc');
    return doc ? (JSON.parse(doc) as DeskHeadline) : null;
  }

  async versions(uri: string): Promise<DeskHeadline[]> {
    return (await this.cmd.lrange(this.key('versions', uri), 0, -1)).map((json) => JSON.parse(json) as DeskHeadline);
  }

  async channels(): Promise<string[]> {
    return (await this.cmd.smembers(this.key('channels'))).sort();
  }

  async snapshot(channel: string): Promise<ChannelSnapshot> {
    const [epoch, offset, live] = (await this.cmd.ntSnapshot(
      this.key('epoch', channel), this.key('seq', channel), this.key('live', channel), this.key('log', channel), newEpoch(),
    )) as [string, string, string[]];
    const headlines = live.map((json) => JSON.parse(json) as Headline).sort(compareNewestFirst);
    return { epoch, offset: Number(offset), headlines };
  }

  async readLog(channel: string, epoch: string, after: number, limit: number): Promise<LogRead> {
    const [current, head, first, complete, events] = (await this.cmd.ntReadLog(
      this.key('epoch', channel), this.key('seq', channel), this.key('log', channel), epoch, after, limit,
    )) as [string, number, number, number, string[]];
    return {
      epoch: current, head: Number(head), first: Number(first), complete: complete === 1,
      events: events.map((json) => JSON.parse(json) as TickerEvent),
    };
  }

  async deskList(channel: string): Promise<DeskHeadline[]> {
    const uris = await this.cmd.zrevrange(this.key('desk', channel), 0, 199);
    if (uris.length === 0) return [];
    const pipeline = this.cmd.pipeline();
    for (const uri of uris) pipeline.hget(this.key('doc', uri), 'doc');
    const replies = (await pipeline.exec()) ?? [];
    return replies.flatMap(([, doc]) => (typeof doc === 'string' ? [JSON.parse(doc) as DeskHeadline] : []));
  }

  async due(now: number, limit: number): Promise<DueEntry[]> {
    const members = await this.cmd.zrangebyscore(this.key('due'), '-inf', now, 'LIMIT', 0, limit);
    return members.map((member) => {
      const [kind, uri] = member.split('|') as [DueKind, string];
      return { kind, uri };
    });
  }

  on<K extends keyof EngineEvents>(name: K, listener: EngineEvents[K]): () => void {
    return this.emitter.on(name, listener);
  }

  async reportReaders(processId: string, counts: Record<string, number>, ttlMs: number): Promise<void> {
    await this.cmd.hset(this.key('readers'), processId, JSON.stringify({ counts, until: Date.now() + ttlMs }));
  }

  async readerCounts(): Promise<Record<string, number>> {
    const all = await this.cmd.hgetall(this.key('readers'));
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
    if (stale.length) await this.cmd.hdel(this.key('readers'), ...stale);
    return sum;
  }

  async ping(): Promise<void> {
    if (this.cmd.status !== 'ready' || this.sub.status !== 'ready') throw new Error(`redis is ${this.cmd.status}`);
    await this.cmd.ping();
  }

  async close(): Promise<void> {
    this.sub.disconnect();
    await this.cmd.quit().catch(() => this.cmd.disconnect());
  }

  private get accountsChannel(): string {
    return this.key('accounts-changed');
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    const json = JSON.stringify(entry);
    await this.cmd.multi().rpush(this.key('audit', 'h', entry.uri), json).rpush(this.key('audit', 'c', entry.channel), json).exec();
  }

  async headlineAudit(uri: string): Promise<AuditEntry[]> {
    return (await this.cmd.lrange(this.key('audit', 'h', uri), 0, -1)).map((json) => JSON.parse(json) as AuditEntry);
  }

  async channelAudit(channel: string, limit: number, skip: number): Promise<AuditEntry[]> {
    const list = await this.cmd.lrange(this.key('audit', 'c', channel), -(skip + limit), -(skip + 1));
    return list.reverse().map((json) => JSON.parse(json) as AuditEntry);
  }

  async createAccount(account: Account): Promise<boolean> {
    const notice: AccountNotice = { type: 'account-changed', id: account.id };
    const created = await this.cmd.eval(
      CREATE_ACCOUNT, 3, this.key('accounts'), this.key('account-names'), this.key('account-keys'),
      account.id, account.name, JSON.stringify(account), account.keyDigest, this.accountsChannel, JSON.stringify(notice),
    );
    return created === 1;
  }

  async updateAccount(account: Account, previousDigest: string): Promise<void> {
    const notice: AccountNotice = { type: 'account-changed', id: account.id };
    await this.cmd.eval(
      UPDATE_ACCOUNT, 2, this.key('accounts'), this.key('account-keys'),
      account.id, JSON.stringify(account), previousDigest, account.revokedAt ? '' : account.keyDigest, this.accountsChannel, JSON.stringify(notice),
    );
  }

  async getAccount(id: string): Promise<Account | null> {
    const json = await this.cmd.hget(this.key('accounts'), id);
    return json ? (JSON.parse(json) as Account) : null;
  }

  async accountByDigest(digest: string): Promise<Account | null> {
    const id = await this.cmd.hget(this.key('account-keys'), digest);
    return id ? this.getAccount(id) : null;
  }

  async listAccounts(): Promise<Account[]> {
    const all = await this.cmd.hvals(this.key('accounts'));
    return all.map((json) => JSON.parse(json) as Account).sort((a, b) => a.name.localeCompare(b.name));
  }
}
