/**
 * CDN-friendly public reads on both engines: strong ETags, short shared caching (configurable),
 * 304 on If-None-Match, and log pages behind the head that are NOT immutable: a later kill changes
 * them (text stripped, new ETag), so a cache revalidating gets the new page.
 */
import { describe, expect, it } from 'vitest';
import { ENGINES, useServer } from './helpers/app.js';

describe.each(ENGINES)('public read caching (%s engine)', (kind) => {
  const server = useServer(kind, { publicMaxAgeS: 7, publicStaleS: 11 });
  const get = (path: string, headers: Record<string, string> = {}) => fetch(server.url + path, { headers });
  const publish = async (channel: string, headline: string) => {
    const res = await server.publish(channel, { headline });
    expect(res.status).toBe(201);
    return (await res.json()).data as { headline: { uri: string }; cursor: string };
  };
  const CACHE = 'public, max-age=7, stale-while-revalidate=11';

  it('the live set: strong ETag, short shared caching, 304 while unchanged, a new ETag after a change', async () => {
    const channel = server.channel();
    await publish(channel, 'one');
    const path = `/api/v1/channels/${channel}/headlines`;
    const first = await get(path);
    const etag = first.headers.get('etag')!;
    expect(first.status).toBe(200);
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
    expect(first.headers.get('cache-control')).toBe(CACHE);
    expect((await first.json()).data.headlines).toHaveLength(1);
    const again = await get(path, { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect(again.headers.get('etag')).toBe(etag);
    expect((await get(path, { 'if-none-match': `"other", W/${etag}` })).status).toBe(304);
    await publish(channel, 'two');
    const changed = await get(path, { 'if-none-match': etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    expect((await changed.json()).data.headlines.map((h: { headline: string }) => h.headline)).toEqual(['two', 'one']);
  });

  it('the public headline view: its version as a strong ETag, 304 while unchanged, 200 after a correction, 404 after a kill', async () => {
    const channel = server.channel();
    const { headline } = await publish(channel, 'first text');
    const path = `/api/v1/headlines/${headline.uri}`;
    const view = await get(path);
    expect(view.headers.get('etag')).toBe('"1"');
    expect(view.headers.get('cache-control')).toBe(CACHE);
    expect((await get(path, { 'if-none-match': '"1"' })).status).toBe(304);
    expect((await get(`${path}?format=ninjs`, { 'if-none-match': '"1"' })).status).toBe(304);
    expect((await server.api(path, { method: 'PATCH', body: JSON.stringify({ headline: 'corrected text', edNote: 'typo' }) })).status).toBe(200);
    const corrected = await get(path, { 'if-none-match': '"1"' });
    expect(corrected.status).toBe(200);
    expect(corrected.headers.get('etag')).toBe('"2"');
    expect((await server.api(`${path}/retract`, { method: 'POST', body: JSON.stringify({ reason: 'wrong' }) })).status).toBe(200);
    expect((await get(path, { 'if-none-match': '"2"' })).status).toBe(404);
  });

  it('a log page wholly behind the head is cached shortly, not immutable: a later kill changes it', async () => {
    const channel = server.channel();
    const killed = await publish(channel, 'LATER-KILLED');
    await publish(channel, 'stays');
    const epoch = killed.cursor.split(':')[0];
    const page = `/api/v1/channels/${channel}/events?after=${epoch}:0&limit=2`;
    const before = await get(page);
    const etag = before.headers.get('etag')!;
    expect(before.headers.get('cache-control')).toBe(CACHE);
    expect(before.headers.get('cache-control')).not.toContain('immutable');
    expect(JSON.stringify(await before.json())).toContain('LATER-KILLED');
    expect((await get(page, { 'if-none-match': etag })).status).toBe(304);
    // The head moves on; the page (offsets 1–2) now lies wholly before it.
    expect((await server.api(`/api/v1/headlines/${killed.headline.uri}/retract`, { method: 'POST', body: JSON.stringify({ reason: 'wrong' }) })).status).toBe(200);
    const after = await get(page, { 'if-none-match': etag });
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(etag);
    const body = await after.json();
    expect(body.data.head).toBe(`${epoch}:3`);
    expect(JSON.stringify(body)).not.toContain('LATER-KILLED');
  });
});
