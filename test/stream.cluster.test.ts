/**
 * The SSE stream across real server processes on one private Redis: fan-out from another
 * process, resume on another process after a crash with the Last-Event-ID, the kill purge on a
 * process that never held the channel, and the drain notice on SIGTERM.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from './helpers/app.js';
import { startCluster, type Cluster } from './helpers/cluster.js';
import { Reader } from './helpers/reader.js';
import { SseClient } from './helpers/sse.js';

describe('SSE across two server processes on Redis', () => {
  let cluster: Cluster;
  const streams: SseClient[] = [];
  beforeAll(async () => {
    cluster = await startCluster(2);
  }, 300_000);
  afterAll(async () => {
    await Promise.all(streams.map((s) => s.close()));
    await cluster?.cleanup();
  });

  const open = async (url: string, headers: Record<string, string> = {}): Promise<SseClient> => {
    const s = await SseClient.open(url, headers);
    streams.push(s);
    return s;
  };
  const publish = async (url: string, channel: string, headline: string) => {
    const res = await apiClient(url)(`/api/v1/channels/${channel}/headlines`, { method: 'POST', body: JSON.stringify({ headline }) });
    expect(res.status).toBe(201);
    return (await res.json()).data as { headline: { uri: string }; cursor: string };
  };
  const channel = () => `sse-${randomBytes(4).toString('hex')}`;

  it('keeps a kill made on one process out of the catch-up served by another, as the socket does', async () => {
    // The watcher holds the channel on A; B publishes and kills, and has never loaded the channel.
    const [c, b] = cluster.servers as [typeof cluster.servers[0], typeof cluster.servers[0]];
    const ch = channel();
    const watcher = await open(`${c.url}/api/v1/channels/${ch}/stream`);
    await watcher.ready();
    const killed = await publish(b.url, ch, 'CLUSTER-KILLED-TEXT');
    await publish(b.url, ch, 'stays');
    const res = await apiClient(b.url)(`/api/v1/headlines/${killed.headline.uri}/retract`, { method: 'POST', body: JSON.stringify({ reason: 'wrong' }) });
    expect(res.status).toBe(200);
    await watcher.waitFor(() => watcher.events.some((e) => e.type === 'retracted'), 'the kill on the watching process');
    const epoch = killed.cursor.split(':')[0]!;
    for (const url of [b.url, c.url]) {
      const s = await open(`${url}/api/v1/channels/${ch}/stream?after=${epoch}:0`);
      await s.ready();
      expect(s.events.map((e) => e.type)).toEqual(['published', 'published', 'retracted']);
      expect(s.raw).not.toContain('CLUSTER-KILLED-TEXT');
      expect(s.liveOf(ch)).toEqual(['stays']);
      const reader = new Reader(url, [ch]);
      reader.cursors.set(ch, `${epoch}:0`);
      await reader.subscribe();
      expect(reader.events.map((e) => e.offset)).toEqual(s.events.map((e) => e.offset));
      reader.disconnect();
    }
  });

  it('delivers what another process publishes, and resumes on another process after a crash with no gap and no repeat', async () => {
    const [a, b] = cluster.servers as [typeof cluster.servers[0], typeof cluster.servers[0]];
    const ch = channel();
    await publish(b.url, ch, 'first');
    const s = await open(`${a.url}/api/v1/channels/${ch}/stream`);
    await s.ready();
    for (let i = 1; i <= 5; i++) await publish(b.url, ch, `live ${i}`);
    await s.waitFor(() => s.events.length === 5, 'five live events from another process');
    const lastId = s.lastEventId;
    await a.kill();
    await s.waitFor(() => s.ended, 'the stream to end with its process');
    const missed = [await publish(b.url, ch, 'missed 1'), await publish(b.url, ch, 'missed 2')];
    // What the browser does: reconnect (here to another process) with the last id it saw.
    const resumed = await open(`${b.url}/api/v1/channels/${ch}/stream`, { 'last-event-id': lastId });
    await resumed.ready();
    expect(resumed.subscribed[0]).toEqual([{ channel: ch, mode: 'events', cursor: missed[1]!.cursor }]);
    expect(resumed.events.map((e) => e.headline?.headline)).toEqual(['missed 1', 'missed 2']);
    await publish(b.url, ch, 'after the resume');
    await resumed.waitFor(() => resumed.events.length === 3, 'the next live event');
    expect(resumed.anomalies).toEqual([]);
    expect([...s.events, ...resumed.events].map((e) => e.offset)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('tells streams to reconnect elsewhere when a process drains (SIGTERM)', async () => {
    const b = cluster.servers[1]!;
    const ch = channel();
    const s = await open(`${b.url}/api/v1/channels/${ch}/stream`);
    await s.ready();
    b.proc.kill('SIGTERM');
    await s.waitFor(() => s.ended, 'the stream to end');
    expect(s.messages.at(-1)).toMatchObject({ event: 'server:draining' });
    expect(JSON.parse(s.messages.at(-1)!.data)).toEqual({ reconnectInMs: 1000 });
  });
});
