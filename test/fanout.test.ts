/**
 * Batched fan-out and latest-wins for slow readers, over real sockets on both engines. Batches
 * arrive in log order and apply exactly once, and a client without batches gets the same
 * sequence one event at a time. A reader that stops reading is conflated, not disconnected, and
 * converges to the exact live set once it reads again; readers that keep up are never conflated.
 */
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { Headline } from '../shared/headline.js';
import { ENGINES, useServer, type TestServer } from './helpers/app.js';
import { Reader } from './helpers/reader.js';

const liveOf = async (server: TestServer, channel: string): Promise<Headline[]> =>
  (await (await server.api(`/api/v1/channels/${channel}/headlines`, { key: '' })).json()).data.headlines;

/** The channel log's head cursor. */
const headOf = async (server: TestServer, channel: string): Promise<string> =>
  (await (await server.api(`/api/v1/channels/${channel}/events?limit=1`, { key: '' })).json()).data.head;

const slowReaderCount = async (server: TestServer): Promise<number> =>
  Number(/^ticker_slow_readers_total (\d+)/m.exec(await (await server.api('/metrics')).text())?.[1] ?? NaN);

async function publishOk(server: TestServer, channel: string, body: Record<string, unknown>): Promise<string> {
  const res = await server.publish(channel, body);
  expect(res.status).toBe(201);
  return (await res.json()).data.headline.uri;
}

async function correct(server: TestServer, uri: string, headline: string): Promise<void> {
  const res = await server.api(`/api/v1/headlines/${uri}`, { method: 'PATCH', body: JSON.stringify({ headline, edNote: 'update' }) });
  expect(res.status).toBe(200);
}

