/**
 * Conformance, Socket.IO side: what docs/protocol.md promises a reader ("Readers", "Writing a
 * client"), driven through a client written from the doc (./protocol-client.ts), on both engines.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ENGINES, useServer } from '../helpers/app.js';
import { SocketReader, getJson, type Snapshot, type TickerEvent } from './protocol-client.js';

describe.each(ENGINES)('conformance: socket readers (%s engine)', (kind) => {
  const server = useServer(kind);
  const readers: SocketReader[] = [];
  afterEach(() => readers.splice(0).forEach((r) => r.close()));

  const reader = (): SocketReader => {
    const r = new SocketReader(server.url);
    readers.push(r);
    return r;
  };
  const publish = async (channel: string, headline: string): Promise<{ uri: string; cursor: string }> => {
    const res = await server.publish(channel, { headline });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { data: { headline: { uri: string }; cursor: string } };
    return { uri: body.data.headline.uri, cursor: body.data.cursor };
  };
  const liveSet = async (channel: string): Promise<string[]> =>
    (await getJson<{ data: { headlines: { headline: string }[] } }>(`${server.url}/api/v1/channels/${channel}/headlines`)).body.data.headlines.map((h) => h.headline);

  it('first visit: one first-visit snapshot, then the ack, then each live event at offset + 1', async () => {
    const channel = server.channel();
    const first = await publish(channel, 'one');
    await publish(channel, 'two');
    const r = reader();
    const [result] = await r.follow([channel]);
    expect(r.received.map((m) => m.kind)).toEqual(['snapshot', 'ack']);
    const snap = r.received[0]!.body as Snapshot;
    expect(snap).toMatchObject({ channel, fresh: true, reason: 'first-visit', epoch: first.cursor.split(':')[0], offset: 2 });
    expect(snap.cursor).toBe(`${snap.epoch}:${snap.offset}`);
    expect(result).toEqual({ channel, mode: 'snapshot', cursor: snap.cursor });
    expect(r.view(channel).texts()).toEqual(['two', 'one']);

    const third = await publish(channel, 'three');
    await r.until(() => r.applied.length === 1, 'the live event');
    expect(r.applied[0]).toMatchObject({ channel, type: 'published', epoch: snap.epoch, offset: 3, headline: { headline: 'three' } });
    expect(r.view(channel).cursor).toBe(third.cursor);
    expect(r.view(channel).texts()).toEqual(await liveSet(channel));
  });

  it('a cursor omitted, null or "" is a first visit, with the same snapshot', async () => {
    const channel = server.channel();
    const { cursor } = await publish(channel, 'shown to everyone');
    for (const request of [{ channel }, { channel, cursor: null }, { channel, cursor: '' }]) {
      const r = reader();
      const ack = await r.subscribe({ channels: [request] });
      expect(ack, JSON.stringify(request)).toEqual({ data: { channels: [{ channel, mode: 'snapshot', cursor }] } });
      expect(r.received[0]).toMatchObject({ kind: 'snapshot', body: { reason: 'first-visit', cursor, headlines: [{ headline: 'shown to everyone' }] } });
    }
  });

  it('resume: the events after the cursor, in order, before the ack; then live events', async () => {
    const channel = server.channel();
    const kept = await publish(channel, 'seen before leaving');
    const gone = await publish(channel, 'killed while away');
    const r1 = reader();
    await r1.follow([channel]);
    r1.close();
    const corrected = await server.api(`/api/v1/headlines/${kept.uri}`, { method: 'PATCH', body: JSON.stringify({ headline: 'seen, then corrected', edNote: 'typo' }) });
    expect(corrected.status).toBe(200);
    expect((await server.api(`/api/v1/headlines/${gone.uri}/retract`, { method: 'POST', body: JSON.stringify({ reason: 'wrong' }) })).status).toBe(200);
    const added = await publish(channel, 'published while away');

    // A returning reader: the doc's client keeps its cursor and live set (from r1).
    const r2 = reader();
    r2.view(channel).restore(r1.view(channel).cursor!, [...r1.view(channel).live.values()]);
    const [result] = await r2.follow([channel]);
    expect(r2.received.map((m) => m.kind)).toEqual(['event', 'event', 'event', 'ack']);
    expect(r2.applied.map((e) => [e.offset, e.type])).toEqual([[3, 'corrected'], [4, 'retracted'], [5, 'published']]);
    expect(result).toEqual({ channel, mode: 'events', cursor: added.cursor });
    expect(r2.view(channel).texts()).toEqual(['published while away', 'seen, then corrected']);
    expect(r2.view(channel).texts()).toEqual(await liveSet(channel));

    // At the head: events mode with nothing to send.
    const r3 = reader();
    r3.view(channel).cursor = added.cursor;
    expect(await r3.follow([channel])).toEqual([{ channel, mode: 'events', cursor: added.cursor }]);
    expect(r3.received.map((m) => m.kind)).toEqual(['ack']);
    await publish(channel, 'live after resuming');
    await r2.until(() => r2.applied.length === 4, 'the live event after the resume');
    expect(r2.applied.at(-1)).toMatchObject({ offset: 6 });
  });

  it('a cursor from another epoch or ahead of the log: a snapshot with its reason, never an error', async () => {
    const channel = server.channel();
    const { cursor } = await publish(channel, 'the truth now');
    const epoch = cursor.split(':')[0]!;
    const cases: [string, string][] = [['abcdefghij:1', 'epoch-changed'], ['empty:0', 'epoch-changed'], [`${epoch}:99`, 'cursor-too-old']];
    for (const [sent, reason] of cases) {
      const r = reader();
      r.view(channel).cursor = sent;
      expect(await r.follow([channel]), sent).toEqual([{ channel, mode: 'snapshot', cursor }]);
      expect(r.received[0], sent).toMatchObject({ kind: 'snapshot', body: { reason, cursor, headlines: [{ headline: 'the truth now' }] } });
    }
  });

  it('a channel that never had a headline is at empty:0, and its first event brings the epoch', async () => {
    const channel = server.channel();
    const r = reader();
    expect(await r.follow([channel])).toEqual([{ channel, mode: 'snapshot', cursor: 'empty:0' }]);
    expect(r.received[0]).toMatchObject({ kind: 'snapshot', body: { epoch: 'empty', offset: 0, headlines: [] } });
    const first = await publish(channel, 'the first');
    await r.until(() => r.applied.length === 1, 'the first event');
    expect(r.view(channel).cursor).toBe(first.cursor);
    expect(r.resubscribes).toEqual([]);
  });

  it('a malformed cursor: INVALID_CURSOR on the socket, as GET …/events and the stream ?after= answer', async () => {
    const channel = server.channel();
    await publish(channel, 'x');
    const r = reader();
    const ack = await r.subscribe({ channels: [{ channel, cursor: 'not a cursor' }] });
    expect(ack).toMatchObject({ error: { code: 'INVALID_CURSOR', errors: [{ field: 'channels.0.cursor' }] } });
    expect(r.received.map((m) => m.kind)).toEqual(['ack']);
    const log = await getJson(`${server.url}/api/v1/channels/${channel}/events?after=${encodeURIComponent('not a cursor')}`);
    expect(log.status).toBe(400);
    expect(log.headers.get('content-type')).toContain('application/problem+json');
    expect(log.body).toMatchObject({ code: 'INVALID_CURSOR', status: 400 });
    const stream = await getJson(`${server.url}/api/v1/channels/${channel}/stream?after=${encodeURIComponent('not a cursor')}`);
    expect(stream.body).toMatchObject({ code: 'INVALID_CURSOR', status: 400 });
    // The socket stays usable: the same call with a good cursor works.
    expect(await r.subscribe({ channels: [{ channel }] })).toMatchObject({ data: { channels: [{ channel, mode: 'snapshot' }] } });
  });

  it('an offset gap: the client resubscribes with the cursor of the last event it applied and ends with the live set', async () => {
    const channel = server.channel();
    await publish(channel, 'before');
    const r = reader();
    await r.follow([channel]);
    const before = r.view(channel).cursor!;
    // The first live event is lost on the way: the next one shows the gap.
    let lost: TickerEvent | undefined;
    r.lose = (e) => (lost === undefined ? ((lost = e), true) : false);
    await publish(channel, 'lost on the way');
    await publish(channel, 'shows the gap');
    await r.until(() => r.applied.length === 2, 'the catch-up after the gap');
    expect(lost).toMatchObject({ offset: 2 });
    expect(r.resubscribes).toEqual([{ channel, cursor: before, seen: `${before.split(':')[0]}:3` }]);
    expect(r.applied.map((e) => e.offset)).toEqual([2, 3]);
    expect(r.view(channel).texts()).toEqual(await liveSet(channel));
    await publish(channel, 'live again');
    await r.until(() => r.applied.length === 3, 'the next live event');
    expect(r.applied.map((e) => e.offset)).toEqual([2, 3, 4]);
    expect(r.resubscribes).toHaveLength(1);
  });
});
