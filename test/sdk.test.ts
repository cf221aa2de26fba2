/** The browser SDK in Node: channel state rules, backoff, and TickerClient against the real server. */
import { io } from 'socket.io-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { backoff } from '../client/sdk/backoff.js';
import { ChannelState } from '../client/sdk/channel-state.js';
import { TickerClient, type ConnectionStatus, type SocketFactory, type TickerSocket } from '../client/sdk/client.js';
import { systemClock, type Clock } from '../client/sdk/clock.js';
import { memoryStore, type CursorStore } from '../client/sdk/storage.js';
import type { TickerEvent } from '../shared/events.js';
import type { Headline } from '../shared/headline.js';
import { useServer } from './helpers/app.js';

const headline = (uri: string, version = 1, extra: Partial<Headline> = {}): Headline => ({
  uri, channel: 'c', version, language: 'en', direction: 'ltr', headline: `h ${uri} v${version}`, urgency: 5, pubStatus: 'usable',
  firstCreated: '2026-01-01T00:00:00.000Z', versionCreated: '2026-01-01T00:00:00.000Z', ...extra,
});
const event = (offset: number, type: TickerEvent['type'], h: Headline, epoch = 'epoch1'): TickerEvent => ({
  channel: 'c', epoch, offset, type, uri: h.uri, version: h.version, ...(type === 'published' || type === 'corrected' ? { headline: h } : {}), at: '2026-01-01T00:00:00.000Z',
});

describe('ChannelState', () => {
  it('applies in log order, ignores repeats, reports gaps and new epochs', () => {
    const s = new ChannelState('c');
    s.replace({ epoch: 'epoch1', offset: 4, headlines: [headline('a')] });
    expect(s.cursor).toBe('epoch1:4');
    expect(s.apply(event(5, 'published', headline('b')))).toBe('changed');
    expect(s.apply(event(5, 'published', headline('b')))).toBe('duplicate');
    expect(s.apply(event(7, 'published', headline('c')))).toBe('gap');
    expect(s.apply(event(6, 'published', headline('c'), 'epoch2'))).toBe('gap');
    expect(s.apply(event(6, 'corrected', headline('a', 2)))).toBe('changed');
    expect(s.headlines().find((h) => h.uri === 'a')?.version).toBe(2);
    expect(s.apply(event(7, 'retracted', headline('b', 2)))).toBe('changed');
    expect(s.headlines().map((h) => h.uri).sort()).toEqual(['a']);
    expect(s.cursor).toBe('epoch1:7');
  });

  it('expires by its own clock and finds the next expiry', () => {
    const s = new ChannelState('c');
    s.replace({ epoch: 'e1e1', offset: 1, headlines: [headline('a', 1, { expires: '2026-01-01T00:01:00.000Z' }), headline('b', 1, { expires: '2026-01-01T00:02:00.000Z' }), headline('c')] });
    expect(s.nextExpiry()).toBe(Date.parse('2026-01-01T00:01:00.000Z'));
    expect(s.expire(Date.parse('2026-01-01T00:01:30.000Z'))).toBe(true);
    expect(s.headlines().map((h) => h.uri).sort()).toEqual(['b', 'c']);
    expect(s.expire(Date.parse('2026-01-01T00:01:31.000Z'))).toBe(false);
  });

  it('restores a saved state and ignores malformed ones', () => {
    const s = new ChannelState('c');
    s.restore({ cursor: 'not a cursor', headlines: [] });
    expect(s.cursor).toBeUndefined();
    s.restore({ cursor: 'abcd:9', headlines: [headline('a'), { uri: 1 }, { ...headline('x'), channel: 'other' }] });
    expect(s.cursor).toBe('abcd:9');
    expect(s.headlines().map((h) => h.uri)).toEqual(['a']);
  });

  it('adopts a server-rendered position unless it holds the same log at or past it', () => {
    const s = new ChannelState('c');
    s.adopt({ cursor: 'abcd:5', headlines: [headline('a')] }); // nothing yet: taken
    expect([s.cursor, s.headlines().length]).toEqual(['abcd:5', 1]);
    s.adopt({ cursor: 'abcd:4', headlines: [] }); // older page, same log: the state stays
    s.adopt({ cursor: 'abcd:5', headlines: [] });
    s.adopt({ cursor: 'bad', headlines: [] });
    expect([s.cursor, s.headlines().length]).toEqual(['abcd:5', 1]);
    s.adopt({ cursor: 'abcd:6', headlines: [headline('a'), headline('b')] }); // newer: taken
    expect([s.cursor, s.headlines().length]).toEqual(['abcd:6', 2]);
    s.adopt({ cursor: 'efgh:2', headlines: [headline('c')] }); // another log: the page's is the server's current one
    expect([s.cursor, s.headlines().map((h) => h.uri)]).toEqual(['efgh:2', ['c']]);
  });
});

