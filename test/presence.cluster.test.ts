/**
 * Reader presence over two server processes on one Redis: a publish records as its reach the
 * readers of every process (sockets and SSE streams), /readers on either process shows the same
 * sum, and the readers of a process that crashed stop counting once its report expires.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from './helpers/app.js';
import { startCluster, type Cluster } from './helpers/cluster.js';
import { Reader } from './helpers/reader.js';
import { SseClient } from './helpers/sse.js';

describe('reader presence across two server processes on Redis', () => {
  let cluster: Cluster;
  const readers: Reader[] = [];
  const streams: SseClient[] = [];
  beforeAll(async () => {
    cluster = await startCluster(2);
  }, 300_000);
  afterAll(async () => {
    for (const r of readers) r.disconnect();
    await Promise.all(streams.map((s) => s.close()));
    await cluster?.cleanup();
  });

  const publish = async (url: string, channel: string, headline: string): Promise<{ reach?: number }> => {
    const res = await apiClient(url)(`/api/v1/channels/${channel}/headlines`, { method: 'POST', body: JSON.stringify({ headline }) });
    expect(res.status).toBe(201);
    return (await res.json()).data.headline;
  };
  const readersOn = async (url: string, channel: string): Promise<number | undefined> =>
    (await (await apiClient(url)('/api/v1/readers', { key: '' })).json()).data.channels[channel];
  const follow = async (url: string, channel: string): Promise<Reader> => {
    const r = new Reader(url, [channel]);
    readers.push(r);
    await r.subscribe();
    return r;
  };

  it('records the readers of both processes as reach, and forgets those of a crashed process', async () => {
    const [a, b] = cluster.servers as [typeof cluster.servers[0], typeof cluster.servers[0]];
    const channel = `reach-${randomBytes(4).toString('hex')}`;
    // /readers names only channels that have had a headline: publish one before anyone reads.
    expect((await publish(a.url, channel, 'before any reader')).reach).toBe(0);

    // A reader on the publishing process counts at once: its share is never a report behind.
    await follow(a.url, channel);
    expect((await publish(a.url, channel, 'one reader here')).reach).toBe(1);

    await follow(b.url, channel);
    await follow(b.url, channel);
    const sse = await SseClient.open(`${b.url}/api/v1/channels/${channel}/stream`);
    streams.push(sse);
    await sse.ready();

    // Each process reports every 2 s: wait until A has read B's report (a deadline, not a sleep).
    await expect.poll(() => readersOn(a.url, channel), { timeout: 15_000 }).toBe(4);
    // …and B has read A's (each process reads the cluster sum on its own schedule).
    await expect.poll(() => readersOn(b.url, channel), { timeout: 15_000 }).toBe(4);
    expect((await publish(a.url, channel, 'read on both processes')).reach).toBe(4);

    // B dies without withdrawing its report: its three readers count until the report expires.
    await b.kill();
    await expect.poll(() => readersOn(a.url, channel), { timeout: 20_000 }).toBe(1);
    expect((await publish(a.url, channel, 'after the crash')).reach).toBe(1);
  });
});
