/** One shared socket per page; drops, server restarts and reloads resume from the cursor, once. */
import pino from 'pino';
import type { Page, WebSocket } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createApp, type App } from '../../server/app.js';
import { useServer, type TestServer } from '../helpers/app.js';
import { freePort } from '../helpers/redis.js';
import { items, tickerPage, useBrowser, usePageServer, waitForState, waitForTexts } from '../helpers/browser.js';

/** Every socket.io frame the page sends and receives, in order. */
function frames(page: Page): { sockets: WebSocket[]; sent: string[]; received: string[] } {
  const log = { sockets: [] as WebSocket[], sent: [] as string[], received: [] as string[] };
  page.on('websocket', (ws) => {
    log.sockets.push(ws);
    ws.on('framesent', (f) => log.sent.push(String(f.payload)));
    ws.on('framereceived', (f) => log.received.push(String(f.payload)));
  });
  return log;
}

async function publish(server: TestServer, channel: string, headline: string): Promise<string> {
  const res = await server.publish(channel, { headline, language: 'en' });
  expect(res.status).toBe(201);
  return ((await res.json()) as { data: { headline: { uri: string } } }).data.headline.uri;
}

describe('<news-ticker> connection (memory)', () => {
  const server = useServer('memory');
  const browser = useBrowser();
  const site = usePageServer(() => server.url);

  it('two widgets on one page share one WebSocket', async () => {
    const [a, b] = [server.channel('en'), server.channel('en')];
    const page = await browser.page();
    const log = frames(page);
    await page.goto(site.page(tickerPage(
      `<news-ticker server="${server.url}" channels="${a}"></news-ticker><news-ticker server="${server.url}" channels="${a},${b}" mode="list"></news-ticker>`)));
    await waitForState(page, 'empty', 0);
    await waitForState(page, 'empty', 1);
    await publish(server, a, 'For both widgets');
    await publish(server, b, 'Only for the list');
    await waitForTexts(page, { once: ['For both widgets'], count: 1 }, { index: 0 });
    await waitForTexts(page, { once: ['For both widgets', 'Only for the list'], count: 2 }, { index: 1 });
    expect(log.sockets).toHaveLength(1);
    expect(log.sockets[0]!.url()).toMatch(/\/socket\.io\/\?EIO=4&transport=websocket/);
    // Removing one widget keeps the connection for the other.
    await page.evaluate(() => document.querySelectorAll('news-ticker')[1]!.remove());
    await publish(server, a, 'Still live after one widget left');
    await waitForTexts(page, { once: ['For both widgets', 'Still live after one widget left'], count: 2 }, { index: 0 });
    expect(log.sockets).toHaveLength(1);
    // Removing the last widget releases the connection.
    const closed = new Promise<void>((resolve) => log.sockets[0]!.on('close', () => resolve()));
    await page.evaluate(() => document.querySelector('news-ticker')!.remove());
    await closed;
    expect(log.sockets[0]!.isClosed()).toBe(true);
  });

  it("a site's own UI through the SDK exported by embed.js shares the widget's connection", async () => {
    const channel = server.channel('en');
    const page = await browser.page();
    const log = frames(page);
    const script = `<script type="module">
      import { sharedClient } from '/embed.js';
      const client = sharedClient('${server.url}');
      const list = document.getElementById('own');
      client.follow('${channel}');
      client.on('change', (c, headlines) => {
        if (c === '${channel}') list.replaceChildren(...headlines.map((h) => Object.assign(document.createElement('li'), { textContent: h.headline })));
      });
      client.on('status', (s) => { document.body.dataset.status = s; });
    </script>`;
    await page.goto(site.page(tickerPage(`<news-ticker server="${server.url}" channels="${channel}"></news-ticker><ul id="own"></ul>${script}`)));
    await waitForState(page, 'empty');
    await page.waitForFunction(() => document.body.dataset.status === 'live');
    await publish(server, channel, 'Rendered by the site and by the widget');
    await waitForTexts(page, { once: ['Rendered by the site and by the widget'] });
    await page.waitForFunction(() => document.querySelector('#own')?.textContent === 'Rendered by the site and by the widget');
    expect(log.sockets).toHaveLength(1);
  });

  it('a dropped connection (server-initiated) reconnects, resubscribes with the cursor and shows what it missed once', async () => {
    const channel = server.channel('en');
    const page = await browser.page();
    const log = frames(page);
    await page.goto(site.page(tickerPage(`<news-ticker server="${server.url}" channels="${channel}" mode="list"></news-ticker>`)));
    await waitForState(page, 'empty');
    await publish(server, channel, 'Before the drop');
    await waitForTexts(page, { once: ['Before the drop'] });
    server.app.gateway.io.disconnectSockets(); // 'io server disconnect': socket.io-client would not retry by itself
    await publish(server, channel, 'During the drop');
    await waitForTexts(page, { once: ['Before the drop', 'During the drop'], count: 2 });
    await waitForState(page, 'live');
    expect(log.sockets.length).toBeGreaterThanOrEqual(2);
    const subscribes = log.sent.filter((f) => f.includes('"channels:subscribe"'));
    expect(subscribes.length).toBe(2);
    expect(subscribes[1]).toMatch(/"cursor":"[a-z0-9]+:\d+"/);
  });

  it('a page reload resumes from the saved cursor: the saved items show, the missed one arrives as an event', async () => {
    const channel = server.channel('en');
    const page = await browser.page();
    const url = site.page(tickerPage(`<news-ticker server="${server.url}" channels="${channel}" mode="list"></news-ticker>`));
    await page.goto(url);
    await waitForState(page, 'empty');
    await publish(server, channel, 'Seen before leaving');
    await waitForTexts(page, { once: ['Seen before leaving'] });
    await page.waitForFunction((c) => Object.keys(localStorage).some((k) => k.endsWith(`:${c}`) && localStorage.getItem(k)!.includes('Seen before leaving')), channel);
    await page.goto('about:blank');
    await publish(server, channel, 'Missed while away');
    const log = frames(page);
    await page.goto(url);
    await waitForTexts(page, { once: ['Seen before leaving', 'Missed while away'], count: 2 });
    const subscribe = log.sent.find((f) => f.includes('"channels:subscribe"'));
    expect(subscribe).toMatch(/"cursor":"[a-z0-9]+:\d+"/);
    expect(log.received.some((f) => f.includes('"channel:snapshot"'))).toBe(false);
    expect(log.received.filter((f) => f.includes('"headline:event"') && f.includes('Missed while away'))).toHaveLength(1);
  });
});

