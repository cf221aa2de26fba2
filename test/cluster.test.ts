/** Several server processes on one Redis: fan-out, process crashes and Redis restarts. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, apiClient } from './helpers/app.js';
import { startCluster, startServerProcess, type Cluster } from './helpers/cluster.js';
import { Reader } from './helpers/reader.js';

/** Publishes with an Idempotency-Key, retrying on errors (another server, after a pause) until acknowledged. */
async function publishAcked(urls: () => string[], channel: string, headline: string, key: string): Promise<{ uri: string; status: number }> {
  for (let attempt = 0; attempt < 60; attempt++) {
    const candidates = urls();
    const url = candidates[attempt % candidates.length]!;
    try {
      const res = await apiClient(url)(`/api/v1/channels/${channel}/headlines`, {
        method: 'POST', body: JSON.stringify({ headline }), headers: { 'idempotency-key': key },
      });
      if (res.status === 201 || res.status === 200) return { uri: (await res.json()).data.headline.uri, status: res.status };
      await res.body?.cancel();
    } catch {
      // connection refused or reset: the retry below goes on
    }
    await new Promise((r) => setTimeout(r, 100)); // retry backoff, not a wait for an event
  }
  throw new Error(`publish of ${headline} was never acknowledged`);
}

const texts = (r: Reader, channel: string) => r.events.filter((e) => e.channel === channel && e.type === 'published').map((e) => e.headline!.headline);

describe('three server processes on one Redis', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster(3);
  }, 60_000);
  afterAll(async () => cluster?.cleanup());

  it('200 headlines published to random processes reach every reader of their channels once, in order', async () => {
    const channels = ['multi-a', 'multi-b', 'multi-c'];
    const readers: Reader[] = [];
    for (let i = 0; i < 12; i++) {
      const server = cluster.servers[i % 3]!;
      const follows = i % 4 === 3 ? channels : [channels[i % 3]!];
      readers.push(new Reader(server.url, follows));
    }
    await Promise.all(readers.map((r) => r.subscribe()));
    const sent: Record<string, string[]> = Object.fromEntries(channels.map((c) => [c, []]));
    const jobs: Promise<unknown>[] = [];
    for (let i = 0; i < 200; i++) {
      const channel = channels[Math.floor(Math.random() * 3)]!;
      const server = cluster.servers[Math.floor(Math.random() * 3)]!;
      sent[channel]!.push(`${channel} #${i}`);
      // Sequential per channel so the publish order is the expected order; channels interleave.
      jobs.push(apiClient(server.url)(`/api/v1/channels/${channel}/headlines`, { method: 'POST', body: JSON.stringify({ headline: `${channel} #${i}` }) }).then((r) => expect(r.status).toBe(201)));
      if (i % 10 === 9) await Promise.all(jobs.splice(0));
    }
    await Promise.all(jobs);
    const logOrder: Record<string, string[]> = {};
    for (const c of channels) {
      const res = await apiClient(cluster.servers[0]!.url)(`/api/v1/channels/${c}/events?limit=1000`, { key: '' });
      logOrder[c] = (await res.json()).data.events.map((e: { headline: { headline: string } }) => e.headline.headline);
      expect([...logOrder[c]!].sort()).toEqual([...sent[c]!].sort());
    }
    for (const r of readers) {
      const follows = channels.filter((c) => (r as unknown as { channels: string[] }).channels.includes(c));
      const expected = follows.reduce((n, c) => n + sent[c]!.length, 0);
      await r.waitFor(() => r.events.length === expected, `${expected} deliveries`, 20_000);
      for (const c of follows) expect(texts(r, c)).toEqual(logOrder[c]);
      expect(r.anomalies).toEqual([]);
      r.disconnect();
    }
  });

  it('a server process killed with SIGKILL: its readers reconnect to another with their cursors, no loss, no duplicate', async () => {
    const channel = 'crash';
    const [victim, survivorA, survivorB] = cluster.servers as [typeof cluster.servers[0], typeof cluster.servers[0], typeof cluster.servers[0]];
    const onVictim = Array.from({ length: 4 }, () => new Reader(victim.url, [channel]));
    const elsewhere = [new Reader(survivorA.url, [channel]), new Reader(survivorB.url, [channel])];
    await Promise.all([...onVictim, ...elsewhere].map((r) => r.subscribe()));

    let alive = [victim.url, survivorA.url, survivorB.url];
    const acked: string[] = [];
    let killedAt: number | undefined;
    // Publishing goes on until 20 headlines after the crash (bounded at 300).
    const publishing = (async () => {
      for (let i = 0; i < 300 && !(killedAt !== undefined && i >= killedAt + 20); i++) {
        const { uri } = await publishAcked(() => alive, channel, `crash #${i}`, `crash-${i}`);
        acked.push(uri);
      }
    })();
    await onVictim[0]!.waitFor(() => onVictim[0]!.events.length >= 15, 'some deliveries before the crash');
    const reconnects = onVictim.map((r, i) =>
      new Promise<void>((resolve) => r.socket.once('disconnect', () => resolve(void r.reconnect((i % 2 ? survivorA : survivorB).url)))));
    alive = [survivorA.url, survivorB.url];
    await victim.kill();
    killedAt = acked.length;
    await Promise.all(reconnects);
    await publishing;
    expect(killedAt).toBeLessThan(acked.length);
    expect(new Set(acked).size).toBe(acked.length);
    for (const r of [...onVictim, ...elsewhere]) {
      await r.waitFor(() => acked.every((uri) => r.live.has(uri)), 'every acknowledged headline', 20_000);
      expect(texts(r, channel)).toHaveLength(acked.length);
      expect(new Set(texts(r, channel)).size).toBe(acked.length);
      expect(r.anomalies).toEqual([]);
      r.disconnect();
    }
  });
});

