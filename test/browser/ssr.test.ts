/**
 * Server-rendered first paint: a page includes the `?format=html` fragment, fetched from the real
 * server, inside <news-ticker>. The widget shows those headlines before any connection is made
 * (a gate holds every request and upgrade to the reader server), never goes empty, and, once the
 * gate opens, resumes from the fragment's cursor: what was published or killed between render
 * and connect arrives, nothing is shown twice, and later headlines come live.
 */
import { describe, expect, it } from 'vitest';
import { ENGINES, useServer } from '../helpers/app.js';
import { axeViolations } from '../helpers/axe.js';
import { tickerPage, useBrowser, usePageServer, waitForState, waitForTexts } from '../helpers/browser.js';
import { useGate } from '../helpers/gate.js';

/**
 * Records, from the first moment the element is upgraded, its states and the fewest items its
 * group ever held (a flash of empty content would make it 0). A classic script: it runs before
 * the module embed.js defines the element.
 */
const RECORDER = `<script>
  window.states = [];
  document.addEventListener('news-ticker-state', (e) => window.states.push(e.detail.state), true);
  customElements.whenDefined('news-ticker').then(() => {
    const root = document.querySelector('news-ticker').shadowRoot;
    const count = () => root.querySelectorAll('ul.group:not([aria-hidden]) > li').length;
    window.firstCount = window.fewest = count();
    new MutationObserver(() => { window.fewest = Math.min(window.fewest, count()); }).observe(root, { childList: true, subtree: true });
  });
</script>`;

interface Recorded {
  states: string[];
  firstCount: number;
  fewest: number;
}

