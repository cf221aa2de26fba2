/**
 * The SSE stream against a real server on both engines: headers and ids, resume from every
 * cursor case with the socket's answer, the kill purge on catch-up, several channels in one
 * stream, the hub's follower count, limits.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ENGINES, useServer } from './helpers/app.js';
import { Reader } from './helpers/reader.js';
import { SseClient } from './helpers/sse.js';

describe.each(ENGINES)('SSE stream (%s engine)', (kind) => {
  const server = useServer(kind, { streamHeartbeatMs: 100, logLength: 5 });
  const open: SseClient[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });

  const stream = async (path: string, headers: Record<string, string> = {}): Promise<SseClient> => {
    const s = await SseClient.open(server.url + path, headers);
    open.push(s);
    return s;
  };
  const publish = async (channel: string, headline: string): Promise<{ uri: string; cursor: string }> => {
    const res = await server.publish(channel, { headline });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { data: { headline: { uri: string }; cursor: string } };
    return { uri: body.data.headline.uri, cursor: body.data.cursor };
  };

  /** What a stream answers for a cursor: the mode, the snapshot reason, the event offsets. */
  const sseAnswer = async (channel: string, headers: Record<string, string>, query = '') => {
    const s = await stream(`/api/v1/channels/${channel}/stream${query}`, headers);
    await s.ready();
    const answer = { mode: s.subscribed[0]![0]!.mode, reason: s.snapshots[0]?.reason, offsets: s.events.map((e) => e.offset), cursor: s.subscribed[0]![0]!.cursor };
    await s.close();
    return answer;
  };
  const socketAnswer = async (channel: string, cursor?: string) => {
    const reader = new Reader(server.url, [channel]);
    if (cursor !== undefined) reader.cursors.set(channel, cursor);
    const [result] = await reader.subscribe();
    reader.disconnect();
    return { mode: result!.mode, reason: reader.snapshots[0]?.reason, offsets: reader.events.map((e) => e.offset), cursor: result!.cursor };
  };

  it('sends a first-visit snapshot, then each live event with its cursor as the id, and heartbeats', async () => {
    const channel = server.channel();
    const first = await publish(channel, 'before the stream');
    const s = await stream(`/api/v1/channels/${channel}/stream`);
    expect(s.status).toBe(200);
    expect(s.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(s.headers.get('cache-control')).toBe('no-store, no-transform');
    expect(s.headers.get('x-accel-buffering')).toBe('no');
    await s.ready();
    expect(s.retry).toBe(2000);
    expect(s.snapshots).toHaveLength(1);
    expect(s.snapshots[0]).toMatchObject({ reason: 'first-visit', cursor: first.cursor });
    expect(s.messages[0]).toMatchObject({ event: 'channel:snapshot', id: first.cursor });
    expect(s.subscribed[0]).toEqual([{ channel, mode: 'snapshot', cursor: first.cursor }]);
    const second = await publish(channel, 'live over SSE');
    await s.waitFor(() => s.events.length === 1, 'the live event');
    expect(s.messages.at(-1)).toMatchObject({ event: 'headline:event', id: second.cursor });
    expect(s.liveOf(channel)).toEqual(['live over SSE', 'before the stream']);
    await s.waitFor(() => s.comments.length >= 2, 'two heartbeats');
    expect(s.anomalies).toEqual([]);
  });

  it('resumes from every cursor case with the same answer as the socket', async () => {
    // ring: a follower holds the channel while it is published to; log: nobody does.
    const ringChannel = server.channel();
    const follower = await stream(`/api/v1/channels/${ringChannel}/stream`);
    await follower.ready();
    const logChannel = server.channel();
    const cursors: Record<string, string[]> = { [ringChannel]: [], [logChannel]: [] };
    for (const channel of [ringChannel, logChannel]) {
      for (let i = 1; i <= 3; i++) cursors[channel]!.push((await publish(channel, `${channel} ${i}`)).cursor);
    }
    await follower.waitFor(() => follower.events.length === 3, 'the follower to hold three events');
    for (const channel of [logChannel, ringChannel]) {
      const [c1, , c3] = cursors[channel]!;
      const epoch = c3!.split(':')[0]!;
      const cases: [string, string | undefined, Partial<Awaited<ReturnType<typeof sseAnswer>>>][] = [
        ['none', undefined, { mode: 'snapshot', reason: 'first-visit', cursor: c3 }],
        ['current', c3, { mode: 'events', offsets: [], cursor: c3 }],
        ['old', c1, { mode: 'events', offsets: [2, 3], cursor: c3 }],
        ['other epoch', 'abcdefghij:2', { mode: 'snapshot', reason: 'epoch-changed', cursor: c3 }],
        ['ahead of the log', `${epoch}:99`, { mode: 'snapshot', reason: 'cursor-too-old', cursor: c3 }],
        ['malformed', '<garbage>', { mode: 'snapshot', reason: 'first-visit', cursor: c3 }],
      ];
      for (const [name, cursor, expected] of cases) {
        const viaHeader = await sseAnswer(channel, cursor === undefined ? {} : { 'last-event-id': cursor });
        expect(viaHeader, `${name} (Last-Event-ID)`).toMatchObject(expected);
        // A socket refuses a malformed cursor (INVALID_CURSOR, as ?after= does); only Last-Event-ID starts fresh.
        if (name !== 'malformed') expect(viaHeader, `${name}: as the socket`).toEqual(await socketAnswer(channel, cursor));
        if (cursor !== undefined && name !== 'malformed') {
          expect(await sseAnswer(channel, {}, `?after=${encodeURIComponent(cursor)}`), `${name} (?after=)`).toEqual(viaHeader);
        }
      }
      // Last-Event-ID (the browser's own reconnect) wins over the ?after= the stream was opened with.
      expect(await sseAnswer(channel, { 'last-event-id': c3! }, `?after=${c1}`)).toMatchObject({ mode: 'events', offsets: [] });
    }
  });

  it('refuses a malformed ?after= as GET …/events does, and bad channels and too many channels with problem+json', async () => {
    const channel = server.channel();
    await publish(channel, 'x');
    const s = await stream(`/api/v1/channels/${channel}/stream?after=garbage`);
    const log = await server.api(`/api/v1/channels/${channel}/events?after=garbage`, { key: '' });
    expect(s.status).toBe(400);
    expect(log.status).toBe(400);
    expect(JSON.parse(s.raw)).toMatchObject({ code: 'INVALID_CURSOR' });
    expect(await log.json()).toMatchObject({ code: 'INVALID_CURSOR' });
    expect(JSON.parse((await stream('/api/v1/channels/Bad%20Name/stream')).raw)).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(JSON.parse((await stream('/api/v1/stream')).raw)).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    const many = Array.from({ length: 21 }, (_, i) => `${channel}-${i}`).join(',');
    const tooMany = await stream(`/api/v1/stream?channels=${many}`);
    expect(tooMany.status).toBe(409);
    expect(JSON.parse(tooMany.raw)).toMatchObject({ code: 'TOO_MANY_CHANNELS' });
  });

  it('keeps killed and held text out of the catch-up, from the ring and from the log', async () => {
    const channel = server.channel();
    const follower = await stream(`/api/v1/channels/${channel}/stream`);
    await follower.ready();
    const killed = await publish(channel, 'KILLED-TEXT must not be served');
    const held = await publish(channel, 'HELD-TEXT must not be served');
    await publish(channel, 'stays');
    expect((await server.api(`/api/v1/headlines/${killed.uri}/retract`, { method: 'POST', body: JSON.stringify({ reason: 'wrong' }) })).status).toBe(200);
    expect((await server.api(`/api/v1/headlines/${held.uri}/hold`, { method: 'POST', body: JSON.stringify({}) })).status).toBe(200);
    await follower.waitFor(() => follower.events.length === 5, 'the kill and the hold');
    const epoch = killed.cursor.split(':')[0]!;
    // From the ring (this process holds the channel), then from the log of another channel nobody holds.
    const fromRing = await stream(`/api/v1/channels/${channel}/stream?after=${epoch}:0`);
    await fromRing.ready();
    expect(fromRing.events.map((e) => e.type)).toEqual(['published', 'published', 'published', 'retracted', 'withheld']);
    expect(fromRing.raw).not.toMatch(/KILLED-TEXT|HELD-TEXT/);
    expect(fromRing.liveOf(channel)).toEqual(['stays']);

    const cold = server.channel();
    const k = await publish(cold, 'COLD-KILLED-TEXT');
    await publish(cold, 'cold stays');
    expect((await server.api(`/api/v1/headlines/${k.uri}/retract`, { method: 'POST', body: JSON.stringify({ reason: 'wrong' }) })).status).toBe(200);
    const fromLog = await stream(`/api/v1/stream?channels=${cold}&after=${cold}@${k.cursor.split(':')[0]}:0`);
    await fromLog.ready();
    expect(fromLog.subscribed[0]).toMatchObject([{ channel: cold, mode: 'events' }]);
    expect(fromLog.events).toHaveLength(3);
    expect(fromLog.raw).not.toContain('COLD-KILLED-TEXT');
    expect(fromLog.liveOf(cold)).toEqual(['cold stays']);
  });

  if (kind === 'memory') {
    it('answers a cursor older than the retained log with a cursor-too-old snapshot, as the socket', async () => {
      const channel = server.channel();
      const first = await publish(channel, 'trimmed 1');
      for (let i = 2; i <= 8; i++) await publish(channel, `trimmed ${i}`);
      const answer = await sseAnswer(channel, { 'last-event-id': first.cursor });
      expect(answer).toMatchObject({ mode: 'snapshot', reason: 'cursor-too-old' });
      expect(answer).toEqual(await socketAnswer(channel, first.cursor));
    });
  }

  it('carries several channels in one stream with every cursor in the id, resumes from it, and releases the channels on close', async () => {
    const hubChannels = async (): Promise<number> => {
      const text = await (await server.api('/metrics')).text();
      return Number(/^ticker_hub_channels (\d+)$/m.exec(text)?.[1]);
    };
    const [a, b, idle] = [server.channel('a'), server.channel('b'), server.channel('idle')];
    const a1 = await publish(a, 'a one');
    const before = await hubChannels();
    const s = await stream(`/api/v1/stream?channels=${a},${b},${idle}`);
    await s.ready();
    expect(s.subscribed[0]!.map((r) => r.mode)).toEqual(['snapshot', 'snapshot', 'snapshot']);
    expect(await hubChannels()).toBeGreaterThanOrEqual(before + 2);
    const b1 = await publish(b, 'b one');
    await s.waitFor(() => s.events.length === 1, 'b one');
    expect(s.lastEventId.split(',').sort()).toEqual([`${a}@${a1.cursor}`, `${b}@${b1.cursor}`, `${idle}@empty:0`].sort());
    const resumeFrom = s.lastEventId;
    // Readers over SSE count like sockets.
    await expect.poll(async () => (await (await server.api('/api/v1/readers', { key: '' })).json()).data.channels[b], { timeout: 5000 }).toBe(1);
    await s.close();
    const a2 = await publish(a, 'a two');
    const b2 = await publish(b, 'b two');
    const resumed = await stream(`/api/v1/stream?channels=${a},${b},${idle}`, { 'last-event-id': resumeFrom });
    await resumed.ready();
    expect(resumed.subscribed[0]!.map((r) => r.mode)).toEqual(['events', 'events', 'events']);
    expect(resumed.events.map((e) => `${e.channel}@${e.epoch}:${e.offset}`).sort()).toEqual([`${a}@${a2.cursor}`, `${b}@${b2.cursor}`].sort());
    await resumed.close();
    // The channel that never had a headline leaves the hub as soon as its last stream closes.
    await expect.poll(hubChannels, { timeout: 5000 }).toBeLessThanOrEqual(before + 2);
  });
});


