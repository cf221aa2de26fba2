/**
 * Conformance, HTTP side: the event log and its paging, the SSE stream read as raw HTTP and
 * resumed with Last-Event-ID, and the JSON Schema the server publishes, checked against real
 * answers (docs/protocol.md, "Writing a client"), on both engines.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterEach, describe, expect, it } from 'vitest';
import { ENGINES, useServer } from '../helpers/app.js';
import { SocketReader, SseReader, getJson, type Snapshot, type SubscribeResult, type TickerEvent } from './protocol-client.js';

interface LogPage {
  data: { channel: string; events: TickerEvent[]; cursor: string; head: string };
}

describe.each(ENGINES)('conformance: HTTP, SSE and JSON Schema (%s engine)', (kind) => {
  const server = useServer(kind);
  const closers: (() => void)[] = [];
  afterEach(() => closers.splice(0).forEach((close) => close()));

  const api = (path: string): string => `${server.url}/api/v1${path}`;
  const publish = async (channel: string, body: Record<string, unknown>): Promise<{ uri: string; cursor: string }> => {
    const res = await server.publish(channel, body);
    expect(res.status).toBe(201);
    const json = (await res.json()) as { data: { headline: { uri: string }; cursor: string } };
    return { uri: json.data.headline.uri, cursor: json.data.cursor };
  };
  const sse = async (path: string, headers: Record<string, string> = {}): Promise<SseReader> => {
    const s = await SseReader.open(api(path), headers);
    closers.push(() => s.close());
    return s;
  };
  const socketReader = (): SocketReader => {
    const r = new SocketReader(server.url);
    closers.push(() => r.close());
    return r;
  };

  it('pages through the event log to the head: after = the last page\'s cursor, until cursor equals head', async () => {
    const channel = server.channel();
    const published: string[] = [];
    for (let i = 1; i <= 7; i++) published.push((await publish(channel, { headline: `event ${i}` })).cursor);
    const head = published.at(-1)!;

    const offsets: number[] = [];
    let after = '';
    const pages: LogPage['data'][] = [];
    for (;;) {
      const page = await getJson<LogPage>(api(`/channels/${channel}/events?limit=3&after=${encodeURIComponent(after)}`));
      expect(page.status).toBe(200);
      pages.push(page.body.data);
      offsets.push(...page.body.data.events.map((e) => e.offset));
      expect(page.body.data.head).toBe(head);
      after = page.body.data.cursor;
      if (after === page.body.data.head) break;
    }
    expect(pages.map((p) => p.events.length)).toEqual([3, 3, 1]);
    expect(offsets).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(pages.map((p) => p.cursor)).toEqual([published[2], published[5], head]);
    // Omitted and empty `after` are the same first page; at the head a page is empty and keeps the cursor.
    const omitted = await getJson<LogPage>(api(`/channels/${channel}/events?limit=3`));
    expect(omitted.body.data.events.map((e) => e.offset)).toEqual([1, 2, 3]);
    const atHead = await getJson<LogPage>(api(`/channels/${channel}/events?after=${head}`));
    expect(atHead.body.data).toEqual({ channel, events: [], cursor: head, head });
    // A log cursor is a socket cursor: resuming from a page's cursor is events mode.
    const r = socketReader();
    r.view(channel).cursor = published[5];
    expect(await r.follow([channel])).toEqual([{ channel, mode: 'events', cursor: head }]);
    expect(r.applied.map((e) => e.offset)).toEqual([7]);
  });

  it('the log of a channel without headlines is at empty:0; a cursor from another epoch or ahead is 410 CURSOR_EXPIRED', async () => {
    const empty = server.channel();
    for (const query of ['', '?after=', '?after=empty:0']) {
      const page = await getJson<LogPage>(api(`/channels/${empty}/events${query}`));
      expect(page.body, query).toEqual({ data: { channel: empty, events: [], cursor: 'empty:0', head: 'empty:0' } });
    }
    const channel = server.channel();
    const { cursor } = await publish(channel, { headline: 'now' });
    for (const stale of ['abcdefghij:1', 'empty:0', `${cursor.split(':')[0]}:9`]) {
      const page = await getJson(api(`/channels/${channel}/events?after=${stale}`));
      expect(page.status, stale).toBe(410);
      expect(page.headers.get('content-type')).toContain('application/problem+json');
      expect(page.body, stale).toMatchObject({ code: 'CURSOR_EXPIRED' });
    }
  });

  it('SSE: a first-visit snapshot whose id is the cursor; resumed with Last-Event-ID it sends only the missed events', async () => {
    const channel = server.channel();
    await publish(channel, { headline: 'before the stream' });
    const first = await sse(`/channels/${channel}/stream`);
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    await first.until(() => first.named('channels:subscribed').length === 1, 'channels:subscribed');
    expect(first.messages.map((m) => m.event)).toEqual(['channel:snapshot', 'channels:subscribed']);
    const snap = first.messages[0]!.data as Snapshot;
    expect(snap).toMatchObject({ reason: 'first-visit', headlines: [{ headline: 'before the stream' }] });
    expect(first.messages[0]!.id).toBe(snap.cursor);
    const lastId = first.lastEventId;
    first.close();

    const missed = [await publish(channel, { headline: 'missed 1' }), await publish(channel, { headline: 'missed 2' })];
    const resumed = await sse(`/channels/${channel}/stream`, { 'last-event-id': lastId });
    await resumed.until(() => resumed.named('channels:subscribed').length === 1, 'channels:subscribed');
    expect(resumed.messages.map((m) => [m.event, m.id])).toEqual([
      ['headline:event', missed[0]!.cursor], ['headline:event', missed[1]!.cursor], ['channels:subscribed', missed[1]!.cursor],
    ]);
    expect(resumed.messages[2]!.data).toEqual({ channels: [{ channel, mode: 'events', cursor: missed[1]!.cursor }] });
    const live = await publish(channel, { headline: 'live' });
    await resumed.until(() => resumed.messages.length === 4, 'the live event');
    expect(resumed.messages[3]).toMatchObject({ event: 'headline:event', id: live.cursor, data: { offset: 4, headline: { headline: 'live' } } });

    // ?after= with the same cursor answers the same; an empty ?after= is a first visit.
    const after = await sse(`/channels/${channel}/stream?after=${lastId}`);
    await after.until(() => after.named('channels:subscribed').length === 1, 'channels:subscribed');
    expect(after.named('headline:event').map((m) => m.id)).toEqual([missed[0]!.cursor, missed[1]!.cursor, live.cursor]);
    const fresh = await sse(`/channels/${channel}/stream?after=`);
    await fresh.until(() => fresh.named('channels:subscribed').length === 1, 'channels:subscribed');
    expect(fresh.messages[0]).toMatchObject({ event: 'channel:snapshot', data: { reason: 'first-visit' } });
  });

  it('serves the JSON Schema at a stable URL, cached like public reads, and real answers validate against it', async () => {
    const res = await getJson<Record<string, unknown>>(api('/schema/protocol.json'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/schema\+json/);
    expect(res.headers.get('cache-control')).toMatch(/^public, max-age=\d+/);
    const etag = res.headers.get('etag')!;
    expect(etag).toMatch(/^"/);
    expect((await fetch(api('/schema/protocol.json'), { headers: { 'if-none-match': etag } })).status).toBe(304);
    expect((await getJson(api('/schema/nothing.json'))).body).toMatchObject({ code: 'NOT_FOUND' });

    const ajv = new Ajv2020({ allErrors: true });
    addFormats.default(ajv);
    const base = 'https://conformance.test/protocol.json';
    ajv.addSchema(res.body, base);
    const check = (def: string, value: unknown): void => {
      const validate = ajv.getSchema(`${base}#/$defs/${def}`)!;
      expect(validate, def).toBeDefined();
      expect(validate(value) ? [] : validate.errors, `${def}: ${JSON.stringify(value).slice(0, 300)}`).toEqual([]);
    };
    const refused = (def: string, value: unknown): void => {
      expect(ajv.getSchema(`${base}#/$defs/${def}`)!(value), `${def} must refuse ${JSON.stringify(value)}`).toBe(false);
    };

    // Headlines with every optional field, a correction, a kill (its earlier event becomes a tombstone).
    const channel = server.channel();
    const full = await publish(channel, {
      headline: 'Full headline', urgency: 'flash', language: 'en-GB', link: 'https://example.com/story', by: 'Desk',
      section: 'World', infoSources: [{ name: 'Agency', uri: 'https://agency.example/' }], expires: new Date(Date.now() + 3_600_000).toISOString(),
    });
    const killed = await publish(channel, { headline: 'ربما خبر خاطئ', language: 'ar' });
    const r = socketReader();
    const ack = await r.subscribe({ channels: [{ channel, cursor: null }] });
    check('SubscribeAck', ack);
    check('Snapshot', r.received[0]!.body);
    for (const h of (r.received[0]!.body as Snapshot).headlines) check('Headline', h);
    await server.api(`/api/v1/headlines/${full.uri}`, { method: 'PATCH', body: JSON.stringify({ section: null, edNote: 'no section' }) });
    await server.api(`/api/v1/headlines/${killed.uri}/retract`, { method: 'POST', body: JSON.stringify({ reason: 'wrong' }) });
    await r.until(() => r.applied.length === 2, 'the correction and the kill');
    for (const e of r.applied) check('TickerEvent', e);

    const page = await getJson<LogPage>(api(`/channels/${channel}/events`));
    check('EventLogPage', page.body);
    expect(page.body.data.events.map((e) => [e.type, 'headline' in e])).toEqual([['published', true], ['published', false], ['corrected', true], ['retracted', false]]);
    const problem = await getJson(api(`/channels/${channel}/events?after=nope`));
    check('Problem', problem.body);
    check('SubscribeAck', await r.subscribe({ channels: [{ channel, cursor: 'nope' }] }));
    const streamed = await sse(`/channels/${channel}/stream`);
    await streamed.until(() => streamed.named('channels:subscribed').length === 1, 'channels:subscribed');
    check('Snapshot', streamed.messages[0]!.data);
    for (const result of (streamed.named('channels:subscribed')[0]!.data as { channels: SubscribeResult[] }).channels) check('SubscribeResult', result);

    // The request schema says what the server accepts: null, "" and omitted cursors; nothing malformed.
    for (const cursor of [undefined, null, '', 'abcd:1']) check('SubscribeRequest', { channels: [{ channel, ...(cursor === undefined ? {} : { cursor }) }] });
    refused('SubscribeRequest', { channels: [{ channel, cursor: 'not a cursor' }] });
    refused('SubscribeRequest', { channels: [] });

    // One type per URL, self-contained.
    const single = await getJson<Record<string, unknown>>(api('/schema/headline.json'));
    expect(single.headers.get('content-type')).toMatch(/^application\/schema\+json/);
    const headline = ajv.compile(single.body);
    expect(headline((r.received[0]!.body as Snapshot).headlines[0])).toBe(true);
  });
});
