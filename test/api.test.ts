/** The HTTP API through real HTTP, on both engines. */
import { describe, expect, it } from 'vitest';
import { AR_KEY, EN_KEY, ENGINES, useServer } from './helpers/app.js';
import { Reader } from './helpers/reader.js';

const SEED = 'إعلام سوري: الطيران الإسرائيلي يستهدف مطار حماة العسكري بـ 3 غارات';

describe.each(ENGINES)('HTTP API on the %s engine', (kind) => {
  const server = useServer(kind);

  it('publishes: 201 with the stored headline, its cursor, Location and ETag', async () => {
    const channel = server.channel('ar');
    const res = await server.publish(channel, { headline: SEED, urgency: 'flash', link: 'https://example.com/a', by: 'رويترز', section: 'العالم' });
    expect(res.status).toBe(201);
    const { data } = await res.json();
    expect(data.headline).toMatchObject({ channel, version: 1, language: 'ar', direction: 'rtl', headline: SEED, urgency: 1, pubStatus: 'usable', status: 'live' });
    expect(data.cursor).toMatch(/^[a-z0-9]+:1$/);
    expect(res.headers.get('location')).toBe(`/api/v1/headlines/${data.headline.uri}`);
    expect(res.headers.get('etag')).toBe('"1"');
    const live = await (await server.api(`/api/v1/channels/${channel}/headlines`, { key: '' })).json();
    expect(live.data.headlines.map((h: { headline: string }) => h.headline)).toEqual([SEED]);
    expect(live.data.headlines[0].edNote).toBeUndefined();
  });

  it('lists the live set newest first and serves the ordered log after a cursor', async () => {
    const channel = server.channel();
    const cursors: string[] = [];
    for (const text of ['one', 'two', 'three']) cursors.push((await (await server.publish(channel, { headline: text })).json()).data.cursor);
    const live = await (await server.api(`/api/v1/channels/${channel}/headlines`, { key: '' })).json();
    expect(live.data.headlines.map((h: { headline: string }) => h.headline)).toEqual(['three', 'two', 'one']);
    const all = await (await server.api(`/api/v1/channels/${channel}/events`, { key: '' })).json();
    expect(all.data.events.map((e: { offset: number }) => e.offset)).toEqual([1, 2, 3]);
    const after = await (await server.api(`/api/v1/channels/${channel}/events?after=${cursors[0]}`, { key: '' })).json();
    expect(after.data.events.map((e: { headline: { headline: string } }) => e.headline.headline)).toEqual(['two', 'three']);
    expect(after.data.cursor).toBe(cursors[2]);
    const stale = await server.api(`/api/v1/channels/${channel}/events?after=zzzzzzzz:1`, { key: '' });
    expect(stale.status).toBe(410);
    expect((await stale.json()).code).toBe('CURSOR_EXPIRED');
  });

  it('corrects with If-Match: a new version, 412 on a stale version, an edNote required', async () => {
    const channel = server.channel();
    const { data } = await (await server.publish(channel, { headline: 'Quake of magnitude 5' })).json();
    const uri = data.headline.uri;
    const noNote = await server.api(`/api/v1/headlines/${uri}`, { method: 'PATCH', body: JSON.stringify({ headline: 'x' }) });
    expect(noNote.status).toBe(400);
    expect((await noNote.json()).errors).toEqual([expect.objectContaining({ field: 'edNote' })]);
    const ok = await server.api(`/api/v1/headlines/${uri}`, {
      method: 'PATCH', headers: { 'if-match': '"1"' }, body: JSON.stringify({ headline: 'Quake of magnitude 6', edNote: 'magnitude revised' }),
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('etag')).toBe('"2"');
    expect((await ok.json()).data.headline).toMatchObject({ version: 2, headline: 'Quake of magnitude 6', corrected: true, edNote: 'magnitude revised' });
    const stale = await server.api(`/api/v1/headlines/${uri}`, {
      method: 'PATCH', headers: { 'if-match': '"1"' }, body: JSON.stringify({ headline: 'Quake of magnitude 7', edNote: 'again' }),
    });
    expect(stale.status).toBe(412);
    expect((await stale.json()).code).toBe('VERSION_MISMATCH');
    const live = await (await server.api(`/api/v1/channels/${channel}/headlines`, { key: '' })).json();
    expect(live.data.headlines).toEqual([expect.objectContaining({ headline: 'Quake of magnitude 6', version: 2 })]);
  });

  it('retracts with a reason: gone from the live set, the public view and every new snapshot', async () => {
    const channel = server.channel();
    const { data } = await (await server.publish(channel, { headline: 'Wrong story' })).json();
    const uri = data.headline.uri;
    const noReason = await server.api(`/api/v1/headlines/${uri}/retract`, { method: 'POST', body: '{}' });
    expect(noReason.status).toBe(400);
    const res = await server.api(`/api/v1/headlines/${uri}/retract`, { method: 'POST', body: JSON.stringify({ reason: 'legal' }) });
    expect(res.status).toBe(200);
    expect((await res.json()).data.headline).toMatchObject({ status: 'retracted', pubStatus: 'canceled', reason: 'legal' });
    expect((await (await server.api(`/api/v1/channels/${channel}/headlines`, { key: '' })).json()).data.headlines).toEqual([]);
    expect((await server.api(`/api/v1/headlines/${uri}`, { key: '' })).status).toBe(404);
    const reader = new Reader(server.url, [channel]);
    await reader.subscribe();
    expect(reader.liveOf(channel)).toEqual([]);
    reader.disconnect();
    const again = await server.api(`/api/v1/headlines/${uri}`, { method: 'PATCH', body: JSON.stringify({ headline: 'back', edNote: 'x' }) });
    expect(again.status).toBe(409);
    expect((await again.json()).code).toBe('HEADLINE_FINAL');
  });

  it('holds and releases a headline', async () => {
    const channel = server.channel();
    const { data } = await (await server.publish(channel, { headline: 'Check this' })).json();
    const uri = data.headline.uri;
    const held = await server.api(`/api/v1/headlines/${uri}/hold`, { method: 'POST', body: JSON.stringify({ reason: 'checking' }) });
    expect((await held.json()).data.headline).toMatchObject({ status: 'held', pubStatus: 'withheld', version: 2 });
    expect((await (await server.api(`/api/v1/channels/${channel}/headlines`, { key: '' })).json()).data.headlines).toEqual([]);
    const released = await server.api(`/api/v1/headlines/${uri}/release`, { method: 'POST' });
    expect((await released.json()).data.headline).toMatchObject({ status: 'live', pubStatus: 'usable', version: 3 });
    const live = await (await server.api(`/api/v1/channels/${channel}/headlines`, { key: '' })).json();
    expect(live.data.headlines.map((h: { version: number }) => h.version)).toEqual([3]);
    const events = await (await server.api(`/api/v1/channels/${channel}/events`, { key: '' })).json();
    expect(events.data.events.map((e: { type: string }) => e.type)).toEqual(['published', 'withheld', 'released']);
  });

  it('expires a headline at `expires` with no request running, with one expired event', async () => {
    const channel = server.channel();
    const reader = new Reader(server.url, [channel]);
    await reader.subscribe();
    const expires = new Date(Date.now() + 400).toISOString();
    const { data } = await (await server.publish(channel, { headline: 'Brief', expires })).json();
    await reader.waitFor(() => reader.events.some((e) => e.type === 'expired' && e.uri === data.headline.uri), 'the expired event');
    expect(reader.eventsOf(data.headline.uri).map((e) => e.type)).toEqual(['published', 'expired']);
    expect(Date.parse(reader.events.at(-1)!.at)).toBeGreaterThanOrEqual(Date.parse(expires));
    expect(reader.liveOf(channel)).toEqual([]);
    reader.disconnect();
  });

  it('changes expiry through PUT /expires: a new version, not a correction', async () => {
    const channel = server.channel();
    const { data } = await (await server.publish(channel, { headline: 'Keep longer', expires: new Date(Date.now() + 60_000).toISOString() })).json();
    const res = await server.api(`/api/v1/headlines/${data.headline.uri}/expires`, { method: 'PUT', body: JSON.stringify({ expires: null }) });
    expect(res.status).toBe(200);
    const { headline } = (await res.json()).data;
    expect(headline.expires).toBeUndefined();
    expect(headline).toMatchObject({ version: 2, corrected: false });
    expect(headline.edNote).toBeUndefined();
    const past = await server.api(`/api/v1/headlines/${data.headline.uri}/expires`, { method: 'PUT', body: JSON.stringify({ expires: '2001-01-01T00:00:00Z' }) });
    expect(past.status).toBe(400);
  });

  it('lists a headline\'s versions and the channels a key may publish to', async () => {
    const channel = server.channel('ar');
    const other = server.channel('en');
    const { data } = await (await server.publish(channel, { headline: 'أول' })).json();
    await server.publish(other, { headline: 'first' });
    await server.api(`/api/v1/headlines/${data.headline.uri}`, { method: 'PATCH', body: JSON.stringify({ headline: 'ثاني', edNote: 'تصحيح' }) });
    const versions = await (await server.api(`/api/v1/headlines/${data.headline.uri}/versions`, { key: AR_KEY })).json();
    expect(versions.data.versions.map((v: { version: number; headline: string; edNote?: string }) => [v.version, v.headline, v.edNote])).toEqual([[1, 'أول', undefined], [2, 'ثاني', 'تصحيح']]);
    expect((await server.api(`/api/v1/headlines/${data.headline.uri}/versions`, { key: EN_KEY })).status).toBe(403);
    expect((await server.api(`/api/v1/headlines/${data.headline.uri}/versions`, { key: '' })).status).toBe(401);
    const arChannels = (await (await server.api('/api/v1/channels', { key: AR_KEY })).json()).data.channels;
    expect(arChannels).toContain(channel);
    expect(arChannels).not.toContain(other);
    expect((await (await server.api('/api/v1/channels', { key: EN_KEY })).json()).data.channels).toContain(other);
  });

  it('keeps embargoed headlines from public readers, HTTP and socket, until the embargo ends', async () => {
    const channel = server.channel();
    const reader = new Reader(server.url, [channel]);
    await reader.subscribe();
    const embargoedUntil = new Date(Date.now() + 600).toISOString();
    const res = await server.publish(channel, { headline: 'Under embargo', embargoedUntil });
    const { data } = await res.json();
    expect(data.headline.status).toBe('embargoed');
    expect(data.cursor).toBeNull();
    expect((await (await server.api(`/api/v1/channels/${channel}/headlines`, { key: '' })).json()).data.headlines).toEqual([]);
    expect((await server.api(`/api/v1/headlines/${data.headline.uri}`, { key: '' })).status).toBe(404);
    expect(reader.events).toEqual([]);
    await reader.waitFor(() => reader.liveOf(channel).length === 1, 'the embargo to end');
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(embargoedUntil));
    expect(reader.events.map((e) => e.type)).toEqual(['published']);
    reader.disconnect();
  });

  it('needs a key with the right scope for every change: 401 without, 403 out of scope', async () => {
    const channel = server.channel('ar');
    const none = await server.publish(channel, { headline: 'x' }, { authorization: '' });
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toContain('application/problem+json');
    const wrong = await server.api(`/api/v1/channels/${channel}/headlines`, { method: 'POST', key: 'not-a-real-key-000000', body: JSON.stringify({ headline: 'x' }) });
    expect(wrong.status).toBe(401);
    const scoped = await server.api(`/api/v1/channels/${channel}/headlines`, { method: 'POST', key: EN_KEY, body: JSON.stringify({ headline: 'x' }) });
    expect(scoped.status).toBe(403);
    expect((await scoped.json()).code).toBe('FORBIDDEN');
    const allowed = await server.api(`/api/v1/channels/${channel}/headlines`, { method: 'POST', key: AR_KEY, body: JSON.stringify({ headline: 'نعم' }) });
    expect(allowed.status).toBe(201);
    const uri = (await allowed.json()).data.headline.uri;
    const retractByEn = await server.api(`/api/v1/headlines/${uri}/retract`, { method: 'POST', key: EN_KEY, body: JSON.stringify({ reason: 'x' }) });
    expect(retractByEn.status).toBe(403);
    expect((await (await server.api(`/api/v1/channels/${channel}/headlines`, { key: '' })).json()).data.headlines).toHaveLength(1);
    const me = await (await server.api('/api/v1/me', { key: AR_KEY })).json();
    expect(me.data).toEqual({ name: 'ar-desk', scopes: ['publish:ar-*'] });
  });

  it('answers health and readiness', async () => {
    expect(await (await server.api('/healthz', { key: '' })).json()).toEqual({ status: 'ok' });
    expect(await (await server.api('/readyz', { key: '' })).json()).toEqual({ status: 'ready', engine: kind });
  });
});
