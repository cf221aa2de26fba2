/**
 * axe (every rule, every impact, shadow DOM included) on the demo pages /ar and /en, the iframe
 * page /embed, and the widget in each of its states: connecting, empty, live, stale, paused with
 * headlines waiting, reduced motion, and every mode.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useServer } from '../helpers/app.js';
import { axeViolations } from '../helpers/axe.js';
import { tickerPage, useBrowser, usePageServer, waitForState, waitForTexts } from '../helpers/browser.js';
import { freePort } from '../helpers/redis.js';

describe('axe: demo pages, /embed and the widget in every state', () => {
  const server = useServer('memory');
  const browser = useBrowser();
  const site = usePageServer(() => server.url);
  const publish = async (channel: string, body: Record<string, unknown>) => expect((await server.publish(channel, body)).status).toBe(201);
  const clean = async (page: Page) => expect(await axeViolations(page)).toEqual([]);
  /** A well-formed publisher page (title, main, h1) holding one ticker, so axe judges the widget. */
  const widgetPage = (ticker: string, opts: { lang?: string; dir?: string } = {}) =>
    site.page(tickerPage(`<main><h1>Publisher page</h1>${ticker}</main>`, { ...opts, head: '<title>Publisher page</title>' }));

  it('/ar and /en with live headlines in the banner and the list, and their main landmark', async () => {
    await publish('ar-breaking', { headline: 'إعلام سوري: الطيران الإسرائيلي يستهدف مطار حماة العسكري بـ 3 غارات', language: 'ar', urgency: 'flash', link: 'https://example.com/a' });
    await publish('en-breaking', { headline: 'Shoigu in Beijing for talks', language: 'en', link: 'https://example.com/b' });
    await publish('ar-world', { headline: 'مشاورات أمنية في بكين', language: 'ar' });
    await publish('en-world', { headline: 'Markets steady', language: 'en' });
    for (const path of ['/ar', '/en']) {
      const page = await browser.page();
      await page.goto(server.url + path);
      await page.waitForFunction(() => [...document.querySelectorAll('news-ticker')].every((t) => t.getAttribute('state') === 'live'));
      expect(await page.locator('main').count()).toBe(1);
      await clean(page);
    }
  });

  it('/embed in Arabic and English, scroll and list: a main landmark with a heading', async () => {
    const channel = server.channel('ar');
    await publish(channel, { headline: 'خبر عاجل للتجربة', language: 'ar', urgency: 'flash' });
    for (const query of [`channels=${channel}&lang=ar&label=عاجل`, `channels=${channel}&lang=en&mode=list`, `channels=${channel}&mode=rotate`]) {
      const page = await browser.page();
      await page.goto(`${server.url}/embed?${query}`);
      await waitForState(page, 'live');
      expect(await page.getByRole('main').getByRole('heading', { level: 1 }).count()).toBe(1);
      await clean(page);
    }
  });

  it('the widget while connecting', async () => {
    // Connecting: nothing listens on the server's port.
    const nowhere = await browser.page();
    await nowhere.goto(widgetPage(`<news-ticker server="http://127.0.0.1:${await freePort()}" channels="en-x"></news-ticker>`));
    await waitForState(nowhere, 'connecting');
    await clean(nowhere);
  });

  it.each(['scroll', 'rotate', 'list'])('the widget in %s mode: empty, live, paused with headlines waiting, stale', async (mode) => {
    {
      const channel = server.channel('en');
      const page = await browser.page();
      // Routed before the page loads: engine.io-client keeps the WebSocket constructor it found at
      // load, so a route added later never sees its sockets. Passes through until `offline`.
      let offline = false;
      await page.routeWebSocket(/socket\.io/, (ws) => (offline ? ws.close() : void ws.connectToServer()));
      await page.goto(widgetPage(`<news-ticker server="${server.url}" channels="${channel}" mode="${mode}" label="Breaking" stale-after="50"></news-ticker>`));
      await waitForState(page, 'empty');
      await clean(page);
      await publish(channel, { headline: 'A flash for the checker', language: 'en', urgency: 'flash', link: 'https://example.com/f' });
      await publish(channel, { headline: 'A routine item', language: 'en' });
      await waitForTexts(page, { count: 2 });
      await clean(page);
      // Paused with a headline waiting behind the "N new" control.
      await page.locator('news-ticker').getByRole('button', { name: 'Pause ticker' }).click();
      await publish(channel, { headline: 'Waiting behind the pause', language: 'en' });
      await page.locator('news-ticker').getByRole('button', { name: /new or updated/ }).waitFor();
      await clean(page);
      // Stale: the server drops every socket and SSE stream (on a loaded machine the widget may be
      // on its SSE fallback already), and every reconnect, WebSocket or SSE, is refused.
      offline = true;
      await page.route(/\/stream(\?|$)/, (route) => route.abort());
      server.app.gateway.io.disconnectSockets();
      server.app.streams.disconnectAll();
      await waitForState(page, 'reconnecting', 0, 30_000);
      await page.waitForFunction(() => document.querySelector('news-ticker')!.hasAttribute('stale'), null, { timeout: 30_000 });
      await clean(page);
      // Still stale after the checker ran: every reconnect is refused, so axe saw the stale state.
      expect(await page.locator('news-ticker').evaluate((t) => [t.getAttribute('state'), t.hasAttribute('stale')])).toEqual(['reconnecting', true]);
    }
  }, 60_000);

  it('the widget under reduced motion, in Arabic, stepped and holding', async () => {
    const reduced = await browser.page({ reducedMotion: 'reduce' });
    const channel = server.channel('ar');
    await reduced.goto(widgetPage(`<news-ticker server="${server.url}" channels="${channel}"></news-ticker>`, { lang: 'ar', dir: 'rtl' }));
    await publish(channel, { headline: 'خبر أول', language: 'ar' });
    await publish(channel, { headline: 'خبر ثانٍ', language: 'ar', urgency: 'bulletin' });
    await waitForTexts(reduced, { count: 2 });
    await reduced.locator('news-ticker').getByRole('button', { name: 'الخبر التالي' }).click();
    await publish(channel, { headline: 'خبر ينتظر', language: 'ar' });
    await reduced.locator('news-ticker [part="more"]').waitFor();
    await clean(reduced);
  });
});