describe('Redis killed and restarted (AOF on) during a run of publishes', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster(2, { appendonly: true });
  }, 60_000);
  afterAll(async () => cluster?.cleanup());

  it('every headline acknowledged with 201 reaches every reader; gaps are repaired from the log', async () => {
    const channel = 'redis-restart';
    const urls = cluster.servers.map((s) => s.url);
    const readers = urls.flatMap((url) => [new Reader(url, [channel]), new Reader(url, [channel])]);
    await Promise.all(readers.map((r) => r.subscribe()));
    const acked: string[] = [];
    let restartedAt: number | undefined;
    // Publishing goes on through the outage until 10 headlines after Redis is back (bounded at 300).
    const publishing = (async () => {
      for (let i = 0; i < 300 && !(restartedAt !== undefined && acked.length >= restartedAt + 10); i++) {
        acked.push((await publishAcked(() => urls, channel, `restart #${i}`, `restart-${i}`)).uri);
      }
    })();
    await readers[0]!.waitFor(() => readers[0]!.events.length >= 10, 'deliveries before the restart');
    await cluster.redis.kill();
    const down = await apiClient(urls[0]!)('/readyz', { key: '' });
    expect(down.status).toBe(503);
    await cluster.redis.start();
    restartedAt = acked.length;
    await publishing;
    expect(new Set(acked).size).toBe(acked.length);
    for (const r of readers) {
      await r.waitFor(() => acked.every((uri) => r.live.has(uri)), 'every acknowledged headline', 20_000);
      expect(new Set(texts(r, channel)).size).toBe(texts(r, channel).length);
      expect(r.anomalies).toEqual([]);
    }
    // Both processes count the Redis reconnect that triggered the log repair.
    for (const url of urls) {
      const metrics = await (await apiClient(url)('/metrics', { key: ADMIN_KEY })).text();
      expect(Number(/^ticker_redis_reconnects_total (\d+)/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);
    }
    const log = await (await apiClient(urls[1]!)(`/api/v1/channels/${channel}/events?limit=1000`, { key: '' })).json();
    expect(log.data.events).toHaveLength(acked.length);
    for (const r of readers) r.disconnect();
  });
});

describe('SIGTERM', () => {
  it('tells readers to reconnect elsewhere, finishes, and exits 0', async () => {
    const cluster = await startCluster(1);
    try {
      const [server] = cluster.servers as [typeof cluster.servers[0]];
      const reader = new Reader(server.url, ['term']);
      await reader.subscribe();
      const draining = new Promise<number>((resolve) => reader.socket.once('server:draining', (n) => resolve(n.reconnectInMs)));
      const exited = new Promise<number | null>((resolve) => server.proc.once('exit', (code) => resolve(code)));
      server.proc.kill('SIGTERM');
      expect(await draining).toBeGreaterThan(0);
      expect(await exited).toBe(0);
      reader.disconnect();
    } finally {
      await cluster.cleanup();
    }
  });
});

describe('npm start with no configuration', () => {
  it('runs on the memory engine with a printed development key and demo headlines', async () => {
    const server = await startServerProcess({ API_KEYS: '', REDIS_URL: '' });
    try {
      const ready = await (await fetch(`${server.url}/readyz`)).json();
      expect(ready).toEqual({ status: 'ready', engine: 'memory' });
      const live = (await (await fetch(`${server.url}/api/v1/channels/ar-breaking/headlines`)).json()).data.headlines;
      expect(live.map((h: { headline: string }) => h.headline)).toContain('إعلام سوري: الطيران الإسرائيلي يستهدف مطار حماة العسكري بـ 3 غارات');
      const key = /\b(dev_[A-Za-z0-9_-]{20,})\b/.exec(server.output())?.[1];
      expect(key).toBeDefined();
      const me = await fetch(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${key}` } });
      expect((await me.json()).data).toEqual({ name: 'development', scopes: ['admin'] });
      // The key is printed once for the operator, never in a log line.
      const logLines = server.output().split('\n').filter((l) => l.startsWith('{'));
      expect(logLines.length).toBeGreaterThan(0);
      for (const line of logLines) expect(line).not.toContain(key!);
    } finally {
      await server.kill();
    }
  });
});
