/**
 * Rate limits through real HTTP and real sockets: 429 problem+json with the IETF RateLimit header
 * fields and Retry-After; per key for changes, per client address for reads and socket
 * connections; X-Forwarded-For believed only from a trusted proxy; shared by two processes on one
 * Redis; open (counted per process) while Redis is down.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaults } from '../server/config.js';
import { ADMIN_KEY, AR_KEY, EN_KEY, apiClient, useServer } from './helpers/app.js';
import { startServerProcess, type ServerProcess } from './helpers/cluster.js';
import { tryConnect } from './helpers/handshake.js';
import { startRedis, type RedisProcess } from './helpers/redis.js';

const channel = (prefix: string): string => `${prefix}-${randomBytes(4).toString('hex')}`;

async function expectLimited(res: Response, policy: string, quota: string): Promise<void> {
  expect(res.status).toBe(429);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const problem = await res.json();
  expect(problem).toMatchObject({ status: 429, code: 'RATE_LIMITED', type: 'https://news-ticker.dev/problems/rate-limited' });
  expect(res.headers.get('ratelimit-policy')).toBe(`"${policy}";${quota}`);
  expect(res.headers.get('ratelimit')).toMatch(new RegExp(`^"${policy}";r=0;t=\\d+$`));
  const retry = Number(res.headers.get('retry-after'));
  expect(retry).toBeGreaterThanOrEqual(1);
  expect(retry).toBeLessThanOrEqual(60);
}

describe('limits with the production defaults (memory engine)', () => {
  const server = useServer('memory', {
    rateLimitPublish: defaults.rateLimitPublish, rateLimitRead: defaults.rateLimitRead, rateLimitSocket: defaults.rateLimitSocket,
  });

  it('cuts a publish burst from one key at 120 a minute, while another key publishes on', async () => {
    expect(defaults.rateLimitPublish).toEqual({ points: 120, windowSec: 60 });
    const ar = channel('ar');
    const statuses: number[] = [];
    for (let i = 0; i < 121; i++) statuses.push((await server.publish(ar, { headline: `burst ${i}` }, { authorization: `Bearer ${AR_KEY}` })).status);
    expect(statuses.slice(0, 120).every((s) => s === 201)).toBe(true);
    expect(statuses[120]).toBe(429);
    // Edits count against the same key's limit.
    const edit = await server.api(`/api/v1/headlines/${'x'.repeat(12)}/retract`, { method: 'POST', key: AR_KEY, body: JSON.stringify({ reason: 'r' }) });
    await expectLimited(edit, 'publish', 'q=120;w=60');
    const other = await server.publish(channel('en'), { headline: 'another desk' }, { authorization: `Bearer ${EN_KEY}` });
    expect(other.status).toBe(201);
    expect(other.headers.get('ratelimit')).toBe('"publish";r=119;t=60');
    // Reads are counted per address, not against the key.
    const read = await server.api(`/api/v1/channels/${ar}/headlines`, { key: '' });
    expect(read.status).toBe(200);
    expect(read.headers.get('ratelimit-policy')).toBe('"read";q=1200;w=60');
  }, 60_000);

  it('lets a flash crowd of 200 readers behind one address connect', async () => {
    const outcomes = await Promise.all(Array.from({ length: 200 }, () => tryConnect(server.url)));
    expect(outcomes.filter((o) => o.connected)).toHaveLength(200);
  });
});

describe('read and socket limits per client address, X-Forwarded-For only from a trusted proxy', () => {
  const trusted = useServer('memory', {
    trustProxy: ['loopback'], rateLimitRead: { points: 3, windowSec: 60 }, rateLimitSocket: { points: 2, windowSec: 60 },
  });
  const untrusted = useServer('memory', { rateLimitRead: { points: 3, windowSec: 60 }, rateLimitSocket: { points: 2, windowSec: 60 } });

  it('answers the read over the limit with 429, and another address is unaffected', async () => {
    const read = (from: string) => apiClient(trusted.url)('/api/v1/readers', { key: '', headers: { 'x-forwarded-for': from } });
    const remaining: (string | null)[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await read('203.0.113.1');
      expect(res.status).toBe(200);
      remaining.push(res.headers.get('ratelimit'));
    }
    expect(remaining.map((r) => r?.match(/r=(\d+)/)?.[1])).toEqual(['2', '1', '0']);
    await expectLimited(await read('203.0.113.1'), 'read', 'q=3;w=60');
    // The proxy appended the client's address to a forged header: the forged part is not believed.
    await expectLimited(await read('198.51.100.9, 203.0.113.1'), 'read', 'q=3;w=60');
    expect((await read('203.0.113.2')).status).toBe(200);
  });

  it('ignores X-Forwarded-For when no proxy is trusted', async () => {
    const read = (from: string) => apiClient(untrusted.url)('/api/v1/readers', { key: '', headers: { 'x-forwarded-for': from } });
    for (let i = 0; i < 3; i++) expect((await read(`192.0.2.${i}`)).status).toBe(200);
    await expectLimited(await read('192.0.2.99'), 'read', 'q=3;w=60');
  });

  it('refuses a socket over the per-address limit at the handshake, while another address connects', async () => {
    expect(await tryConnect(trusted.url, { forwardedFor: '198.51.100.7' })).toEqual({ connected: true });
    expect(await tryConnect(trusted.url, { forwardedFor: '198.51.100.7' })).toEqual({ connected: true });
    const refused = await tryConnect(trusted.url, { forwardedFor: '198.51.100.7' });
    expect(refused).toMatchObject({ connected: false, message: 'RATE_LIMITED', data: { code: 'RATE_LIMITED' } });
    if (refused.connected) throw new Error('unreachable');
    expect(refused.data?.message).toContain('2 per 60 s');
    expect(refused.data?.retryAfter).toBeGreaterThanOrEqual(1);
    expect(await tryConnect(trusted.url, { forwardedFor: '198.51.100.8' })).toEqual({ connected: true });
  });

  it('counts sockets by the peer address when no proxy is trusted, whatever X-Forwarded-For says', async () => {
    expect(await tryConnect(untrusted.url, { forwardedFor: '192.0.2.10' })).toEqual({ connected: true });
    expect(await tryConnect(untrusted.url, { forwardedFor: '192.0.2.11' })).toEqual({ connected: true });
    expect(await tryConnect(untrusted.url, { forwardedFor: '192.0.2.12' })).toMatchObject({ connected: false, data: { code: 'RATE_LIMITED' } });
  });
});

describe('limits shared by two processes on one Redis', () => {
  let redis: RedisProcess;
  let a: ServerProcess;
  let b: ServerProcess;
  beforeAll(async () => {
    redis = await startRedis();
    const env = {
      REDIS_URL: redis.url, REDIS_PREFIX: `l${randomBytes(3).toString('hex')}`, TRUST_PROXY: 'loopback',
      RATE_LIMIT_PUBLISH: '4/60s', RATE_LIMIT_READ: '5/60s', RATE_LIMIT_SOCKET: '3/60s',
    };
    // One after the other: two cold starts at once can outlast the start timeout on a busy machine.
    a = await startServerProcess(env);
    b = await startServerProcess(env);
  }, 150_000);
  afterAll(async () => {
    await Promise.all([a?.kill(), b?.kill()]);
    await redis?.stop();
  });

  it('counts one key\'s publishes on both processes together; another key is unaffected', async () => {
    const ar = channel('ar');
    const publish = (url: string, key: string, ch = ar) =>
      apiClient(url)(`/api/v1/channels/${ch}/headlines`, { method: 'POST', key, body: JSON.stringify({ headline: 'shared limit' }) });
    const statuses = [];
    for (const url of [a.url, b.url, a.url, b.url]) statuses.push((await publish(url, AR_KEY)).status);
    expect(statuses).toEqual([201, 201, 201, 201]);
    await expectLimited(await publish(a.url, AR_KEY), 'publish', 'q=4;w=60');
    await expectLimited(await publish(b.url, AR_KEY), 'publish', 'q=4;w=60');
    expect((await publish(b.url, EN_KEY, channel('en'))).status).toBe(201);
    expect((await publish(a.url, ADMIN_KEY)).status).toBe(201);
  });

  it('counts one address\'s reads on both processes together', async () => {
    const read = (url: string, from: string) => apiClient(url)('/api/v1/readers', { key: '', headers: { 'x-forwarded-for': from } });
    for (const url of [a.url, b.url, a.url, b.url, a.url]) expect((await read(url, '203.0.113.50')).status).toBe(200);
    await expectLimited(await read(b.url, '203.0.113.50'), 'read', 'q=5;w=60');
    expect((await read(b.url, '203.0.113.51')).status).toBe(200);
  });

  it('counts one address\'s socket connections on both processes together', async () => {
    for (const url of [a.url, b.url, a.url]) expect(await tryConnect(url, { forwardedFor: '198.51.100.70' })).toEqual({ connected: true });
    expect(await tryConnect(b.url, { forwardedFor: '198.51.100.70' })).toMatchObject({ connected: false, data: { code: 'RATE_LIMITED' } });
    expect(await tryConnect(b.url, { forwardedFor: '198.51.100.71' })).toEqual({ connected: true });
  });
});

describe('while Redis is down the limits fail open, counted per process', () => {
  const server = useServer('redis', { trustProxy: ['loopback'], rateLimitSocket: { points: 2, windowSec: 60 } });

  it('still accepts sockets up to the limit, and still refuses over it', async () => {
    await server.redis!.kill();
    expect(await tryConnect(server.url, { forwardedFor: '198.51.100.90' })).toEqual({ connected: true });
    expect(await tryConnect(server.url, { forwardedFor: '198.51.100.90' })).toEqual({ connected: true });
    expect(await tryConnect(server.url, { forwardedFor: '198.51.100.90' })).toMatchObject({ connected: false, data: { code: 'RATE_LIMITED' } });
    // A publish is refused by the store, not by the limiter.
    const res = await server.publish(channel('ar'), { headline: 'redis is down' });
    expect(res.status).toBe(503);
    expect((await res.json()).code).toBe('ENGINE_UNAVAILABLE');
  });
});
