/**
 * Preview mode: `<news-ticker preview>` renders the headlines it is given through the widget's own
 * rendering (labels, right-to-left, modes), never connects and so never counts as a reader.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { Headline } from '../../shared/headline.js';
import { useServer } from '../helpers/app.js';
import { items, tickerPage, useBrowser, usePageServer, waitForState, waitForTexts } from '../helpers/browser.js';

const SEED = 'إعلام سوري: الطيران الإسرائيلي يستهدف مطار حماة العسكري بـ 3 غارات';

const draft = (headline: string, over: Partial<Headline> = {}): Headline => {
  const now = new Date().toISOString();
  return {
    uri: 'draft', channel: 'ar-breaking', version: 1, language: 'ar', direction: 'rtl', headline, urgency: 1, pubStatus: 'usable',
    firstCreated: now, versionCreated: now, ...over,
  };
};

/** Gives the n-th ticker of the page its preview headlines (once the element is defined). */
const show = (page: Page, headlines: Headline[], index = 0) => page.evaluate(async ({ headlines: h, index: i }) => {
  await customElements.whenDefined('news-ticker');
  document.querySelectorAll('news-ticker')[i]!.previewHeadlines = h;
}, { headlines, index });

describe('<news-ticker preview>', () => {
  const server = useServer('memory');
  const browser = useBrowser();
  const site = usePageServer(() => server.url);

  it('renders the given text right-to-left with its label, opens no WebSocket and counts no reader', async () => {
    const channel = server.channel('ar');
    const page = await browser.page();
    const sockets: string[] = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));
    const body = `<news-ticker preview server="${server.url}" channels="${channel}"></news-ticker>`;
    await page.goto(site.page(tickerPage(body, { lang: 'ar', dir: 'rtl' })));
    await waitForState(page, 'empty');
    await show(page, [draft(SEED)]);
    await waitForState(page, 'live');
    await waitForTexts(page, { once: [SEED], count: 1 });
    const [item] = await items(page);
    expect(item).toMatchObject({ text: SEED, dir: 'rtl', direction: 'rtl', label: 'عاجل' });
    const layout = await page.evaluate(() => {
      const root = document.querySelector('news-ticker')!.shadowRoot!;
      const li = root.querySelector('ul.group:not([aria-hidden]) > li')!;
      return {
        labelLeft: li.querySelector('[part="label"]')!.getBoundingClientRect().left,
        textRight: li.querySelector('[part="headline"]')!.getBoundingClientRect().right,
        announced: root.querySelector('[aria-live]')!.textContent,
      };
    });
    expect(layout.labelLeft).toBeGreaterThanOrEqual(layout.textRight); // the label sits on the right
    expect(layout.announced).toBe(''); // a draft is not news: nothing is announced

    // Typing on: the same item changes in place; a routine headline has no label; list mode too.
    await show(page, [draft(`${SEED} (محدث)`, { urgency: 5 })]);
    await waitForTexts(page, { once: [`${SEED} (محدث)`], count: 1 });
    expect((await items(page))[0]?.label).toBeNull();
    await page.evaluate(() => document.querySelector('news-ticker')!.setAttribute('mode', 'list'));
    await show(page, [draft('Breaking: markets fall', { language: 'en', direction: 'ltr', urgency: 2 })]);
    await waitForTexts(page, { once: ['Breaking: markets fall'], count: 1 });
    expect((await items(page))[0]).toMatchObject({ dir: 'ltr', direction: 'ltr', label: 'Bulletin' });

    const readers = await server.api('/api/v1/readers');
    expect(((await readers.json()) as { data: { channels: Record<string, number> } }).data.channels[channel] ?? 0).toBe(0);
    expect(sockets).toEqual([]);

    // Without the attribute it is an ordinary ticker again: it connects and follows its channel.
    const opened = page.waitForEvent('websocket');
    await page.evaluate(() => document.querySelector('news-ticker')!.removeAttribute('preview'));
    expect((await opened).url()).toContain(new URL(server.url).host);
    await waitForState(page, 'empty');
  });

  it('keeps the start of a right-to-left headline in place while it is edited, label first', async () => {
    const page = await browser.page();
    await page.goto(site.page(tickerPage('<news-ticker preview></news-ticker>', { lang: 'ar', dir: 'rtl' })));
    await show(page, [draft('وفد أمني', { urgency: 5 })]);
    await waitForTexts(page, { count: 1 });
    await page.locator('news-ticker').getByRole('button', { name: 'إيقاف الشريط مؤقتًا' }).click();
    const edges = () => page.evaluate(() => {
      const root = document.querySelector('news-ticker')!.shadowRoot!;
      const li = root.querySelector('ul.group:not([aria-hidden]) > li')!;
      return { start: li.getBoundingClientRect().right, label: li.querySelector('[part="label"]')?.getBoundingClientRect().right };
    });
    const before = await edges();
    // Typing on and making it a bulletin: the item grows by its text and the label, leftward only.
    await show(page, [draft('وفد أمني يصل إلى عمّان الليلة', { urgency: 2 })]);
    await waitForTexts(page, { once: ['وفد أمني يصل إلى عمّان الليلة'] });
    expect((await items(page))[0]?.label).toBe('نشرة');
    const after = await edges();
    // Within 2 px (sub-pixel rounding of the transform); the bug this guards against moved it ~190 px.
    expect(Math.abs(after.start - before.start)).toBeLessThan(2);
    expect(Math.abs((after.label ?? 0) - before.start)).toBeLessThan(2); // the label is where the sentence started
  });
});