for (const kind of ENGINES) {
  describe(`<news-ticker> adopting a server-rendered fragment (${kind} engine)`, () => {
    const server = useServer(kind);
    const browser = useBrowser();
    const site = usePageServer(() => server.url);
    const gate = useGate(() => server.url);

    const publish = async (channel: string, body: Record<string, unknown>): Promise<string> => {
      const res = await server.publish(channel, body);
      expect(res.status).toBe(201);
      return ((await res.json()) as { data: { headline: { uri: string } } }).data.headline.uri;
    };
    const fragment = async (channel: string): Promise<string> => {
      const res = await fetch(`${server.url}/api/v1/channels/${channel}/headlines?format=html`);
      expect(res.status).toBe(200);
      return res.text();
    };
    const ticker = (channel: string, html: string) => `<news-ticker server="${gate.url}" channels="${channel}" mode="list">${html}</news-ticker>`;

    it('paints the fragment before any connection, then resumes from its cursor: no gap, no duplicate, kills apply', async () => {
      gate.close();
      const channel = server.channel('ar');
      const first = 'إعلام سوري: الطيران الإسرائيلي يستهدف مطار حماة العسكري بـ 3 غارات';
      const killed = 'Killed after the page was rendered';
      await publish(channel, { headline: first, language: 'ar', urgency: 'flash' });
      const killedUri = await publish(channel, { headline: killed, language: 'en', link: 'https://example.com/k' });
      const html = await fragment(channel);
      const cursor = /data-cursor="([^"]+)"/.exec(html)![1]!;

      // Between the server's render and the reader's connection: one new headline, one kill.
      const between = 'Published between render and connect';
      await publish(channel, { headline: between, language: 'en' });
      expect((await server.api(`/api/v1/headlines/${killedUri}/retract`, { method: 'POST', body: JSON.stringify({ reason: 'test' }) })).status).toBe(200);

      const tab = await browser.page();
      const sent: string[] = [];
      const received: string[] = [];
      tab.on('websocket', (ws) => {
        ws.on('framesent', (f) => sent.push(String(f.payload)));
        ws.on('framereceived', (f) => received.push(String(f.payload)));
      });
      // A well-formed publisher page (title, main, h1), so axe judges the widget.
      await tab.goto(site.page(tickerPage(`<main><h1>Publisher page</h1>${ticker(channel, html)}</main>`, { head: `<title>Publisher page</title>${RECORDER}` })));

      // First paint: the fragment's headlines, while the connection is held at the gate.
      await waitForTexts(tab, { once: [first, killed], count: 2 });
      await expect.poll(() => gate.held).toBeGreaterThan(0);
      expect(await tab.locator('news-ticker').getAttribute('state')).toBe('connecting');
      const paint = await tab.evaluate(() => {
        const host = document.querySelector('news-ticker')!;
        const li = host.shadowRoot!.querySelector<HTMLLIElement>('ul.group > li[lang="ar"]')!;
        return { dir: li.dir, label: li.querySelector('[part="label"]')?.textContent, status: host.shadowRoot!.querySelector('.status')!.textContent, link: host.shadowRoot!.querySelector('a')?.href };
      });
      expect(paint).toEqual({ dir: 'rtl', label: 'عاجل', status: '', link: 'https://example.com/k' });
      // The fragment stays in the page (search engines, no-JS) but is not rendered: each headline
      // is in the accessibility tree once, from the shadow DOM.
      expect(await tab.locator('news-ticker > ul.news-ticker-items > li').count()).toBe(2);
      expect(await tab.locator('news-ticker > ul.news-ticker-items').isVisible()).toBe(false);
      const tree = await tab.locator('body').ariaSnapshot();
      for (const t of [first, killed]) expect(tree.split('\n').filter((l) => l.includes(t))).toHaveLength(1);
      expect(await axeViolations(tab)).toEqual([]);

      // Live: the subscribe resumes from the fragment's cursor (no snapshot), the gap closes.
      gate.open();
      await waitForTexts(tab, { once: [first, between], absent: [killed], count: 2 });
      await waitForState(tab, 'live');
      expect(sent.some((f) => f.includes('"channels:subscribe"') && f.includes(`"cursor":"${cursor}"`))).toBe(true);
      expect(received.some((f) => f.includes('"channel:snapshot"'))).toBe(false);

      const later = 'Published once live';
      await publish(channel, { headline: later, language: 'en' });
      await waitForTexts(tab, { once: [first, between, later], count: 3 });

      const recorded = await tab.evaluate(() => {
        const { states, firstCount, fewest } = window as unknown as Recorded;
        return { states, firstCount, fewest };
      });
      expect(recorded.firstCount).toBe(2);
      expect(recorded.fewest).toBeGreaterThanOrEqual(2);
      expect(recorded.states).not.toContain('empty');
      expect(recorded.states.at(-1)).toBe('live');
    });

    it('a newer saved state wins over an older fragment', async () => {
      gate.open();
      const channel = server.channel('en');
      await publish(channel, { headline: 'In the fragment', language: 'en' });
      const html = await fragment(channel);
      await publish(channel, { headline: 'After the fragment', language: 'en' });
      const context = await browser.context();
      const tab = await context.newPage();
      // A first visit goes live and saves its state (the SDK saves at most 250 ms after a change).
      await tab.goto(site.page(tickerPage(ticker(channel, ''))));
      await waitForTexts(tab, { once: ['In the fragment', 'After the fragment'], count: 2 });
      await tab.waitForFunction((c) => Object.keys(localStorage).some((k) => k.endsWith(`:${c}`) && localStorage.getItem(k)!.includes('After the fragment')), channel);
      await tab.close();

      // The next page carries the older fragment; its first paint is the saved, newer state.
      gate.close();
      const again = await context.newPage();
      await again.goto(site.page(tickerPage(ticker(channel, html))));
      await waitForTexts(again, { once: ['In the fragment', 'After the fragment'], count: 2 });
      expect(await again.locator('news-ticker').getAttribute('state')).toBe('connecting');
      gate.open();
      await waitForState(again, 'live');
      await waitForTexts(again, { once: ['In the fragment', 'After the fragment'], count: 2 });
    });

    it('fragment text stays text: markup, script and bidi controls are inert, a javascript: link is no link', async () => {
      gate.close();
      const channel = server.channel('en');
      const html = `<ul class="news-ticker-items" data-channel="${channel}" data-cursor="empty:0">` +
        `<li data-uri="u1" data-version="1" lang="en" dir="ltr" data-urgency="5"><time datetime="2026-01-01T10:00:00.000Z">x</time> ` +
        `&lt;script&gt;window.hacked = true&lt;/script&gt; &lt;img src=x onerror="window.hacked = true"&gt;</li>` +
        `<li data-uri="u2" data-version="1" lang="en" dir="ltr"><time datetime="2026-01-01T09:00:00.000Z">x</time> ` +
        `<a href="javascript:window.hacked=true">Before &#x202E;evil&#x202C; after &#x2067;ISO&#x2069;</a></li></ul>`;
      const tab = await browser.page();
      await tab.goto(site.page(tickerPage(ticker(channel, html))));
      await waitForTexts(tab, {
        once: ['<script>window.hacked = true</script> <img src=x onerror="window.hacked = true">', 'Before evil after ISO'],
        count: 2,
      });
      const inert = await tab.evaluate(() => {
        const root = document.querySelector('news-ticker')!.shadowRoot!;
        return { hacked: (window as unknown as { hacked?: boolean }).hacked, elements: root.querySelectorAll('script, img').length, links: root.querySelectorAll('a').length };
      });
      expect(inert).toEqual({ hacked: undefined, elements: 0, links: 0 });
    });
  });
}
