/**
 * Channel flood: one socket asks to follow 10,000 made-up channels; a well-behaved socket
 * follows 20 of them; 1,000 anonymous reads of unknown channels. None of it may create Redis
 * keys, metric labels, reader-count entries or lasting memory. The server runs in a child
 * process with --expose-gc, so its heap is measured after a forced GC (test/helpers/gc-server.ts).
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ack, ClosingNotice } from '../shared/protocol.js';
import { apiClient, type TickerClientSocket } from './helpers/app.js';
import { startGcServer, type GcServer } from './helpers/gc-process.js';
import { Reader } from './helpers/reader.js';
import { startRedis, type RedisProcess } from './helpers/redis.js';

const FLOOD = 10_000;
const READS = 1_000;

async function connect(url: string): Promise<TickerClientSocket> {
  const socket: TickerClientSocket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

/**
 * A /metrics body without the GC duration series: their `kind` labels (minor, major,
 * incremental) appear as the process first runs each kind of GC, whatever the traffic.
 */
const stable = (body: string): string => body.split('\n').filter((l) => !l.includes('ticker_nodejs_gc_duration_seconds')).join('\n');
/** Every metric series (name and labels) in a /metrics body. */
const seriesOf = (body: string): string[] => stable(body).split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.slice(0, l.lastIndexOf(' '))).sort();