describe.each(ENGINES)('batched fan-out on the %s engine', (kind) => {
  // A window of a few milliseconds makes a concurrent burst land in batches whatever the load; a
  // socket without batches then gets a burst of packets in one turn, far past the slow-reader
  // threshold, and must not be taken for a slow reader.
  const server = useServer(kind, { fanoutBatchMs: 20, slowReaderQueue: 8 });

  it('sends a burst as headline:events in log order to batch sockets and one headline:event each to the others; each applies every event once', async () => {
    const channel = server.channel();
    const batch = new Reader(server.url, [channel], { batch: true });
    const legacy = new Reader(server.url, [channel]);
    await Promise.all([batch.subscribe(), legacy.subscribe()]);
    const slowBefore = await slowReaderCount(server);
    const uris = await Promise.all(Array.from({ length: 40 }, (_, i) => publishOk(server, channel, { headline: `burst ${i}` })));
    await Promise.all([
      correct(server, uris[3]!, 'burst 3 (corrected)'),
      server.api(`/api/v1/headlines/${uris[7]}/retract`, { method: 'POST', body: JSON.stringify({ reason: 'wrong' }) }),
    ]);
    // A last event after the burst: every reader's stream ends with it, so nothing is left to come.
    await publishOk(server, channel, { headline: 'after the burst' });
    const total = 43;
    for (const r of [batch, legacy]) await r.waitFor(() => r.events.length >= total, 'every event');

    expect(batch.batches.length).toBeGreaterThan(0);
    for (const b of batch.batches) {
      expect(b.channel).toBe(channel);
      expect(b.events.length).toBeGreaterThan(1);
      expect(b.events.map((e) => e.offset)).toEqual(b.events.map((_, i) => b.events[0]!.offset + i));
    }
    expect(batch.events.map((e) => e.offset)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(legacy.batches).toEqual([]);
    expect(legacy.events).toEqual(batch.events);
    const live = await liveOf(server, channel);
    expect(live.find((h) => h.uri === uris[7])).toBeUndefined();
    expect(live.find((h) => h.uri === uris[3])!.headline).toBe('burst 3 (corrected)');
    expect(await slowReaderCount(server)).toBe(slowBefore);
    for (const r of [batch, legacy]) {
      expect(r.snapshots.map((s) => s.reason)).toEqual(['first-visit']);
      expect(r.anomalies).toEqual([]);
      expect(r.liveOf(channel)).toEqual(live);
      r.disconnect();
    }
  });

  it('sends a batch socket the events it missed as one headline:events on resubscribe', async () => {
    const channel = server.channel();
    const reader = new Reader(server.url, [channel], { batch: true });
    await reader.subscribe();
    await publishOk(server, channel, { headline: 'seen' });
    await reader.waitFor(() => reader.events.length === 1, 'the first event');
    reader.disconnect();
    for (let i = 0; i < 10; i++) await publishOk(server, channel, { headline: `missed ${i}` });
    const [result] = await reader.reconnect(server.url);
    expect(result).toMatchObject({ mode: 'events' });
    expect(reader.batches.at(-1)!.events.map((e) => e.offset)).toEqual(Array.from({ length: 10 }, (_, i) => i + 2));
    expect(reader.anomalies).toEqual([]);
    expect(reader.liveOf(channel)).toEqual(await liveOf(server, channel));
    reader.disconnect();
  });
});

describe.each(ENGINES)('slow readers on the %s engine', (kind) => {
  // A low threshold: the paused reader is conflated early, and readers that keep up are held to it.
  const server = useServer(kind, { slowReaderQueue: 16 });

  it('conflates a reader that stops reading instead of cutting it off; it converges to the exact live set; readers that keep up never are', async () => {
    const channel = server.channel();
    const slow = new Reader(server.url, [channel], { batch: true });
    const keepUp = [new Reader(server.url, [channel]), new Reader(server.url, [channel], { batch: true })];
    await Promise.all([slow, ...keepUp].map((r) => r.subscribe()));
    let disconnected = false;
    slow.socket.on('disconnect', () => (disconnected = true));

    // Five headlines with large sources (about 11 KB an event) so the paused connection fills soon.
    const sources = Array.from({ length: 5 }, (_, i) => ({ name: `Source ${i}`, uri: `https://example.com/${String(i).repeat(2000)}` }));
    const uris = await Promise.all(Array.from({ length: 5 }, (_, i) => publishOk(server, channel, { headline: `story ${i}`, infoSources: sources })));
    await slow.waitFor(() => slow.events.length === 5, 'the first headlines');

    // Stop reading: the client's TCP socket is paused, so the server's writes back up.
    const tcp = (slow.socket.io.engine.transport as unknown as { ws: { _socket: Socket } }).ws._socket;
    tcp.pause();
    const before = await slowReaderCount(server);
    let round = 0;
    // Corrections until the server reports the reader conflated (bounded: never an endless loop).
    while ((await slowReaderCount(server)) === before) {
      expect(round).toBeLessThan(2000);
      round++;
      await Promise.all(uris.map((uri, i) => correct(server, uri, `story ${i}, update ${round}`)));
    }
    // More changes while it is conflated than the live set has headlines: it gets a snapshot.
    await Promise.all(uris.map((uri, i) => correct(server, uri, `story ${i}, final`)));
    await publishOk(server, channel, { headline: 'late story' });
    const killed = await publishOk(server, channel, { headline: 'killed story' });
    expect((await server.api(`/api/v1/headlines/${killed}/retract`, { method: 'POST', body: JSON.stringify({ reason: 'wrong' }) })).status).toBe(200);
    const head = await headOf(server, channel);
    const live = await liveOf(server, channel);
    expect(live.map((h) => h.headline).sort()).toEqual(['late story', 'story 0, final', 'story 1, final', 'story 2, final', 'story 3, final', 'story 4, final']);

    tcp.resume();
    await slow.waitFor(() => slow.cursors.get(channel) === head, 'the slow reader to reach the head', 20_000);
    expect(disconnected).toBe(false);
    expect(slow.socket.connected).toBe(true);
    expect(slow.snapshots.map((s) => s.reason)).toEqual(['first-visit', 'slow-reader']);
    expect(slow.anomalies).toEqual([]);
    expect(slow.liveOf(channel)).toEqual(live);
    expect(slow.live.has(killed)).toBe(false);

    const total = Number(head.split(':')[1]);
    for (const r of keepUp) {
      await r.waitFor(() => r.cursors.get(channel) === head, 'a reader that keeps up to reach the head', 20_000);
      expect(r.snapshots.map((s) => s.reason)).toEqual(['first-visit']);
      expect(r.events.map((e) => e.offset)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      expect(r.anomalies).toEqual([]);
      expect(r.liveOf(channel)).toEqual(live);
    }
    for (const r of [slow, ...keepUp]) r.disconnect();
  });
});
