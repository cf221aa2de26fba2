/**
 * A 280-character unbroken word stays inside its box in every mode: in list, rotate and reduced
 * motion the item breaks the word within the widget's width; in the moving strip an item is at
 * most --news-ticker-item-max-width wide and the word breaks within it (the strip itself is
 * meant to run past the visible area and is clipped by it).
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useServer } from '../helpers/app.js';
import { tickerPage, useBrowser, usePageServer, waitForState, waitForTexts } from '../helpers/browser.js';

const LATIN = 'Ww'.repeat(140);
const ARABIC = 'بسم'.repeat(93) + 'ب';

interface Box {
  text: string;
  li: { left: number; right: number; width: number };
  headline: { left: number; right: number };
  view: { left: number; right: number };
  maxWidth: string;
  viewOverflow: number;
  pageOverflow: number;
}

/** Geometry of the shown items of the ticker (the real group, not the loop copies). */
const measure = (page: Page): Promise<Box[]> => page.evaluate(() => {
  const root = document.querySelector('news-ticker')!.shadowRoot!;
  const viewport = root.querySelector<HTMLElement>('.viewport')!;
  const view = viewport.getBoundingClientRect();
  const lis = [...root.querySelectorAll<HTMLLIElement>('ul.group:not([aria-hidden]) > li')].filter((li) => !li.hidden);
  return lis.map((li) => {
    const r = li.getBoundingClientRect();
    const h = li.querySelector('[part="headline"]')!.getBoundingClientRect();
    return {
      text: li.querySelector('[part="headline"]')!.textContent ?? '',
      li: { left: r.left, right: r.right, width: r.width },
      headline: { left: h.left, right: h.right },
      view: { left: view.left, right: view.right },
      maxWidth: getComputedStyle(li).maxWidth,
      viewOverflow: viewport.scrollWidth - viewport.clientWidth,
      pageOverflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    };
  });
});

const inside = (inner: { left: number; right: number }, outer: { left: number; right: number }) =>
  inner.left >= outer.left - 1 && inner.right <= outer.right + 1;

describe('<news-ticker> long unbroken words', () => {
  const server = useServer('memory');
  const browser = useBrowser({ viewport: { width: 1280, height: 800 } });
  const site = usePageServer(() => server.url);

  const open = async (attrs: string, reducedMotion: 'reduce' | 'no-preference', page: { lang?: string; dir?: string } = {}) => {
    const channel = server.channel('lw');
    for (const [headline, language, link] of [[LATIN, 'en', 'https://example.com/story'], [ARABIC, 'ar', undefined]] as const) {
      const res = await server.publish(channel, { headline, language, ...(link ? { link } : {}) });
      expect(res.status).toBe(201);
    }
    const tab = await browser.page({ reducedMotion });
    await tab.goto(site.page(tickerPage(`<news-ticker server="${server.url}" channels="${channel}" ${attrs}></news-ticker>`, page)));
    await waitForState(tab, 'live');
    await waitForTexts(tab, { once: [LATIN, ARABIC], count: 2 });
    return tab;
  };

  /** In list, rotate and reduced-motion modes every item and its text lie within the visible area. */
  const expectContained = (boxes: Box[]) => {
    expect(boxes.length).toBeGreaterThan(0);
    for (const b of boxes) {
      const name = b.text.slice(0, 6);
      expect(b.li.width, name).toBeGreaterThan(0);
      expect(inside(b.li, b.view), `${name}: item ${JSON.stringify(b.li)} in view ${JSON.stringify(b.view)}`).toBe(true);
      expect(inside(b.headline, b.li), `${name}: text ${JSON.stringify(b.headline)} in item ${JSON.stringify(b.li)}`).toBe(true);
      expect(b.viewOverflow, name).toBeLessThanOrEqual(0);
      expect(b.pageOverflow, name).toBeLessThanOrEqual(0);
    }
  };

  /** One-at-a-time modes: look at each headline in turn with the "next" button. */
  const eachShown = async (tab: Page) => {
    const seen = new Set<string>();
    for (let i = 0; i < 2; i++) {
      const boxes = await measure(tab);
      expect(boxes).toHaveLength(1);
      expectContained(boxes);
      seen.add(boxes[0]!.text);
      await tab.locator('news-ticker').getByRole('button', { name: 'Next' }).click();
    }
    expect([...seen].sort()).toEqual([LATIN, ARABIC].sort());
  };

  const PAGES = [['left-to-right', { lang: 'en' }], ['right-to-left', { lang: 'ar', dir: 'rtl' }]] as const;

  it.each(PAGES)('list mode, %s page: both items wrap inside the widget', async (_name, page) => {
    const tab = await open('mode="list"', 'no-preference', page);
    const boxes = await measure(tab);
    expect(boxes).toHaveLength(2);
    expectContained(boxes);
  });

  it('rotate mode: each item wraps inside the widget', async () => {
    await eachShown(await open('mode="rotate" interval="600000"', 'no-preference'));
  });

  it('scroll mode under reduced motion (one at a time): each item wraps inside the widget', async () => {
    await eachShown(await open('', 'reduce'));
  });

  it.each(PAGES)('scroll mode, %s page: no item is wider than the item max width, and its word breaks within the item', async (_name, page) => {
    const tab = await open('', 'no-preference', page);
    // The strip runs (that is the point of this mode); one evaluate reads every box in one layout.
    const boxes = await measure(tab);
    expect(boxes).toHaveLength(2);
    for (const b of boxes) {
      const name = b.text.slice(0, 6);
      const max = Number.parseFloat(b.maxWidth);
      expect(max, `${name}: max-width ${b.maxWidth}`).toBeGreaterThan(0);
      expect(b.li.width, name).toBeLessThanOrEqual(max + 1);
      expect(inside(b.headline, b.li), `${name}: text ${JSON.stringify(b.headline)} in item ${JSON.stringify(b.li)}`).toBe(true);
      expect(b.pageOverflow, name).toBeLessThanOrEqual(0);
    }
  });

  it('scroll mode: a real headline of 150 characters stays on one line', async () => {
    const channel = server.channel('lw');
    const headline = 'Central bank holds rates as inflation cools; markets rally and the currency firms against the dollar in early trading on Tuesday, analysts said';
    expect(headline.length).toBeGreaterThan(140);
    expect((await server.publish(channel, { headline, language: 'en' })).status).toBe(201);
    const tab = await browser.page();
    await tab.goto(site.page(tickerPage(`<news-ticker server="${server.url}" channels="${channel}"></news-ticker>`)));
    await waitForTexts(tab, { once: [headline] });
    const lines = await tab.evaluate(() => {
      const bdi = document.querySelector('news-ticker')!.shadowRoot!.querySelector('ul.group:not([aria-hidden]) > li [part="headline"]')!;
      const range = document.createRange();
      range.selectNodeContents(bdi);
      return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
    });
    expect(lines).toBe(1);
  });
});
