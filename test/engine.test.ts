/** The engine suite: the same behaviour from the memory engine and the Redis engine. */
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeadlineService } from '../server/domain/service.js';
import { MemoryEngine } from '../server/engine/memory.js';
import { RedisEngine } from '../server/engine/redis.js';
import type { Engine } from '../server/engine/types.js';
import { publishInputSchema, type TickerEvent } from '../shared/index.js';
import { ENGINES, type EngineKind } from './helpers/app.js';
import { startRedis, type RedisProcess } from './helpers/redis.js';

const logger = pino({ level: 'silent' });
const input = (headline: string, extra: Record<string, unknown> = {}) => publishInputSchema.parse({ headline, ...extra });

describe.each(ENGINES)('engine: %s', (kind: EngineKind) => {
  let redis: RedisProcess | undefined;
  const engines: Engine[] = [];

  /** A new engine on fresh, shared storage: `pair` gives two engines on the same storage (two processes). */
  async function storage(opts: { logLength?: number } = {}): Promise<[Engine, Engine]> {
    if (kind === 'memory') {
      const e = new MemoryEngine(opts);
      return [e, e];
    }
    const prefix = `e${randomBytes(4).toString('hex')}`;
    const make = async () => {
      const e = new RedisEngine({ url: redis!.url, prefix, logger, ...opts });
      await e.start();
      engines.push(e);
      return e;
    };
    return [await make(), await make()];
  }

  const nextEvent = (engine: Engine, match: (e: TickerEvent) => boolean) =>
    new Promise<TickerEvent>((resolve) => {
      const off = engine.on('event', (e) => {
        if (match(e)) {
          off();
          resolve(e);
        }
      });
    });

  beforeAll(async () => {
    if (kind === 'redis') redis = await startRedis();
  });
  afterAll(async () => {
    await Promise.all(engines.map((e) => e.close()));
    await redis?.stop();
  });

  it('commits a headline to the live set and the log, and fans it out to every process', async () => {
    const [a, b] = await storage();
    const service = new HeadlineService({ engine: a, logger });
    const seenByOther = nextEvent(b, (e) => e.channel === 'c1');
    const result = await service.publish('c1', input('first'));
    const event = await seenByOther;
    expect(event).toMatchObject({ channel: 'c1', offset: 1, type: 'published', uri: result.headline.uri, version: 1 });
    expect(result.cursor).toBe(`${event.epoch}:1`);
    const snap = await b.snapshot('c1');
    expect(snap).toMatchObject({ epoch: event.epoch, offset: 1 });
    expect(snap.headlines.map((h) => h.headline)).toEqual(['first']);
    const log = await b.readLog('c1', event.epoch, 0, 10);
    expect(log).toMatchObject({ complete: true, head: 1, first: 1 });
    expect(log.events).toEqual([event]);
  });

  it('numbers events per channel from 1 with no gaps, under concurrency', async () => {
    const [a] = await storage();
    const service = new HeadlineService({ engine: a, logger });
    await Promise.all(Array.from({ length: 30 }, (_, i) => service.publish(i % 2 ? 'odd' : 'even', input(`n${i}`))));
    for (const channel of ['odd', 'even']) {
      const snap = await a.snapshot(channel);
      const log = await a.readLog(channel, snap.epoch, 0, 100);
      expect(log.events.map((e) => e.offset)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    }
  });

  it('refuses a change made against a stale version (compare-and-set)', async () => {
    const [a] = await storage();
    const service = new HeadlineService({ engine: a, logger });
    const { headline } = await service.publish('c', input('v1'));
    const stale = { ...headline, version: 2 };
    const res = await a.commit({ uri: headline.uri, channel: 'c', expectVersion: 7, doc: stale, live: 'keep' });
    expect(res).toEqual({ status: 'conflict', currentVersion: 1 });
    const dup = await a.commit({ uri: headline.uri, channel: 'c', expectVersion: null, doc: stale, live: 'keep' });
    expect(dup).toEqual({ status: 'conflict', currentVersion: 1 });
    expect((await a.getDoc(headline.uri))?.version).toBe(1);
  });

  it('replays an idempotent publish and refuses the same key for a different request', async () => {
    const [a] = await storage();
    const service = new HeadlineService({ engine: a, logger });
    const first = await service.publish('c', input('once'), { key: 'k1', scope: 'desk' });
    const again = await service.publish('c', input('once'), { key: 'k1', scope: 'desk' });
    expect(again).toEqual({ ...first, replayed: true });
    await expect(service.publish('c', input('different'), { key: 'k1', scope: 'desk' })).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    const other = await service.publish('c', input('once'), { key: 'k1', scope: 'another-key' });
    expect(other.headline.uri).not.toBe(first.headline.uri);
    expect((await a.snapshot('c')).headlines).toHaveLength(2);
  });

  it('expires a headline exactly once when several processes run the schedule at once', async () => {
    const [a, b] = await storage();
    let now = Date.parse('2026-01-01T00:00:00Z');
    const clock = () => new Date(now);
    const one = new HeadlineService({ engine: a, logger, clock });
    const two = new HeadlineService({ engine: b, logger, clock });
    const { headline } = await one.publish('x', input('short-lived', { expires: new Date(now + 60_000).toISOString() }));
    expect(await one.runDue()).toBe(0);
    now += 61_000;
    const counts = await Promise.all([one.runDue(), two.runDue(), one.runDue(), two.runDue()]);
    expect(counts.reduce((s, n) => s + n, 0)).toBe(1);
    const snap = await a.snapshot('x');
    expect(snap.headlines).toEqual([]);
    const log = await a.readLog('x', snap.epoch, 0, 10);
    expect(log.events.map((e) => e.type)).toEqual(['published', 'expired']);
    expect((await a.getDoc(headline.uri))?.status).toBe('expired');
  });

  it('keeps an embargoed headline out of the log and the live set until the embargo ends', async () => {
    const [a] = await storage();
    let now = Date.parse('2026-01-01T00:00:00Z');
    const service = new HeadlineService({ engine: a, logger, clock: () => new Date(now) });
    const { headline, cursor } = await service.publish('emb', input('not yet', { embargoedUntil: new Date(now + 30_000).toISOString() }));
    expect(headline.status).toBe('embargoed');
    expect(cursor).toBeUndefined();
    expect((await a.snapshot('emb')).headlines).toEqual([]);
    now += 29_000;
    expect(await service.runDue()).toBe(0);
    now += 2_000;
    expect(await service.runDue()).toBe(1);
    const snap = await a.snapshot('emb');
    expect(snap.headlines.map((h) => h.headline)).toEqual(['not yet']);
    const log = await a.readLog('emb', snap.epoch, 0, 10);
    expect(log.events.map((e) => e.type)).toEqual(['published']);
  });

  it('says when a cursor is older than the retained log, or from another epoch', async () => {
    const [a] = await storage({ logLength: 100 });
    const service = new HeadlineService({ engine: a, logger });
    for (let i = 0; i < 260; i++) await service.publish('long', input(`h${i}`));
    const snap = await a.snapshot('long');
    const old = await a.readLog('long', snap.epoch, 1, 10);
    expect(old.complete).toBe(false);
    expect(old.first).toBeGreaterThan(2);
    const recent = await a.readLog('long', snap.epoch, 255, 10);
    expect(recent).toMatchObject({ complete: true, head: 260 });
    expect(recent.events.map((e) => e.offset)).toEqual([256, 257, 258, 259, 260]);
    expect((await a.readLog('long', 'otherepoch', 255, 10)).complete).toBe(false);
  });

  it('keeps each headline\'s versions and the channels that have had headlines', async () => {
    const [a, b] = await storage();
    const service = new HeadlineService({ engine: a, logger });
    const { headline } = await service.publish('ver-a', input('v1'));
    await service.correct(headline.uri, { headline: 'v2', edNote: 'fix' });
    await service.hold(headline.uri, 'check');
    await service.publish('ver-b', input('other'));
    const versions = await b.versions(headline.uri);
    expect(versions.map((v) => [v.version, v.headline, v.status, v.edNote])).toEqual([
      [1, 'v1', 'live', undefined], [2, 'v2', 'live', 'fix'], [3, 'v2', 'held', 'fix'],
    ]);
    expect(await b.channels()).toEqual(expect.arrayContaining(['ver-a', 'ver-b']));
  });

  it('serves a held or killed headline\'s earlier events without text, to every process, keeping offsets', async () => {
    const [a, b] = await storage();
    const service = new HeadlineService({ engine: a, logger });
    const { headline } = await service.publish('purge', input('secret v1'));
    const other = await service.publish('purge', input('other'));
    await service.correct(headline.uri, { headline: 'secret v2', edNote: 'fix' });
    await service.hold(headline.uri, 'check');
    const snap = await b.snapshot('purge');
    const shape = (e: TickerEvent) => [e.offset, e.type, e.uri === headline.uri ? 'x' : 'o', e.version, e.headline?.headline];
    expect((await b.readLog('purge', snap.epoch, 0, 10)).events.map(shape)).toEqual([
      [1, 'published', 'x', 1, undefined], [2, 'published', 'o', 1, 'other'], [3, 'corrected', 'x', 2, undefined], [4, 'withheld', 'x', 3, undefined],
    ]);
    await service.release(headline.uri);
    expect((await b.readLog('purge', snap.epoch, 3, 10)).events.map(shape)).toEqual([[4, 'withheld', 'x', 3, undefined], [5, 'released', 'x', 4, 'secret v2']]);
    await service.retract(headline.uri, 'legal');
    const log = await a.readLog('purge', snap.epoch, 0, 10);
    expect(JSON.stringify(log.events)).not.toContain('secret');
    expect(log.events.map((e) => e.offset)).toEqual([1, 2, 3, 4, 5, 6]);
    expect((await b.versions(headline.uri)).map((v) => v.headline)).toEqual(['secret v1', 'secret v2', 'secret v2', 'secret v2', 'secret v2']);
    expect(other.headline.headline).toBe('other');
  });

  it('sums reader counts reported by several processes and forgets stale reports', async () => {
    const [a, b] = await storage();
    await a.reportReaders('p1', { news: 3 }, 60_000);
    await b.reportReaders('p2', { news: 2, sport: 1 }, 60_000);
    await b.reportReaders('p3', { news: 100 }, -1);
    expect(await a.readerCounts()).toEqual({ news: 5, sport: 1 });
  });
});
