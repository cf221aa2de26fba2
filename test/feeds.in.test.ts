/**
 * Feeds in, against the real-world corpus served by a local HTTP server, on both engines:
 * what each file becomes, conditional fetches, corrections, filters, the SSRF guard, admin only.
 */
import { describe, expect, it } from 'vitest';
import { AR_KEY, ENGINES, useServer, type TestServer } from './helpers/app.js';
import { useFeedServer, waitFor } from './helpers/feed-server.js';

interface Report { status: string; items: number; published: number; corrected: number; unchanged: number; skipped: { guid: string; reason: string }[]; format?: string; encoding?: string; error?: string }
interface Feed { id: string; state: { lastReport?: Report; etag?: string } }
interface LiveHeadline { uri: string; headline: string; language: string; direction: string; link?: string; urgency: number; expires?: string; infoSources?: { name: string }[] }

/** What the ingest makes of each corpus file: [format, items, published, skipped]. */
const CORPUS: Record<string, [string, number, number, number]> = {
  'content-encoded.rss': ['rss', 7, 7, 0],
  'feedburner.atom': ['atom', 25, 25, 0],
  'guardian.rss': ['rss', 55, 55, 0],
  'heise.atom': ['atom', 15, 15, 0],
  'incomplete-fields.atom': ['atom', 1, 0, 1],
  'missing-fields.atom': ['atom', 1, 0, 1],
  'narro.rss': ['rss', 1, 1, 0],
  'reddit.rss': ['rss', 24, 24, 0],
  'rss-1.rss': ['rdf', 69, 69, 0],
  'arabic-wrong-encoding.rss': ['rss', 5, 4, 1],
  'arabic-windows-1256.rss': ['rss', 2, 2, 0],
};

async function connect(server: TestServer, body: Record<string, unknown>): Promise<Feed> {
  const res = await server.api('/api/v1/feeds', { method: 'POST', body: JSON.stringify(body) });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()).data as Feed;
}

/** The report of the feed's first poll, made by the poller (no poll forced). */
async function firstReport(server: TestServer, id: string): Promise<Report> {
  return waitFor(async () => ((await (await server.api(`/api/v1/feeds/${id}`)).json()).data as Feed).state.lastReport, `feed ${id} polled`);
}

const live = async (server: TestServer, channel: string) =>
  (await (await server.api(`/api/v1/channels/${channel}/headlines`, { key: '' })).json()).data.headlines as LiveHeadline[];

