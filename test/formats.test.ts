/**
 * First paint and search: `?format=html` (a semantic fragment, dir/lang per item, escaped text,
 * no scripts) and `?format=jsonld` (schema.org LiveBlogPosting with BlogPosting updates), on the
 * public live set, both engines; killed headlines never appear in either.
 */
import { describe, expect, it } from 'vitest';
import { ENGINES, useServer } from './helpers/app.js';

describe.each(ENGINES)('live set formats (%s engine)', (kind) => {
  const server = useServer(kind);
  const publish = async (channel: string, body: Record<string, unknown>) => {
    const res = await server.publish(channel, body);
    expect(res.status).toBe(201);
    return (await res.json()).data as { headline: { uri: string }; cursor: string };
  };

  it('?format=html: a list with dir and lang per item, escaped text, http(s) links only, no script, the cursor', async () => {
    const channel = server.channel();
    const ar = await publish(channel, { headline: 'إعلام سوري: الطيران الإسرائيلي يستهدف مطار حماة العسكري بـ 3 غارات', language: 'ar', link: 'https://example.com/a?x=1&y=2' });
    const en = await publish(channel, { headline: 'AT&T: "5 < 6" and \'7 > 2\'', language: 'en' });
    const killed = await publish(channel, { headline: 'KILLED-IN-HTML', language: 'en' });
    expect((await server.api(`/api/v1/headlines/${killed.headline.uri}/retract`, { method: 'POST', body: JSON.stringify({ reason: 'x' }) })).status).toBe(200);
    const res = await fetch(`${server.url}/api/v1/channels/${channel}/headlines?format=html`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('etag')).toMatch(/^"/);
    const html = await res.text();
    expect(html).not.toMatch(/<script|javascript:|KILLED-IN-HTML/i);
    expect(html).toMatch(new RegExp(`^<ul class="news-ticker-items" data-channel="${channel}" data-cursor="[a-z0-9]+:4">`));
    // What the widget adopts beyond the text, lang, dir and time: urgency and last change.
    const items = [...html.matchAll(/<li data-uri="([^"]+)" data-version="1" lang="(\w+)" dir="(\w+)" data-urgency="5" data-updated="[^"]+">(.*?)<\/li>/g)];
    expect(items.map((m) => [m[1], m[2], m[3]])).toEqual([[en.headline.uri, 'en', 'ltr'], [ar.headline.uri, 'ar', 'rtl']]);
    expect(items[0]![4]).toContain('AT&amp;T: &quot;5 &lt; 6&quot; and &#39;7 &gt; 2&#39;');
    expect(items[0]![4]).not.toContain('<a ');
    expect(items[1]![4]).toContain('<a href="https://example.com/a?x=1&amp;y=2">إعلام سوري');
    expect(items[1]![4]).toMatch(/<time datetime="[^"]+">/);
  });

  it('?format=jsonld: a schema.org LiveBlogPosting with a BlogPosting per live headline', async () => {
    const channel = server.channel();
    await publish(channel, { headline: 'العالم: خبر عاجل', language: 'ar', section: 'العالم' });
    await publish(channel, { headline: 'Second', language: 'en', link: 'https://example.com/s' });
    const res = await fetch(`${server.url}/api/v1/channels/${channel}/headlines?format=jsonld`);
    expect(res.headers.get('content-type')).toBe('application/ld+json; charset=utf-8');
    const doc = await res.json();
    expect(doc['@context']).toBe('https://schema.org');
    expect(doc['@type']).toBe('LiveBlogPosting');
    expect(doc['@id']).toBe(`${server.url}/api/v1/channels/${channel}/headlines`);
    expect(doc.liveBlogUpdate).toHaveLength(2);
    for (const u of doc.liveBlogUpdate) {
      expect(u['@type']).toBe('BlogPosting');
      expect(typeof u.headline).toBe('string');
      expect(Number.isNaN(Date.parse(u.datePublished))).toBe(false);
      expect(u['@id']).toMatch(new RegExp(`^${doc['@id']}#`));
      // Every property is a schema.org term (no made-up keys a JSON-LD processor would drop).
      for (const key of Object.keys(u)) expect(['@type', '@id', 'headline', 'inLanguage', 'datePublished', 'dateModified', 'url', 'articleSection', 'expires']).toContain(key);
    }
    expect(doc.liveBlogUpdate.map((u: { headline: string; inLanguage: string }) => [u.headline, u.inLanguage])).toEqual([['Second', 'en'], ['العالم: خبر عاجل', 'ar']]);
    expect(doc.liveBlogUpdate[0].url).toBe('https://example.com/s');
    expect(doc.liveBlogUpdate[1].articleSection).toBe('العالم');
  });
});
