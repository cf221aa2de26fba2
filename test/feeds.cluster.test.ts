/**
 * Feed ingest across two server processes on one private redis-server: both poll (their
 * pollers and forced polls at once), each item is published once; a process killed and
 * started again does not publish anything twice; a changed item is corrected once.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from './helpers/app.js';
import { startServerProcess, type ServerProcess } from './helpers/cluster.js';
import { startFeedServer, waitFor, type FeedServer } from './helpers/feed-server.js';
import { startRedis, type RedisProcess } from './helpers/redis.js';

interface TickerEvent { type: string; uri: string; headline?: { headline: string } }

const rss = (items: [string, string][]) => `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>وكالة</title><link>https://wire.example.com/</link><language>ar</language>${
  items.map(([guid, title]) => `<item><guid isPermaLink="false">${guid}</guid><title><![CDATA[${title}]]></title><link>/n/${guid}</link></item>`).join('')}</channel></rss>`;

describe('feed ingest on two processes', () => {
  let redis: RedisProcess;
  let feeds: FeedServer;
  let servers: ServerProcess[] = [];
  let env: Record<string, string>;

  beforeAll(async () => {
    redis = await startRedis();
    feeds = await startFeedServer();
    env = { REDIS_URL: redis.url, REDIS_PREFIX: `f${randomBytes(4).toString('hex')}` };
    servers = await Promise.all([startServerProcess(env), startServerProcess(env)]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.kill()));
    await feeds?.close();
    await redis?.stop();
  });

  const events = async (url: string, channel: string): Promise<TickerEvent[]> =>
    (await (await apiClient(url)(`/api/v1/channels/${channel}/events?limit=1000`, { key: '' })).json()).data.events;
  const polls = () => feeds.requests.filter((r) => r.path === '/wire.rss').length;

  it('publishes each item once whichever process polls, across a restart, and corrects a changed item once', async () => {
    const items: [string, string][] = [1, 2, 3, 4, 5].map((n) => [`g-${n}`, `عاجل: خبر رقم ${n}`]);
    feeds.set('/wire.rss', rss(items));
    const [a, b] = servers.map((s) => apiClient(s.url));
    expect((await a!('/api/v1/settings/feeds', { method: 'PUT', body: JSON.stringify({ allowPrivateAddresses: true }) })).status).toBe(200);
    const channel = `ar-wire-${randomBytes(3).toString('hex')}`;
    const created = await b!('/api/v1/feeds', { method: 'POST', body: JSON.stringify({ channel, url: `${feeds.url}/wire.rss`, pollSeconds: 1, urgency: 'flash' }) });
    expect(created.status).toBe(201);
    const { id } = (await created.json()).data;
    // Both processes poll at the same moment, while their pollers run too.
    await Promise.all([a!(`/api/v1/feeds/${id}/poll`, { method: 'POST' }), b!(`/api/v1/feeds/${id}/poll`, { method: 'POST' })]);
    const seen = polls();
    await waitFor(async () => (polls() >= seen + 2 ? true : undefined), 'two more polls by the pollers');
    const published = (await events(servers[0]!.url, channel)).filter((e) => e.type === 'published');
    expect(published.map((e) => e.headline!.headline).sort()).toEqual(items.map(([, t]) => t).sort());
    expect(new Set(published.map((e) => e.uri)).size).toBe(5);

    // A crash and a new process: nothing is published again; a new item is, once.
    await servers[0]!.kill();
    servers[0] = await startServerProcess(env);
    feeds.set('/wire.rss', rss([['g-6', 'عاجل: خبر رقم 6'], ...items.slice(0, 4), ['g-5', 'عاجل: خبر رقم 5 (محدث)']]));
    const all = await waitFor(async () => {
      const list = await events(servers[0]!.url, channel);
      return list.some((e) => e.type === 'corrected') && list.some((e) => e.headline?.headline === 'عاجل: خبر رقم 6') ? list : undefined;
    }, 'the new item and the correction');
    const after = polls();
    await waitFor(async () => (polls() >= after + 2 ? true : undefined), 'two more polls');
    const final = await events(servers[1]!.url, channel);
    expect(final.length).toBeGreaterThanOrEqual(all.length);
    expect(final.filter((e) => e.type === 'published')).toHaveLength(6);
    expect(final.filter((e) => e.type === 'corrected').map((e) => e.headline!.headline)).toEqual(['عاجل: خبر رقم 5 (محدث)']);
    expect(final.map((e) => e.type).filter((t) => t !== 'published' && t !== 'corrected')).toEqual([]);
    const live = (await (await apiClient(servers[0]!.url)(`/api/v1/channels/${channel}/headlines`, { key: '' })).json()).data.headlines;
    expect(live.map((h: { headline: string }) => h.headline)[0]).toBe('عاجل: خبر رقم 6');
    expect(live).toHaveLength(6);
  }, 120_000);
});
