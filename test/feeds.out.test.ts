/** Feeds out: JSON Feed 1.1 and Atom 1.0 of a channel's live set, on both engines. */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { ENGINES, useServer } from './helpers/app.js';

const SEED = 'إعلام سوري: الطيران الإسرائيلي يستهدف مطار حماة العسكري بـ 3 غارات';
const EN = 'Profits & losses: 5 < 6 "quoted" \'single\'';

interface JsonFeedItem { id: string; title?: string; content_text?: string; content_html?: string; language: string; date_published: string; date_modified: string; url?: string; _news_ticker: { dir: string; urgency: number } }

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (name) => name === 'entry' || name === 'link' });

describe.each(ENGINES)('feeds out on the %s engine', (kind) => {
  const server = useServer(kind);
  const feedJson = (channel: string, headers: Record<string, string> = {}) => server.api(`/api/v1/channels/${channel}/feed.json`, { key: '', headers });
  const feedAtom = (channel: string, headers: Record<string, string> = {}) => server.api(`/api/v1/channels/${channel}/feed.atom`, { key: '', headers });

  async function seeded() {
    const channel = server.channel('ar');
    const ar = (await (await server.publish(channel, { headline: SEED, urgency: 'flash', link: 'https://example.com/a?x=1&y=2', by: 'رويترز', section: 'العالم' })).json()).data.headline;
    const en = (await (await server.publish(channel, { headline: EN, language: 'en' })).json()).data.headline;
    return { channel, ar, en };
  }

  it('serves JSON Feed 1.1 with the spec\'s required fields, newest first, language and direction per item', async () => {
    const { channel, ar, en } = await seeded();
    const res = await feedJson(channel);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/feed+json');
    expect(res.headers.get('cache-control')).toMatch(/max-age=\d{1,2}\b/);
    const feed = await res.json();
    // Required by JSON Feed 1.1: version, title, items; each item an id and content_html or content_text.
    expect(feed.version).toBe('https://jsonfeed.org/version/1.1');
    expect(typeof feed.title).toBe('string');
    expect(Array.isArray(feed.items)).toBe(true);
    for (const item of feed.items as JsonFeedItem[]) {
      expect(typeof item.id).toBe('string');
      expect(typeof (item.content_text ?? item.content_html)).toBe('string');
      expect(Number.isNaN(Date.parse(item.date_published))).toBe(false);
    }
    expect(feed.feed_url).toMatch(new RegExp(`/api/v1/channels/${channel}/feed\\.json$`));
    const items = feed.items as JsonFeedItem[];
    expect(items.map((i) => i.id)).toEqual([`urn:news-ticker:headline:${en.uri}`, `urn:news-ticker:headline:${ar.uri}`]);
    expect(items[1]).toMatchObject({ title: SEED, language: 'ar', url: 'https://example.com/a?x=1&y=2', _news_ticker: { dir: 'rtl', urgency: 1 } });
    expect(items[0]).toMatchObject({ content_text: EN, language: 'en', _news_ticker: { dir: 'ltr' } });
  });

  it('serves Atom 1.0 that a real XML parser reads back exactly', async () => {
    const { channel, ar, en } = await seeded();
    const res = await feedAtom(channel);
    expect(res.headers.get('content-type')).toContain('application/atom+xml');
    const xml = await res.text();
    expect(XMLValidator.validate(xml)).toBe(true);
    const { feed } = parser.parse(xml);
    expect(feed['@xmlns']).toBe('http://www.w3.org/2005/Atom');
    expect(feed.id).toBe(`urn:news-ticker:channel:${channel}`);
    expect(feed.author.name).toBe('news-ticker');
    expect(feed.entry.map((e: { id: string }) => e.id)).toEqual([`urn:news-ticker:headline:${en.uri}`, `urn:news-ticker:headline:${ar.uri}`]);
    const [first, second] = feed.entry;
    expect(first.title['#text']).toBe(EN);
    expect(second['@xml:lang']).toBe('ar');
    expect(second.title['#text']).toBe(SEED);
    expect(second.content.div).toMatchObject({ '#text': SEED, '@dir': 'rtl', '@lang': 'ar' });
    expect(second.link[0]['@href']).toBe('https://example.com/a?x=1&y=2');
    expect(second.updated).toBe(ar.versionCreated);
    expect(Date.parse(feed.updated)).toBeGreaterThanOrEqual(Date.parse(en.versionCreated));
  });

  it('sends ETags: 304 while nothing changed, a new one after a correction with the new updated time', async () => {
    const { channel, ar } = await seeded();
    for (const get of [feedJson, feedAtom]) {
      const etag = (await get(channel)).headers.get('etag')!;
      expect(etag).toMatch(/^".+"$/);
      const same = await get(channel, { 'if-none-match': etag });
      expect(same.status).toBe(304);
      expect(await same.text()).toBe('');
    }
    const before = [(await feedJson(channel)).headers.get('etag'), (await feedAtom(channel)).headers.get('etag')];
    const fixed = await server.api(`/api/v1/headlines/${ar.uri}`, { method: 'PATCH', body: JSON.stringify({ headline: 'إعلام سوري: 4 غارات', edNote: 'count' }) });
    const corrected = (await fixed.json()).data.headline;
    const after = await feedJson(channel, { 'if-none-match': before[0]! });
    expect(after.status).toBe(200);
    const item = (await after.json()).items.find((i: JsonFeedItem) => i.id.endsWith(ar.uri));
    expect(item).toMatchObject({ title: 'إعلام سوري: 4 غارات', date_modified: corrected.versionCreated, date_published: ar.firstCreated });
    expect((await feedAtom(channel, { 'if-none-match': before[1]! })).status).toBe(200);
  });

  it('drops a killed headline from every feed, and the feed says when it changed', async () => {
    const { channel, ar, en } = await seeded();
    const killed = await server.api(`/api/v1/headlines/${ar.uri}/retract`, { method: 'POST', body: JSON.stringify({ reason: 'wrong airport' }) });
    const at = (await killed.json()).data.headline.versionCreated;
    const json = await (await feedJson(channel)).json();
    expect(json.items.map((i: JsonFeedItem) => i.id)).toEqual([`urn:news-ticker:headline:${en.uri}`]);
    const atom = await (await feedAtom(channel)).text();
    expect(atom).not.toContain(SEED);
    expect(atom).not.toContain(ar.uri);
    const { feed } = parser.parse(atom);
    expect(feed.updated).toBe(at);
    // Held ones leave too.
    await server.api(`/api/v1/headlines/${en.uri}/hold`, { method: 'POST', body: JSON.stringify({}) });
    expect((await (await feedJson(channel)).json()).items).toEqual([]);
    expect(parser.parse(await (await feedAtom(channel)).text()).feed.entry).toBeUndefined();
  });

  it('refuses a bad channel name with problem+json', async () => {
    const res = await feedJson('Not_A_Channel');
    expect(res.status).toBe(400);
    expect((await res.json()).code).toBe('VALIDATION_FAILED');
  });
});
