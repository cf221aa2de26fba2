/**
 * A fair strip and bounded reader storage: urgency leads only within its window and never takes
 * every slot (shared/order.ts), and the SDK saves only the cursor plus what a ticker can show,
 * within a size cap, across a soak of hundreds of headlines.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { Headline } from '../../shared/headline.js';
import { useServer } from '../helpers/app.js';
import { items, tickerPage, useBrowser, usePageServer, waitForState, waitForTexts } from '../helpers/browser.js';

/** The saved state of every channel in the page's localStorage: entries and total characters. */
const saved = (page: Page) => page.evaluate(() => {
  const out: { key: string; chars: number; uris: string[] }[] = [];
  for (let i = 0; i < localStorage.length; i++) {
    const key = localStorage.key(i)!;
    if (!key.startsWith('news-ticker:')) continue;
    const text = localStorage.getItem(key)!;
    out.push({ key, chars: text.length, uris: (JSON.parse(text) as { headlines: { uri: string }[] }).headlines.map((h) => h.uri) });
  }
  return out;
});

describe('<news-ticker> fair order and bounded storage', () => {
  const server = useServer('memory');
  const browser = useBrowser();
  const site = usePageServer(() => server.url);

  it('a simulated busy hour: routine news keeps its reserved slots and flashes stop leading after 15 minutes', async () => {
    const page = await browser.page();
    await page.goto(site.page(tickerPage('<news-ticker preview mode="list" max="6"></news-ticker>')));
    await page.waitForFunction(() => customElements.get('news-ticker') !== undefined);
    // A flash every minute and a routine item every 4 minutes, for 60 minutes (90 items).
    const published: { minute: number; uri: string; urgency: number }[] = [];
    for (let m = 0; m < 60; m++) {
      published.push({ minute: m, uri: `flash-${m}`, urgency: 1 });
      if (m % 4 === 0) published.push({ minute: m, uri: `routine-${m}`, urgency: 5 });
    }
    for (let now = 0; now < 60; now++) {
      const order = await page.evaluate(({ list, now: minute }) => {
        const t = Date.now();
        const ticker = document.querySelector('news-ticker')! as HTMLElement & { previewHeadlines: Headline[] };
        ticker.previewHeadlines = list.filter((p) => p.minute <= minute).map((p) => {
          const at = new Date(t - (minute - p.minute) * 60_000 - 1000).toISOString();
          return { uri: p.uri, channel: 'sim', version: 1, language: 'en', direction: 'ltr', headline: p.uri, urgency: p.urgency, pubStatus: 'usable', firstCreated: at, versionCreated: at } as Headline;
        });
        return [...ticker.shadowRoot!.querySelectorAll<HTMLElement>('ul.group > li')].map((li) => li.dataset.uri!);
      }, { list: published, now });
      const routineLive = published.filter((p) => p.minute <= now && p.urgency === 5).length;
      const flashLive = published.filter((p) => p.minute <= now && p.urgency === 1).length;
      expect(order).toHaveLength(Math.min(6, routineLive + flashLive));
      // At least two of six slots for the newest routine items, whenever they exist…
      expect(order.filter((u) => u.startsWith('routine')).length).toBeGreaterThanOrEqual(Math.min(2, routineLive));
      // …and the four newest flashes lead (all are under 15 minutes old here).
      expect(order.slice(0, Math.min(4, flashLive))).toEqual(Array.from({ length: Math.min(4, flashLive) }, (_, k) => `flash-${now - k}`));
    }
    // A quiet quarter of an hour later nothing is urgent any more: pure recency.
    const late = await page.evaluate(() => {
      const ticker = document.querySelector('news-ticker')! as HTMLElement & { previewHeadlines: Headline[] };
      const t = Date.now();
      const make = (uri: string, urgency: number, minutesAgo: number) => {
        const at = new Date(t - minutesAgo * 60_000).toISOString();
        return { uri, channel: 'sim', version: 1, language: 'en', direction: 'ltr', headline: uri, urgency, pubStatus: 'usable', firstCreated: at, versionCreated: at } as Headline;
      };
      ticker.previewHeadlines = [make('old-flash', 1, 20), make('routine-new', 5, 1), make('routine-older', 5, 10)];
      return [...ticker.shadowRoot!.querySelectorAll<HTMLElement>('ul.group > li')].map((li) => li.dataset.uri!);
    });
    expect(late).toEqual(['routine-new', 'routine-older', 'old-flash']);
  });

  it('a real server: eight fresh flashes do not push the routine headlines off a max="6" strip', async () => {
    const channel = server.channel('en');
    const page = await browser.page();
    await page.goto(site.page(tickerPage(`<news-ticker server="${server.url}" channels="${channel}" mode="list" max="6"></news-ticker>`)));
    await waitForState(page, 'empty');
    for (const h of ['Routine one', 'Routine two', 'Routine three']) expect((await server.publish(channel, { headline: h, language: 'en' })).status).toBe(201);
    for (let i = 1; i <= 8; i++) expect((await server.publish(channel, { headline: `Flash ${i}`, language: 'en', urgency: 'flash' })).status).toBe(201);
    await waitForTexts(page, { once: ['Flash 8', 'Routine three'], count: 6 });
    expect((await items(page)).map((i) => i.text)).toEqual(['Flash 8', 'Flash 7', 'Flash 6', 'Flash 5', 'Routine three', 'Routine two']);
  });

  it('a 300-headline soak saves only the cursor and the shown headlines, under the cap, and a reload resumes them', async () => {
    const channel = server.channel('en');
    const page = await browser.page();
    const url = site.page(tickerPage(`<news-ticker server="${server.url}" channels="${channel}" mode="list" max="8"></news-ticker>`));
    await page.goto(url);
    await waitForState(page, 'empty');
    const long = 'Markets: oil steadies after three days of losses as traders weigh supply risks and a long tail of words';
    for (let i = 1; i <= 300; i++) {
      const res = await server.publish(channel, { headline: `${i} ${long}`, language: 'en', urgency: i % 7 === 0 ? 'flash' : 'routine', by: 'Reuters', section: 'World', link: `https://example.com/${i}` });
      expect(res.status).toBe(201);
    }
    await waitForTexts(page, { once: [`300 ${long}`], count: 8 });
    const shown = (await items(page)).map((i) => i.uri);
    // The SDK saves after a short debounce: wait until the saved set is the one on screen.
    await expect.poll(async () => (await saved(page))[0]?.uris.sort(), { timeout: 10_000, interval: 50 }).toEqual([...shown].sort());
    const [state] = await saved(page);
    expect(state!.chars).toBeLessThanOrEqual(16_000);
    console.log(`saved state after a 300-headline soak (max=8): ${state!.chars} characters, ${state!.uris.length} headlines`);

    // A reload shows the saved headlines at once, then resumes from the cursor (no repeats).
    const again = await browser.page();
    await again.goto(url);
    await waitForTexts(again, { count: 8 });
    expect((await items(again)).map((i) => i.uri)).toEqual(shown);
  });

  it('the size cap holds however many headlines a ticker shows', async () => {
    const channel = server.channel('en');
    const page = await browser.page();
    await page.goto(site.page(tickerPage(`<news-ticker server="${server.url}" channels="${channel}" mode="list" max="200"></news-ticker>`)));
    await waitForState(page, 'empty');
    const text = 'A long headline that fills the field up to its limit with plain words and numbers 0123456789 '.repeat(3).slice(0, 270);
    for (let i = 1; i <= 120; i++) expect((await server.publish(channel, { headline: `${i} ${text}`, language: 'en', by: 'Agence France-Presse', section: 'World' })).status).toBe(201);
    await waitForTexts(page, { count: 120 });
    await page.waitForFunction(() => Object.keys(localStorage).some((k) => k.startsWith('news-ticker:') && localStorage.getItem(k)!.includes('"120 ')));
    const [state] = await saved(page);
    expect(state!.chars).toBeLessThanOrEqual(16_000);
    expect(state!.uris.length).toBeGreaterThan(10);
    expect(state!.uris.length).toBeLessThan(120);
    console.log(`saved state capped: ${state!.chars} characters, ${state!.uris.length} of 120 headlines`);
  });
});