describe.each(ENGINES)('feeds in on the %s engine', (kind) => {
  const server = useServer(kind);
  const feeds = useFeedServer();
  const allowPrivate = (allow: boolean) =>
    server.api('/api/v1/settings/feeds', { method: 'PUT', body: JSON.stringify({ allowPrivateAddresses: allow }) });

  it('ingests every corpus file: one headline per usable item, text only, links absolute', async () => {
    expect((await allowPrivate(true)).status).toBe(200);
    for (const [file, [format, items, published, skipped]] of Object.entries(CORPUS)) {
      const channel = server.channel('ar');
      const feed = await connect(server, { channel, url: `${feeds.url}/${file}`, maxItems: 100, pollSeconds: 3600, urgency: 'urgent' });
      const report = await firstReport(server, feed.id);
      expect({ file, status: report.status, format: report.format, items: report.items, published: report.published, skipped: report.skipped.length })
        .toEqual({ file, status: 'ok', format, items, published, skipped });
      const headlines = await live(server, channel);
      expect(headlines).toHaveLength(published);
      for (const h of headlines) {
        expect(h.headline).not.toMatch(/<[a-z/!]|&[a-z]+;|&#\d+;/i);
        expect(h.urgency).toBe(3);
        if (h.link) expect(h.link).toMatch(/^https?:\/\//);
        expect(Date.parse(h.expires!)).toBeGreaterThan(Date.now());
      }
      const events = (await (await server.api(`/api/v1/channels/${channel}/events?limit=1000`, { key: '' })).json()).data.events;
      expect(events.filter((e: { type: string }) => e.type === 'published')).toHaveLength(published);
    }
  }, 120_000);

  it('reads Arabic feeds right: declared encodings wrong or right, HTML and entities stripped, relative links resolved', async () => {
    await allowPrivate(true);
    const channel = server.channel('ar');
    const feed = await connect(server, { channel, url: `${feeds.url}/arabic-wrong-encoding.rss` });
    const report = await firstReport(server, feed.id);
    expect(report).toMatchObject({ encoding: 'utf-8', skipped: [{ reason: 'no title' }] });
    const byText = new Map((await live(server, channel)).map((h) => [h.headline, h]));
    expect([...byText.keys()].sort()).toEqual([
      'رابط غير آمن لا ينشر',
      'سو-57 تحلق فوق المعرض الجوي في دبي',
      'عاجل: الطيران يستهدف مطار حماة العسكري بـ 3 غارات',
      'وزير الخارجية: “لا اتفاق” قبل نهاية الأسبوع',
    ].sort());
    expect(byText.get('عاجل: الطيران يستهدف مطار حماة العسكري بـ 3 غارات')).toMatchObject({
      language: 'ar', direction: 'rtl', link: 'https://ar.example.org/news/2024/11/12/hama', infoSources: [{ name: 'أخبار عاجلة & تقارير' }],
    });
    expect(byText.get('وزير الخارجية: “لا اتفاق” قبل نهاية الأسبوع')!.link).toBe('https://ar.example.org/news/2024/11/12/talks?ref=rss&lang=ar');
    expect(byText.get('رابط غير آمن لا ينشر')!.link).toBeUndefined();

    const bulletin = server.channel('ar');
    const other = await connect(server, { channel: bulletin, url: `${feeds.url}/arabic-windows-1256.rss` });
    expect(await firstReport(server, other.id)).toMatchObject({ encoding: 'windows-1256', published: 2 });
    expect((await live(server, bulletin)).map((h) => [h.headline, h.link, h.direction])).toEqual([
      ['المصدر: رويترز - ارتفاع أسعار النفط 2% في التعاملات الآسيوية', 'https://ar.example.org/bulletin/oil', 'rtl'],
      ['العالم: قمة طارئة في القاهرة يوم الأحد', 'https://ar.example.org/bulletin/cairo', 'rtl'],
    ]);
  });

  it('polls with ETag and If-Modified-Since, corrects changed items, publishes new ones, leaves vanished ones alone', async () => {
    await allowPrivate(true);
    const channel = server.channel('en');
    const path = `/wire-${channel}.rss`;
    const rss = (items: [string, string][]) => `<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title><link>https://wire.example.com/</link>${
      items.map(([guid, title]) => `<item><guid>${guid}</guid><title>${title}</title><link>/${guid}</link></item>`).join('')}</channel></rss>`;
    feeds.set(path, rss([['b', 'Second item'], ['a', 'First item']]));
    const feed = await connect(server, { channel, url: feeds.url + path, pollSeconds: 3600 });
    expect(await firstReport(server, feed.id)).toMatchObject({ published: 2 });
    expect((await live(server, channel)).map((h) => h.headline)).toEqual(['Second item', 'First item']);

    const again = (await (await server.api(`/api/v1/feeds/${feed.id}/poll`, { method: 'POST' })).json()).data as Report;
    expect(again.status).toBe('not-modified');
    const conditional = feeds.requests.filter((r) => r.path === path);
    expect(conditional.at(-1)).toMatchObject({ status: 304, ifNoneMatch: expect.stringMatching(/^".+"$/), ifModifiedSince: expect.any(String) });

    feeds.set(path, rss([['c', 'Third item'], ['a', 'First item, updated']]));
    const changed = (await (await server.api(`/api/v1/feeds/${feed.id}/poll`, { method: 'POST' })).json()).data as Report;
    expect(changed).toMatchObject({ status: 'ok', published: 1, corrected: 1 });
    expect((await live(server, channel)).map((h) => h.headline)).toEqual(['Third item', 'Second item', 'First item, updated']);
    const types = (await (await server.api(`/api/v1/channels/${channel}/events`, { key: '' })).json()).data.events.map((e: { type: string }) => e.type);
    expect(types).toEqual(['published', 'published', 'corrected', 'published']);
    // The feed is named as the actor of what it did.
    const audit = (await (await server.api(`/api/v1/channels/${channel}/audit`)).json()).data.entries as { action: string; actor: string }[];
    expect(audit.map((e) => [e.action, e.actor])).toEqual([
      ['published', `feed:${feed.id}`], ['corrected', `feed:${feed.id}`], ['published', `feed:${feed.id}`], ['published', `feed:${feed.id}`],
    ]);
  });

  it('applies include and exclude filters to titles', async () => {
    await allowPrivate(true);
    const channel = server.channel('en');
    const feed = await connect(server, { channel, url: `${feeds.url}/guardian.rss`, include: ['trump'], exclude: ['union'], maxItems: 100 });
    const report = await firstReport(server, feed.id);
    const headlines = await live(server, channel);
    expect(headlines.length).toBe(report.published);
    expect(headlines.length).toBeGreaterThan(0);
    for (const h of headlines) {
      expect(h.headline.toLowerCase()).toContain('trump');
      expect(h.headline.toLowerCase()).not.toContain('union');
    }
    expect(report.skipped.every((s) => s.reason.startsWith('filtered out'))).toBe(true);
  });

  it('refuses other schemes and private or loopback addresses, also by resolved name and at connect time', async () => {
    await allowPrivate(false);
    const channel = server.channel('en');
    const port = new URL(feeds.url).port;
    for (const url of [`${feeds.url}/guardian.rss`, `http://localhost:${port}/guardian.rss`, 'http://[::1]/x', 'http://10.1.2.3/feed', 'http://169.254.169.254/latest', 'file:///etc/passwd', 'ftp://example.com/feed', 'http://user:pw@example.com/']) {
      const res = await server.api('/api/v1/feeds', { method: 'POST', body: JSON.stringify({ channel, url }) });
      expect({ url, status: res.status, code: (await res.json()).code }).toEqual({ url, status: 400, code: 'FEED_URL_REFUSED' });
    }
    // Allowed when connected, refused when polled after the admin turns it off: the connect-time check holds.
    await allowPrivate(true);
    const direct = await connect(server, { channel, url: `http://localhost:${port}/narro.rss`, pollSeconds: 3600 });
    expect(await firstReport(server, direct.id)).toMatchObject({ status: 'ok', published: 1 });
    await allowPrivate(false);
    const before = feeds.requests.length;
    const report = (await (await server.api(`/api/v1/feeds/${direct.id}/poll`, { method: 'POST' })).json()).data as Report;
    expect(report.status).toBe('error');
    expect(report.error).toMatch(/private or loopback/);
    expect(feeds.requests.slice(before).filter((r) => r.path === '/narro.rss')).toEqual([]);
    await allowPrivate(true);
  });

  it('is for admins only, and bad input changes nothing', async () => {
    const before = (await (await server.api('/api/v1/feeds')).json()).data.feeds.length;
    expect((await server.api('/api/v1/feeds', { method: 'POST', key: AR_KEY, body: JSON.stringify({ channel: 'ar-x', url: `${feeds.url}/narro.rss` }) })).status).toBe(403);
    expect((await server.api('/api/v1/feeds', { key: '' })).status).toBe(401);
    expect((await server.api('/api/v1/settings/feeds', { method: 'PUT', key: AR_KEY, body: JSON.stringify({ allowPrivateAddresses: true }) })).status).toBe(403);
    for (const body of [{ channel: 'Bad Channel', url: `${feeds.url}/narro.rss` }, { channel: 'en-x', url: `${feeds.url}/narro.rss`, pollSeconds: 0 }, { channel: 'en-x', url: `${feeds.url}/narro.rss`, extra: 1 }]) {
      const res = await server.api('/api/v1/feeds', { method: 'POST', body: JSON.stringify(body) });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect((await res.json()).code).toBe('VALIDATION_FAILED');
    }
    expect((await (await server.api('/api/v1/feeds')).json()).data.feeds.length).toBe(before);
    const missing = await server.api('/api/v1/feeds/nope/poll', { method: 'POST' });
    expect([missing.status, (await missing.json()).code]).toEqual([404, 'FEED_NOT_FOUND']);
  });
});
