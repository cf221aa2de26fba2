/** rotate and list modes, Intl times, and the visible states. */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useServer } from '../helpers/app.js';
import { freePort } from '../helpers/redis.js';
import { items, tickerPage, useBrowser, usePageServer, waitForState, waitForTexts } from '../helpers/browser.js';

const visible = async (page: Page) => (await items(page)).filter((i) => !i.hidden).map((i) => i.text);

describe('<news-ticker> modes, times and states', () => {
  const server = useServer('memory');
  const browser = useBrowser();
  const site = usePageServer(() => server.url);

  const open = async (attrs: string, page: { lang?: string; dir?: string } = {}) => {
    const channel = server.channel('ar');
    const tab = await browser.page();
    await tab.goto(site.page(tickerPage(`<news-ticker server="${server.url}" channels="${channel}" ${attrs}></news-ticker>`, page)));
    await waitForState(tab, 'empty');
    return { tab, channel };
  };
  const publish = async (channel: string, body: Record<string, unknown>) => {
    const res = await server.publish(channel, body);
    expect(res.status).toBe(201);
    return ((await res.json()) as { data: { headline: Record<string, string> } }).data.headline;
  };

  it('rotate shows one headline at a time, advances on its interval, and the pause button stops it', async () => {
    const { tab, channel } = await open('mode="rotate" interval="400"');
    for (const headline of ['One', 'Two', 'Three']) await publish(channel, { headline, language: 'en' });
    await waitForTexts(tab, { count: 3 });
    const first = await visible(tab);
    expect(first).toHaveLength(1);
    await tab.waitForFunction((was) => {
      const shown = [...document.querySelector('news-ticker')!.shadowRoot!.querySelectorAll<HTMLLIElement>('ul.group > li')].filter((li) => !li.hidden);
      return shown.length === 1 && shown[0]!.querySelector('[part="headline"]')!.textContent !== was;
    }, first[0], { timeout: 3000 });
    await tab.locator('news-ticker').getByRole('button', { name: 'Pause ticker' }).click();
    await tab.mouse.move(5, 590);
    await tab.evaluate(() => (document.querySelector('news-ticker')!.shadowRoot!.activeElement as HTMLElement | null)?.blur());
    const paused = await visible(tab);
    // Over 2 s (five intervals) the shown headline does not change.
    const changed = await tab.evaluate((was) => new Promise<boolean>((resolve) => {
      const root = document.querySelector('news-ticker')!.shadowRoot!;
      const observer = new MutationObserver(() => {
        const shown = [...root.querySelectorAll<HTMLLIElement>('ul.group > li')].filter((li) => !li.hidden).map((li) => li.querySelector('[part="headline"]')!.textContent);
        if (shown.join() !== was.join()) resolve(true);
      });
      observer.observe(root, { attributes: true, subtree: true, attributeFilter: ['hidden'] });
      setTimeout(() => resolve(false), 2000);
    }), paused);
    expect(changed).toBe(false);
  });

  it('one urgency vocabulary, and no item label that repeats the title chip ("عاجل عاجل")', async () => {
    const { tab, channel } = await open('mode="list" label="عاجل"', { lang: 'ar', dir: 'rtl' });
    await publish(channel, { headline: 'خبر فوري', language: 'ar', urgency: 'flash' });
    await publish(channel, { headline: 'خبر نشرة', language: 'ar', urgency: 'bulletin' });
    await publish(channel, { headline: 'Flash in English', language: 'en', urgency: 'flash' });
    await waitForTexts(tab, { count: 3 });
    const labels = Object.fromEntries((await items(tab)).map((i) => [i.text, i.label]));
    expect(labels).toEqual({ 'خبر فوري': null, 'خبر نشرة': 'نشرة', 'Flash in English': 'Breaking' });
  });

  it('list mode: newest first with flash and bulletin at the front, relative times in the headline language', async () => {
    const { tab, channel } = await open('mode="list" numbering="arab"', { lang: 'ar', dir: 'rtl' });
    await publish(channel, { headline: 'خبر عادي أول', language: 'ar' });
    await publish(channel, { headline: 'خبر عاجل', language: 'ar', urgency: 'flash' });
    await publish(channel, { headline: 'خبر عادي ثانٍ', language: 'ar' });
    await waitForTexts(tab, { count: 3 });
    expect((await items(tab)).map((i) => [i.text, i.label])).toEqual([['خبر عاجل', 'عاجل'], ['خبر عادي ثانٍ', null], ['خبر عادي أول', null]]);
    const times = await tab.evaluate(() => [...document.querySelector('news-ticker')!.shadowRoot!.querySelectorAll('ul.group > li [part="time"]')].map((t) => ({ text: t.textContent, datetime: t.getAttribute('datetime') })));
    for (const t of times) {
      expect(t.text).toBe(new Intl.RelativeTimeFormat('ar', { numeric: 'auto' }).format(0, 'second')); // "الآن"
      expect(Date.parse(t.datetime!)).toBeGreaterThan(Date.now() - 60_000);
    }
  });

  it('clock times use the explicit time zone and numbering system', async () => {
    const { tab, channel } = await open('time-zone="Asia/Dubai" numbering="arab"', { lang: 'ar', dir: 'rtl' });
    const h = await publish(channel, { headline: 'سو-57 تحلّق في معرض تشوهاي 2024', language: 'ar' });
    await waitForTexts(tab, { count: 1 });
    const shown = await tab.evaluate(() => document.querySelector('news-ticker')!.shadowRoot!.querySelector('ul.group > li [part="time"]')!.textContent);
    const expected = new Intl.DateTimeFormat('ar', { hour: 'numeric', minute: '2-digit', timeZone: 'Asia/Dubai', numberingSystem: 'arab' }).format(new Date(h.firstCreated!));
    expect(shown).toBe(expected);
    expect(shown).toMatch(/[٠-٩]/); // Arabic-Indic digits, as asked
    const utc = new Intl.DateTimeFormat('ar', { hour: 'numeric', minute: '2-digit', timeZone: 'UTC', numberingSystem: 'arab' }).format(new Date(h.firstCreated!));
    expect(shown).not.toBe(utc);
  });

  it('shows "connecting" while the server cannot be reached, with the reason visible', async () => {
    const port = await freePort();
    const tab = await browser.page();
    await tab.goto(site.page(tickerPage(`<news-ticker server="http://127.0.0.1:${port}" channels="en-x"></news-ticker>`)));
    await waitForState(tab, 'connecting');
    const status = await tab.evaluate(() => {
      const el = document.querySelector('news-ticker')!.shadowRoot!.querySelector<HTMLElement>('[part="status"]')!;
      return { text: el.textContent, shown: !el.hidden && el.getBoundingClientRect().width > 0 };
    });
    expect(status).toEqual({ text: 'Connecting…', shown: true });
  });

  it('shows the empty state once subscribed to a channel with nothing live', async () => {
    const { tab } = await open('', { lang: 'ar', dir: 'rtl' });
    expect(await tab.evaluate(() => document.querySelector('news-ticker')!.shadowRoot!.querySelector('[part="status"]')!.textContent)).toBe('لا أخبار عاجلة الآن');
  });
});