describe('backoff', () => {
  it('draws from [0, min(max, min·2^attempt)) (full jitter)', () => {
    expect(backoff(0, () => 0)).toBe(0);
    expect(backoff(0, () => 0.999)).toBe(499);
    expect(backoff(3, () => 0.5)).toBe(2000);
    expect(backoff(30, () => 0.999, { minDelayMs: 100, maxDelayMs: 5000 })).toBe(4995);
  });
});

describe('TickerClient against the real server', () => {
  const server = useServer('memory');
  const clients: TickerClient[] = [];
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });

  /** A client with real sockets and timers, recording the socket count and every timer delay. */
  const make = (opts: { now?: () => number; store?: CursorStore; random?: () => number } = {}) => {
    const delays: number[] = [];
    const clock: Clock = { ...systemClock, now: opts.now ?? systemClock.now, setTimeout: (fn, ms) => (delays.push(ms), systemClock.setTimeout(fn, ms)) };
    let sockets = 0;
    const socketFactory: SocketFactory = (url) => {
      sockets++;
      return io(url, { transports: ['websocket'], reconnection: false, autoConnect: false, forceNew: true });
    };
    const client = new TickerClient({ url: server.url, socketFactory, clock, random: opts.random ?? (() => 0.5), store: opts.store ?? memoryStore() });
    clients.push(client);
    const statuses: ConnectionStatus[] = [];
    client.on('status', (s) => statuses.push(s));
    return { client, delays, statuses, sockets: () => sockets };
  };
  const publish = async (channel: string, body: Record<string, unknown>) => {
    const res = await server.publish(channel, body);
    expect(res.status).toBe(201);
    return ((await res.json()) as { data: { headline: Headline } }).data.headline;
  };

  it('follows a channel: snapshot, then live events, reference-counted on one socket', async () => {
    const channel = server.channel('en');
    await publish(channel, { headline: 'Before', language: 'en' });
    const { client, sockets } = make();
    const changes: string[][] = [];
    client.on('change', (c, hs) => c === channel && changes.push(hs.map((h) => h.headline)));
    const release1 = client.follow(channel);
    const release2 = client.follow(channel);
    await vi.waitFor(() => expect(client.status).toBe('live'));
    expect(client.headlines(channel).map((h) => h.headline)).toEqual(['Before']);
    await publish(channel, { headline: 'After', language: 'en' });
    await vi.waitFor(() => expect(client.headlines(channel).map((h) => h.headline)).toEqual(['After', 'Before']));
    expect(changes).toEqual([['Before'], ['After', 'Before']]);
    release1();
    expect(client.status).toBe('live');
    release2();
    expect(client.status).toBe('connecting');
    expect(sockets()).toBe(1);
  });

  it('refuses an invalid channel name instead of breaking the shared subscription', async () => {
    const channel = server.channel('en');
    const { client } = make();
    client.follow('Not A Channel!');
    client.follow(channel);
    await vi.waitFor(() => expect(client.status).toBe('live'));
    expect(client.ready('Not A Channel!')).toBe(false);
    expect(client.ready(channel)).toBe(true);
  });

  it('drops a headline at `expires` by its own clock, even before the server says so', async () => {
    const channel = server.channel('en');
    const { client } = make({ now: () => Date.now() + 2 * 3600_000 }); // the reader's clock is 2 h ahead
    client.follow(channel);
    await vi.waitFor(() => expect(client.status).toBe('live'));
    await publish(channel, { headline: 'Expires in an hour', language: 'en', expires: new Date(Date.now() + 3600_000).toISOString() });
    await publish(channel, { headline: 'Stays', language: 'en' });
    await vi.waitFor(() => expect(client.headlines(channel).map((h) => h.headline)).toEqual(['Stays']));
  });

  it('reconnects after a server-initiated disconnect with a jittered delay, and after a drain notice within its window', async () => {
    const channel = server.channel('en');
    const { client, delays, statuses, sockets } = make({ random: () => 0.5 });
    client.follow(channel);
    await vi.waitFor(() => expect(client.status).toBe('live'));
    server.app.gateway.io.disconnectSockets();
    await vi.waitFor(() => expect(statuses).toEqual(['live', 'reconnecting', 'live']));
    expect(delays).toContain(250); // backoff(0): 0.5 × 500 ms

    // As app.close() does: the notice, then the disconnect, in order on the same connection.
    server.app.gateway.io.emit('server:draining', { reconnectInMs: 80 });
    server.app.gateway.io.disconnectSockets();
    await vi.waitFor(() => expect(statuses).toEqual(['live', 'reconnecting', 'live', 'reconnecting', 'live']));
    expect(delays).toContain(40); // 0.5 × the notice's 80 ms, not the backoff
    expect(sockets()).toBe(1);
    await publish(channel, { headline: 'After two drops', language: 'en' });
    await vi.waitFor(() => expect(client.headlines(channel).map((h) => h.headline)).toEqual(['After two drops']));
  });

  it('persists the cursor and live set; a new client resumes from them', async () => {
    const channel = server.channel('en');
    const store = memoryStore();
    const first = make({ store });
    const release = first.client.follow(channel);
    await vi.waitFor(() => expect(first.client.status).toBe('live'));
    await publish(channel, { headline: 'Seen', language: 'en' });
    await vi.waitFor(() => expect((store.load(channel) as { headlines: Headline[] } | undefined)?.headlines.map((h) => h.headline)).toEqual(['Seen']));
    release();
    await publish(channel, { headline: 'Missed', language: 'en' });

    const second = make({ store });
    second.client.follow(channel);
    expect(second.client.ready(channel)).toBe(true); // restored before any network
    expect(second.client.headlines(channel).map((h) => h.headline)).toEqual(['Seen']);
    await vi.waitFor(() => expect(second.client.headlines(channel).map((h) => h.headline)).toEqual(['Missed', 'Seen']));
  });
});