describe('<news-ticker> across a server restart (redis)', () => {
  const publisher = useServer('redis');
  const browser = useBrowser();
  const site = usePageServer(() => publisher.url);

  it('the widget reconnects to the restarted server and shows what it missed, with no duplicate', async () => {
    const port = await freePort();
    const start = async (): Promise<App> => {
      const app = await createApp({ config: { ...publisher.app.config, port }, logger: pino({ level: 'silent' }) });
      await app.listen(port, '127.0.0.1');
      return app;
    };
    let reader = await start();
    try {
      const channel = publisher.channel('en');
      const page = await browser.page();
      const log = frames(page);
      await page.goto(site.page(tickerPage(`<news-ticker server="http://127.0.0.1:${port}" channels="${channel}" mode="list" stale-after="300"></news-ticker>`)));
      await waitForState(page, 'empty');
      const first = await publish(publisher, channel, 'Published before the restart');
      await waitForTexts(page, { once: ['Published before the restart'] });

      await reader.close(); // drains: server:draining, then the sockets close
      await waitForState(page, 'reconnecting');
      await page.waitForFunction(() => document.querySelector('news-ticker')!.hasAttribute('stale'), null, { timeout: 5000 });
      expect((await items(page)).map((i) => i.text)).toEqual(['Published before the restart']); // kept while away
      expect(log.received.some((f) => f.includes('"server:draining"'))).toBe(true);

      await publish(publisher, channel, 'Published while it was down');
      const corrected = await publisher.api(`/api/v1/headlines/${first}`, { method: 'PATCH', body: JSON.stringify({ headline: 'Corrected while it was down', edNote: 'fix' }) });
      expect(corrected.status).toBe(200);
      reader = await start();
      await waitForTexts(page, { once: ['Published while it was down', 'Corrected while it was down'], absent: ['Published before the restart'], count: 2 }, { timeout: 15_000 });
      await waitForState(page, 'live');
      expect(await page.locator('news-ticker').evaluate((e) => e.hasAttribute('stale'))).toBe(false);
      const resubscribe = log.sent.filter((f) => f.includes('"channels:subscribe"')).at(-1);
      expect(resubscribe).toMatch(/"cursor":"[a-z0-9]+:\d+"/);
    } finally {
      await reader.close();
    }
  });
});
