/** The core path on both engines: publish over HTTP → on screen, and every later change of it. */
import { describe, expect, it } from 'vitest';
import { ENGINES, useServer } from '../helpers/app.js';
import { items, tickerPage, useBrowser, usePageServer, waitForState, waitForTexts } from '../helpers/browser.js';

export const SEED = 'إعلام سوري: الطيران الإسرائيلي يستهدف مطار حماة العسكري بـ 3 غارات';

for (const kind of ENGINES) {
  describe(`<news-ticker> on the ${kind} engine`, () => {
    const server = useServer(kind);
    const browser = useBrowser();
    const site = usePageServer(() => server.url);

    const open = async (channel: string, attrs = '', page = { lang: 'ar', dir: 'rtl' }) => {
      const tab = await browser.page();
      await tab.goto(site.page(tickerPage(`<news-ticker server="${server.url}" channels="${channel}" ${attrs}></news-ticker>`, page)));
      await waitForState(tab, 'empty');
      return tab;
    };

    const publish = async (channel: string, body: Record<string, unknown>): Promise<string> => {
      const res = await server.publish(channel, body);
      expect(res.status).toBe(201);
      return ((await res.json()) as { data: { headline: { uri: string } } }).data.headline.uri;
    };

    it('shows the seed headline within 1 s, right-to-left, label on the right, moving rightward', async () => {
      const channel = server.channel('ar');
      const tab = await open(channel);
      const started = Date.now();
      await publish(channel, { headline: SEED, language: 'ar', urgency: 'flash' });
      await tab.waitForFunction((text) => {
        const root = document.querySelector('news-ticker')?.shadowRoot;
        const li = root?.querySelector<HTMLElement>('ul.group:not([aria-hidden]) > li');
        const view = root?.querySelector('.viewport')?.getBoundingClientRect();
        const r = li?.getBoundingClientRect();
        return li?.querySelector('[part="headline"]')?.textContent === text && !!view && !!r && r.width > 0 && r.right > view.left && r.left < view.right;
      }, SEED, { timeout: 1000, polling: 10 });
      expect(Date.now() - started).toBeLessThan(1000);

      const [item] = await items(tab);
      expect(item).toMatchObject({ text: SEED, dir: 'rtl', direction: 'rtl', label: 'عاجل' });
      const geometry = () => tab.evaluate(() => {
        const li = document.querySelector('news-ticker')!.shadowRoot!.querySelector('ul.group:not([aria-hidden]) > li')!;
        const label = li.querySelector('[part="label"]')!.getBoundingClientRect();
        const text = li.querySelector('[part="headline"]')!.getBoundingClientRect();
        return { labelLeft: label.left, textRight: text.right, x: li.getBoundingClientRect().left, host: getComputedStyle(document.querySelector('news-ticker')!).direction };
      });
      const before = await geometry();
      expect(before.host).toBe('rtl');
      expect(before.labelLeft).toBeGreaterThanOrEqual(before.textRight); // the label sits to the right of the text
      // Moving rightward: the strip's x grows (measured until it has moved 30 px, or fails).
      await tab.waitForFunction((x0) => {
        const li = document.querySelector('news-ticker')!.shadowRoot!.querySelector('ul.group:not([aria-hidden]) > li')!;
        return li.getBoundingClientRect().left > x0 + 30;
      }, before.x, { timeout: 3000, polling: 20 });
      // Logical order survives mixed Arabic, Latin and digits: the text is the same string, isolated.
      expect(await tab.evaluate(() => document.querySelector('news-ticker')!.shadowRoot!.querySelector('bdi[part="headline"]')!.getAttribute('dir'))).toBe('auto');
    });

    it('moves leftward in a left-to-right ticker with the English label on the left', async () => {
      const channel = server.channel('en');
      const tab = await open(channel, '', { lang: 'en', dir: 'ltr' });
      await publish(channel, { headline: 'Syrian media: Israeli jets strike Hama military airport in 3 raids', language: 'en', urgency: 'bulletin' });
      await waitForTexts(tab, { count: 1 });
      const [item] = await items(tab);
      expect(item).toMatchObject({ dir: 'ltr', label: 'Bulletin' });
      const x0 = await tab.evaluate(() => {
        const li = document.querySelector('news-ticker')!.shadowRoot!.querySelector('ul.group:not([aria-hidden]) > li')!;
        const label = li.querySelector('[part="label"]')!.getBoundingClientRect();
        const text = li.querySelector('[part="headline"]')!.getBoundingClientRect();
        if (label.right > text.left) throw new Error('label is not left of the text');
        return li.getBoundingClientRect().left;
      });
      await tab.waitForFunction((x) => document.querySelector('news-ticker')!.shadowRoot!.querySelector('ul.group:not([aria-hidden]) > li')!.getBoundingClientRect().left < x - 30, x0, { timeout: 3000, polling: 20 });
    });

    it('a correction changes the text in place; a retraction removes it; expiry removes it', async () => {
      const channel = server.channel('ar');
      const tab = await open(channel, 'mode="list"');
      const keep = await publish(channel, { headline: 'خبر باقٍ: اجتماع مجلس الأمن', language: 'ar' });
      const uri = await publish(channel, { headline: 'النص الأول للخبر', language: 'ar', urgency: 'flash' });
      await waitForTexts(tab, { once: ['النص الأول للخبر', 'خبر باقٍ: اجتماع مجلس الأمن'], count: 2 });
      // Mark the element, so "in place" means the same node carries the new text.
      await tab.evaluate((u) => {
        const li = document.querySelector('news-ticker')!.shadowRoot!.querySelector(`li[data-uri="${u}"]`) as HTMLElement & { marked?: boolean };
        li.marked = true;
      }, uri);

      const corrected = await server.api(`/api/v1/headlines/${uri}`, { method: 'PATCH', body: JSON.stringify({ headline: 'النص المصحح للخبر', edNote: 'typo' }) });
      expect(corrected.status).toBe(200);
      await waitForTexts(tab, { once: ['النص المصحح للخبر'], absent: ['النص الأول للخبر'], count: 2 });
      expect(await tab.evaluate((u) => (document.querySelector('news-ticker')!.shadowRoot!.querySelector(`li[data-uri="${u}"]`) as HTMLElement & { marked?: boolean }).marked, uri)).toBe(true);

      const retracted = await server.api(`/api/v1/headlines/${uri}/retract`, { method: 'POST', body: JSON.stringify({ reason: 'wrong' }) });
      expect(retracted.status).toBe(200);
      await waitForTexts(tab, { absent: ['النص المصحح للخبر'], count: 1 });

      const expires = new Date(Date.now() + 1500).toISOString();
      await publish(channel, { headline: 'خبر ينتهي قريبًا', language: 'ar', expires });
      await waitForTexts(tab, { once: ['خبر ينتهي قريبًا'], count: 2 });
      await waitForTexts(tab, { absent: ['خبر ينتهي قريبًا'], count: 1 }, { timeout: 5000 });
      expect((await items(tab)).map((i) => i.uri)).toEqual([keep]);
    });
  });
}
