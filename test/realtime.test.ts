/** Publish over HTTP → Socket.IO readers: ordered, once, per channel; catch-up with cursors. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Ack } from '../shared/protocol.js';
import { ENGINES, useServer } from './helpers/app.js';
import { Reader } from './helpers/reader.js';

const SEED_TEXT = readFileSync(new URL('./fixtures/seed/000_a389e3fb7474a027.txt', import.meta.url), 'utf8').split('\n')[0]!;

describe.each(ENGINES)('realtime on the %s engine', (kind) => {
  const server = useServer(kind);

  it('delivers the seed headline from the API to a client byte-exact', async () => {
    expect(SEED_TEXT).toBe('إعلام سوري: الطيران الإسرائيلي يستهدف مطار حماة العسكري بـ 3 غارات');
    const channel = server.channel('ar');
    const reader = new Reader(server.url, [channel]);
    await reader.subscribe();
    const res = await server.publish(channel, { headline: SEED_TEXT, language: 'ar', urgency: 'flash' });
    expect(res.status).toBe(201);
    await reader.waitFor(() => reader.events.length === 1, 'the seed headline');
    const got = reader.events[0]!.headline!;
    expect(Buffer.from(got.headline, 'utf8').equals(Buffer.from(SEED_TEXT, 'utf8'))).toBe(true);
    expect(got).toMatchObject({ language: 'ar', direction: 'rtl', urgency: 1 });
    reader.disconnect();
  });

  it('delivers to the readers of that channel only, in order, each once', async () => {
    const [a, b] = [server.channel('a'), server.channel('b')];
    const readersA = [new Reader(server.url, [a]), new Reader(server.url, [a])];
    const readerB = new Reader(server.url, [b]);
    const readerBoth = new Reader(server.url, [a, b]);
    const all = [...readersA, readerB, readerBoth];
    await Promise.all(all.map((r) => r.subscribe()));
    const sent: Record<string, string[]> = { [a]: [], [b]: [] };
    for (let i = 0; i < 30; i++) {
      const channel = i % 3 === 0 ? b : a;
      sent[channel]!.push(`${channel} #${i}`);
      expect((await server.publish(channel, { headline: `${channel} #${i}` })).status).toBe(201);
    }
    const texts = (r: Reader, ch: string) => r.events.filter((e) => e.channel === ch).map((e) => e.headline!.headline);
    for (const r of all) await r.waitFor(() => r.events.length === (r === readerB ? 10 : r === readerBoth ? 30 : 20), 'all deliveries');
    for (const r of readersA) expect(texts(r, a)).toEqual(sent[a]);
    expect(texts(readerB, b)).toEqual(sent[b]);
    expect(texts(readerB, a)).toEqual([]);
    expect(texts(readerBoth, a)).toEqual(sent[a]);
    expect(texts(readerBoth, b)).toEqual(sent[b]);
    for (const r of all) {
      expect(r.anomalies).toEqual([]);
      r.disconnect();
    }
  });

  it('sends a fresh snapshot on a first visit, with the current cursor', async () => {
    const channel = server.channel();
    await server.publish(channel, { headline: 'before you came' });
    const reader = new Reader(server.url, [channel]);
    const [result] = await reader.subscribe();
    expect(result).toMatchObject({ channel, mode: 'snapshot' });
    expect(reader.snapshots).toHaveLength(1);
    expect(reader.snapshots[0]).toMatchObject({ fresh: true, reason: 'first-visit', cursor: result!.cursor });
    expect(reader.liveOf(channel).map((h) => h.headline)).toEqual(['before you came']);
    reader.disconnect();
  });

  it('a reader that missed 20 events (one corrected, one retracted) catches up from its cursor to the exact live set', async () => {
    const channel = server.channel();
    const reader = new Reader(server.url, [channel]);
    await reader.subscribe();
    const first = await (await server.publish(channel, { headline: 'seen before the drop' })).json();
    await reader.waitFor(() => reader.events.length === 1, 'the first event');
    reader.disconnect();

    const uris: string[] = [];
    for (let i = 0; i < 18; i++) uris.push((await (await server.publish(channel, { headline: `missed ${i}` })).json()).data.headline.uri);
    await server.api(`/api/v1/headlines/${uris[3]}`, { method: 'PATCH', body: JSON.stringify({ headline: 'missed 3 (corrected)', edNote: 'typo' }) });
    await server.api(`/api/v1/headlines/${uris[7]}/retract`, { method: 'POST', body: JSON.stringify({ reason: 'wrong' }) });

    const [result] = await reader.reconnect(server.url);
    expect(result).toMatchObject({ mode: 'events' });
    const missed = reader.events.slice(1);
    expect(missed).toHaveLength(20);
    expect(missed.map((e) => e.offset)).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));
    expect(reader.anomalies).toEqual([]);
    const serverLive = (await (await server.api(`/api/v1/channels/${channel}/headlines`, { key: '' })).json()).data.headlines;
    expect(reader.liveOf(channel)).toEqual(serverLive);
    expect(reader.liveOf(channel).find((h) => h.uri === uris[3])!.headline).toBe('missed 3 (corrected)');
    expect(reader.live.has(uris[7]!)).toBe(false);
    expect(reader.live.has(first.data.headline.uri)).toBe(true);

    await server.publish(channel, { headline: 'after the return' });
    await reader.waitFor(() => reader.events.length === 22, 'the next live event');
    expect(reader.anomalies).toEqual([]);
    reader.disconnect();
  });

  it('answers a cursor from another epoch with a fresh snapshot', async () => {
    const channel = server.channel();
    await server.publish(channel, { headline: 'current' });
    const reader = new Reader(server.url, [channel]);
    reader.cursors.set(channel, 'abcdefghij:5');
    const [result] = await reader.subscribe();
    expect(result!.mode).toBe('snapshot');
    expect(reader.snapshots[0]!.reason).toBe('epoch-changed');
    expect(reader.liveOf(channel).map((h) => h.headline)).toEqual(['current']);
    reader.disconnect();
  });

  it('rejects publishing over the socket, unknown events and malformed subscribes with an error ack, and changes nothing', async () => {
    const channel = server.channel();
    const socket = server.connect();
    const call = (event: string, payload: unknown) =>
      new Promise<Ack<unknown>>((resolve) => (socket as unknown as { emit: (e: string, p: unknown, ack: (r: Ack<unknown>) => void) => void }).emit(event, payload, resolve));
    const publish = await call('headline:publish', { channel, headline: 'sneaky' });
    expect(publish).toMatchObject({ error: { code: 'UNKNOWN_EVENT' } });
    for (const bad of [null, 'x', {}, { channels: [] }, { channels: [{ channel: 'Bad Name' }] }, { channels: [{ channel, cursor: 5 }] },
      { channels: Array.from({ length: 50 }, (_, i) => ({ channel: `c${i}` })) }, { channels: [{ channel }], extra: true }]) {
      expect(await call('channels:subscribe', bad)).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    }
    // A malformed cursor gets the code GET …/events?after= answers for it.
    const garbage = await call('channels:subscribe', { channels: [{ channel, cursor: '<script>' }] });
    expect(garbage).toMatchObject({ error: { code: 'INVALID_CURSOR', errors: [{ field: 'channels.0.cursor' }] } });
    expect((await (await server.api(`/api/v1/channels/${channel}/headlines`, { key: '' })).json()).data.headlines).toEqual([]);
    expect(socket.connected).toBe(true);
    socket.disconnect();
    expect((await server.api('/healthz', { key: '' })).status).toBe(200);
  });

  it('turns 50 concurrent retries with one Idempotency-Key into one headline and one event', async () => {
    const channel = server.channel();
    const reader = new Reader(server.url, [channel]);
    await reader.subscribe();
    const body = { headline: 'Only once', urgency: 'bulletin' };
    const responses = await Promise.all(Array.from({ length: 50 }, () => server.publish(channel, body, { 'idempotency-key': 'retry-1' })));
    const bodies = await Promise.all(responses.map((r) => r.json()));
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(49);
    expect(new Set(bodies.map((b) => b.data.headline.uri)).size).toBe(1);
    expect(new Set(bodies.map((b) => b.data.cursor)).size).toBe(1);
    const live = (await (await server.api(`/api/v1/channels/${channel}/headlines`, { key: '' })).json()).data.headlines;
    expect(live).toHaveLength(1);
    const log = (await (await server.api(`/api/v1/channels/${channel}/events`, { key: '' })).json()).data.events;
    expect(log).toHaveLength(1);
    await reader.waitFor(() => reader.events.length >= 1, 'the event');
    // A later publish proves the reader's stream moved on with no second copy of the first.
    await server.publish(channel, { headline: 'next' });
    await reader.waitFor(() => reader.events.length >= 2, 'the next event');
    expect(reader.events.map((e) => e.headline!.headline)).toEqual(['Only once', 'next']);
    const reused = await server.publish(channel, { headline: 'Something else' }, { 'idempotency-key': 'retry-1' });
    expect(reused.status).toBe(422);
    expect((await reused.json()).code).toBe('IDEMPOTENCY_KEY_REUSED');
    reader.disconnect();
  });
});
