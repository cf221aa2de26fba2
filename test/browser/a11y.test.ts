/** What assistive technology gets, and what hostile text does: announcements, the tree, inert payloads. */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useServer } from '../helpers/app.js';
import { items, tickerPage, useBrowser, usePageServer, waitForState, waitForTexts } from '../helpers/browser.js';

describe('<news-ticker> accessibility and safety', () => {
  const server = useServer('memory');
  const browser = useBrowser();
  const site = usePageServer(() => server.url);

  const open = async (channel: string, attrs = '', page = { lang: 'en' }) => {
    const tab = await browser.page();
    await tab.goto(site.page(tickerPage(`<news-ticker server="${server.url}" channels="${channel}" ${attrs}></news-ticker>`, page)));
    await tab.waitForFunction(() => ['empty', 'live'].includes(document.querySelector('news-ticker')?.getAttribute('state') ?? '')); // subscribed
    return tab;
  };
  const publish = async (channel: string, body: Record<string, unknown>) => {
    const res = await server.publish(channel, body);
    expect(res.status).toBe(201);
    return ((await res.json()) as { data: { headline: { uri: string } } }).data.headline.uri;
  };

  /** Records the live region's text after every change (one MutationObserver callback per write). */
  const recordAnnouncements = (page: Page) => page.evaluate(() => {
    const region = document.querySelector('news-ticker')!.shadowRoot!.querySelector('[aria-live]')!;
    const log: string[] = [];
    (window as unknown as { announcements: string[] }).announcements = log;
    new MutationObserver(() => log.push(region.textContent ?? '')).observe(region, { childList: true, characterData: true, subtree: true });
  });
  const announcements = (page: Page) => page.evaluate(() => (window as unknown as { announcements: string[] }).announcements);

  it('the live region announces each new headline exactly once (not the backlog, corrections or a reconnect)', async () => {
    const channel = server.channel('en');
    await publish(channel, { headline: 'Already there before the page loaded', language: 'en' });
    const tab = await open(channel);
    await waitForTexts(tab, { once: ['Already there before the page loaded'] });
    await waitForState(tab, 'live');
    await recordAnnouncements(tab);

    const first = await publish(channel, { headline: 'First new headline', language: 'en', urgency: 'flash' });
    await tab.waitForFunction(() => (window as unknown as { announcements: string[] }).announcements.length === 1);
    const corrected = await server.api(`/api/v1/headlines/${first}`, { method: 'PATCH', body: JSON.stringify({ headline: 'First new headline, corrected', edNote: 'fix' }) });
    expect(corrected.status).toBe(200);
    await waitForTexts(tab, { once: ['First new headline, corrected'] });
    await publish(channel, { headline: 'Second new headline', language: 'en' });
    await tab.waitForFunction(() => (window as unknown as { announcements: string[] }).announcements.length === 2);

    // A dropped connection: the resubscribe brings catch-up, not new announcements.
    await tab.evaluate(() => {
      const states: string[] = [];
      (window as unknown as { states: string[] }).states = states;
      document.querySelector('news-ticker')!.addEventListener('news-ticker-state', (e) => states.push(e.detail.state));
    });
    server.app.gateway.io.disconnectSockets();
    server.app.streams.disconnectAll(); // in case the widget is on its SSE fallback (a loaded machine)
    await tab.waitForFunction(() => (window as unknown as { states: string[] }).states.join() === 'reconnecting,live', null, { timeout: 10_000 });
    await publish(channel, { headline: 'Third new headline', language: 'en' });
    await tab.waitForFunction(() => (window as unknown as { announcements: string[] }).announcements.length >= 3);
    expect(await announcements(tab)).toEqual(['Breaking: First new headline', 'Second new headline', 'Third new headline']);
  });

  it('each headline appears once in the accessibility tree (loop copies are hidden)', async () => {
    const channel = server.channel('ar');
    const tab = await open(channel, '', { lang: 'ar' });
    const texts = ['إعلام سوري: الطيران الإسرائيلي يستهدف مطار حماة العسكري بـ 3 غارات', 'شويغو في بكين'];
    for (const headline of texts) await publish(channel, { headline, language: 'ar', link: 'https://example.com/' });
    await waitForTexts(tab, { once: texts });
    // The visual strip holds loop copies of each headline…
    const inDom = await tab.evaluate((t) => [...document.querySelector('news-ticker')!.shadowRoot!.querySelectorAll('[part="headline"]')].filter((e) => e.textContent === t).length, texts[1]!);
    expect(inDom).toBeGreaterThan(1);
    // …but the accessibility tree (outside the live region) has each exactly once, as a link.
    const tree = await tab.locator('news-ticker').ariaSnapshot();
    const lines = tree.split('\n').filter((l) => !/^\s*- status\b/.test(l));
    for (const t of texts) expect(lines.filter((l) => l.includes(t))).toHaveLength(1);
    expect(tree).toContain(`link "${texts[0]}"`);
    expect(tree).toMatch(/button "إيقاف الشريط مؤقتًا"/);
  });

  it('HTML-like and bidi-control payloads render as inert text and do not reorder their neighbours', async () => {
    const channel = server.channel('en');
    const tab = await open(channel, 'mode="list"');
    await tab.evaluate(() => {
      (window as unknown as { hacked: boolean }).hacked = false;
    });
    const html = `&lt;b&gt;x&lt;/b&gt; & "quotes" 'x' onerror=window.hacked=true`;
    const bidi = 'Before \u202Eevil\u202C after \u2067ISO\u2069 \u202Bmore';
    await publish(channel, { headline: 'Neighbour one 123 abc', language: 'en' });
    await publish(channel, { headline: html, language: 'en' });
    await publish(channel, { headline: bidi, language: 'en' });
    await publish(channel, { headline: 'Neighbour two 456 def', language: 'en' });
    await waitForTexts(tab, { count: 4 });
    const shown = (await items(tab)).map((i) => i.text);
    expect(shown).toContain(html.replace(/\s+/g, ' '));
    expect(shown).toContain('Before evil after ISO more');
    const inert = await tab.evaluate(() => {
      const root = document.querySelector('news-ticker')!.shadowRoot!;
      return {
        elements: [...root.querySelectorAll('[part="headline"] *')].length,
        b: root.querySelectorAll('b').length,
        hacked: (window as unknown as { hacked: boolean }).hacked,
        controls: [...root.querySelectorAll('[part="headline"]')].some((e) => /[\u202A-\u202E\u2066-\u2069]/.test(e.textContent ?? '')),
      };
    });
    expect(inert).toEqual({ elements: 0, b: 0, hacked: false, controls: false });
    // Every headline, including the neighbours, is laid out in logical order: each character's box
    // sits to the right of the previous one (left-to-right text), nothing reversed by a stray RLO.
    const ordered = await tab.evaluate(() => [...document.querySelector('news-ticker')!.shadowRoot!.querySelectorAll('[part="headline"]')].map((e) => {
      const node = e.firstChild!;
      const xs: number[] = [];
      for (let i = 0; i < (node.textContent ?? '').length; i++) {
        if (/\s/.test(node.textContent![i]!)) continue;
        const r = document.createRange();
        r.setStart(node, i);
        r.setEnd(node, i + 1);
        const box = r.getBoundingClientRect();
        if (box.width > 0) xs.push(box.left);
      }
      return xs.every((x, k) => k === 0 || x >= xs[k - 1]!) && xs.length > 5;
    }));
    expect(ordered).toEqual([true, true, true, true]);
  });
});