describe('a channel flood on the Redis engine', () => {
  let redisProc: RedisProcess;
  let redis: Redis;
  let server: GcServer;
  const prefix = `fl${randomBytes(3).toString('hex')}`;
  beforeAll(async () => {
    redisProc = await startRedis();
    redis = new Redis(redisProc.url);
    server = await startGcServer({ REDIS_URL: redisProc.url, REDIS_PREFIX: prefix });
  }, 90_000);
  afterAll(async () => {
    redis?.disconnect();
    await server?.stop();
    await redisProc?.stop();
  });

  it('leaves no keys, labels, reader entries or memory behind', async () => {
    const api = apiClient(server.url);
    const keys = async () => (await redis.keys('*')).sort();
    const metrics = async () => (await api('/metrics')).text();
    const readers = async () => (await api('/api/v1/readers', { key: '' })).text();
    const hubChannels = (body: string) => Number(/^ticker_hub_channels (\d+)/m.exec(body)?.[1]);

    // A real channel with a reader, so the outputs have something in them; then warm-up traffic
    // of the same kinds as the flood, so lazily built code paths are not counted as growth.
    expect((await api('/api/v1/channels/real-news/headlines', { method: 'POST', body: JSON.stringify({ headline: 'real' }) })).status).toBe(201);
    const reader = new Reader(server.url, ['real-news']);
    await reader.subscribe();
    for (let i = 0; i < 50; i++) await (await api(`/api/v1/channels/warm-${i}/headlines`, { key: '' })).text();
    const warm = await connect(server.url);
    await new Promise((resolve) => warm.emit('channels:subscribe', { channels: [{ channel: 'warm-a' }, { channel: 'warm-b' }] }, resolve));
    warm.disconnect();
    // Reader counts are reported every 2 s; wait until /readers shows the real reader.
    for (let i = 0; i < 100 && !(await readers()).includes('"real-news":1'); i++) await new Promise((r) => setTimeout(r, 100));

    const heapBefore = await server.heapUsed();
    const before = { keys: await keys(), dbsize: await redis.dbsize(), metrics: await metrics(), readers: await readers(), heap: heapBefore };
    expect(before.readers).toBe('{"data":{"channels":{"real-news":1}}}');

    // 1. One socket asks for 10,000 channels, one subscribe call each.
    const flood = await connect(server.url);
    let ok = 0;
    const refused: Record<string, number> = {};
    const closing = new Promise<ClosingNotice>((resolve) => flood.once('connection:closing', resolve));
    const gone = new Promise<void>((resolve) => flood.once('disconnect', () => resolve()));
    for (let i = 0; i < FLOOD; i++) {
      flood.emit('channels:subscribe', { channels: [{ channel: `junk-${i}` }] }, (res: Ack<unknown>) => {
        if ('data' in res) ok++;
        else refused[res.error.code] = (refused[res.error.code] ?? 0) + 1;
      });
    }
    const notice = await closing;
    await gone;
    expect(notice.code).toBe('TOO_MANY_BAD_EVENTS');
    // At most 20 followed at once; the accepted ones answer after their catch-up, which may be
    // after the close (then the ack is dropped with the socket).
    expect(ok).toBeLessThanOrEqual(20);
    // Refusals answered before the close arrive; the rest go with the socket.
    for (const code of Object.keys(refused)) expect(['TOO_MANY_CHANNELS', 'TOO_MANY_SUBSCRIBES']).toContain(code);

    // 2. A polite socket follows 20 unknown channels: while it does, nothing public shows them.
    const polite = await connect(server.url);
    const res = await new Promise<Ack<{ channels: unknown[] }>>((resolve) =>
      polite.emit('channels:subscribe', { channels: Array.from({ length: 20 }, (_, i) => ({ channel: `junk-p${i}` })) }, resolve));
    expect('data' in res && res.data.channels).toHaveLength(20);
    // 3. 1,000 anonymous reads of unknown channels.
    for (let i = 0; i < READS; i += 10) {
      const bodies = await Promise.all(Array.from({ length: 10 }, async (_, j) => {
        const r = await api(`/api/v1/channels/junk-${i + j}/headlines`, { key: '' });
        expect(r.status).toBe(200);
        return r.json();
      }));
      for (const b of bodies) expect(b.data.headlines).toEqual([]);
    }
    const during = { metrics: await metrics(), readers: await readers() };
    expect(hubChannels(during.metrics)).toBe(hubChannels(before.metrics) + 20);
    polite.disconnect();
    for (let i = 0; i < 100 && hubChannels(await metrics()) !== hubChannels(before.metrics); i++) await new Promise((r) => setTimeout(r, 50));

    const heapAfter = await server.heapUsed();
    const after = { keys: await keys(), dbsize: await redis.dbsize(), metrics: await metrics(), readers: await readers(), heap: heapAfter };
    const heapChange = (after.heap - before.heap) / before.heap;
    process.stdout.write(
      `\nflood (redis): ${FLOOD} subscribe calls on one socket (${ok} accepted, refused ${JSON.stringify(refused)}, closed with ${notice.code}), ` +
        `20 channels on a polite socket, ${READS} anonymous reads\n` +
        `  redis keys ${before.dbsize} → ${after.dbsize}; /metrics ${before.metrics.length} → ${during.metrics.length} (during) → ${after.metrics.length} bytes ` +
        `(without GC series ${stable(before.metrics).length} → ${stable(after.metrics).length}); ` +
        `/api/v1/readers ${before.readers.length} → ${during.readers.length} → ${after.readers.length} bytes; hub channels ${hubChannels(before.metrics)} → ${hubChannels(during.metrics)} → ${hubChannels(after.metrics)}\n` +
        `  heapUsed after GC ${(before.heap / 1e6).toFixed(2)} MB → ${(after.heap / 1e6).toFixed(2)} MB (${(heapChange * 100).toFixed(1)}%)\n`,
    );

    expect(server.alive()).toBe(true);
    expect(after.keys).toEqual(before.keys);
    expect(after.keys.filter((k) => k.includes('junk'))).toEqual([]);
    for (const m of [during.metrics, after.metrics]) {
      expect(m).not.toContain('junk');
      expect(seriesOf(m)).toEqual(seriesOf(before.metrics));
    }
    // Same series; only sample values (a few digits) may differ in length.
    expect(Math.abs(stable(after.metrics).length - stable(before.metrics).length) / stable(before.metrics).length).toBeLessThan(0.01);
    expect(during.readers).toBe(before.readers);
    expect(after.readers).toBe(before.readers);
    expect(hubChannels(after.metrics)).toBe(hubChannels(before.metrics));
    expect(Math.abs(heapChange)).toBeLessThan(0.1);

    // And the real reader is still served.
    await api('/api/v1/channels/real-news/headlines', { method: 'POST', body: JSON.stringify({ headline: 'after the flood' }) });
    await reader.waitFor(() => reader.events.some((e) => e.headline?.headline === 'after the flood'), 'the headline after the flood');
    reader.disconnect();
  }, 180_000);
});