describe('TickerClient with batched events', () => {
  const server = useServer('memory', { fanoutBatchMs: 20 });

  it('asks for batches (keeping the factory\'s auth) and applies each event of a burst once, ending with the server\'s live set', async () => {
    const channel = server.channel('en');
    let socket: TickerSocket | undefined;
    const batches: number[][] = [];
    const client = new TickerClient({
      url: server.url,
      socketFactory: (url) => {
        socket = io(url, { transports: ['websocket'], reconnection: false, autoConnect: false, forceNew: true, auth: { site: 'news.example' } }) as TickerSocket;
        socket.on('headline:events', (b) => batches.push(b.events.map((e) => e.offset)));
        return socket;
      },
    });
    client.follow(channel);
    await vi.waitFor(() => expect(client.status).toBe('live'));
    expect(socket!.auth).toEqual({ site: 'news.example', batch: true });
    const responses = await Promise.all(Array.from({ length: 30 }, (_, i) => server.publish(channel, { headline: `burst ${i}`, language: 'en' })));
    const uris = await Promise.all(responses.map(async (r) => ((await r.json()) as { data: { headline: Headline } }).data.headline.uri));
    await server.api(`/api/v1/headlines/${uris[0]}/retract`, { method: 'POST', body: JSON.stringify({ reason: 'wrong' }) });
    const live = ((await (await server.api(`/api/v1/channels/${channel}/headlines`, { key: '' })).json()) as { data: { headlines: Headline[] } }).data.headlines;
    expect(live).toHaveLength(29);
    await vi.waitFor(() => expect(client.headlines(channel)).toEqual(live));
    expect(batches.length).toBeGreaterThan(0);
    expect(batches.flat()).toEqual([...new Set(batches.flat())]); // no event in two batches
    client.close();
  });
});
