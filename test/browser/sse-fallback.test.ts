/**
 * The widget never strands a reader: behind a proxy that refuses WebSocket upgrades (a real HTTP
 * proxy in front of the reader server), the ticker goes live over the SSE stream, survives a
 * server restart on it, and returns to the WebSocket once the proxy lets it through — each
 * headline shown once.
 */
import { createServer, request, type Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import type { WebSocket } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../server/app.js';
import { useServer } from '../helpers/app.js';
import { tickerPage, useBrowser, usePageServer, waitForState, waitForTexts } from '../helpers/browser.js';
import { freePort } from '../helpers/redis.js';

/** An HTTP proxy to 127.0.0.1:`port` that passes requests (streamed) and, unless `blocked`, WebSocket upgrades. */
function useProxy(port: () => number) {
  const proxy = { url: '', blocked: true, openStreams: 0, refusedUpgrades: 0 };
  let server: Server | undefined;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const stream = /\/stream\b/.test(req.url ?? '');
      if (stream) {
        proxy.openStreams++;
        res.once('close', () => proxy.openStreams--);
      }
      const upstream = request({ host: '127.0.0.1', port: port(), path: req.url, method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      res.once('close', () => upstream.destroy());
      req.pipe(upstream);
    });
    server.on('upgrade', (req, socket, head) => {
      if (proxy.blocked) {
        proxy.refusedUpgrades++;
        return void socket.destroy();
      }
      const conn = connect(port(), '127.0.0.1', () => {
        const lines = [`${req.method} ${req.url} HTTP/1.1`];
        for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
        conn.write(`${lines.join('\r\n')}\r\n\r\n`);
        conn.write(head);
        socket.pipe(conn).pipe(socket);
      });
      conn.on('error', () => socket.destroy());
      socket.on('error', () => conn.destroy());
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });
  return proxy;
}

describe('<news-ticker> behind a proxy that blocks WebSockets (redis)', () => {
  const publisher = useServer('redis');
  const browser = useBrowser();
  const site = usePageServer(() => publisher.url);
  let port = 0;
  const proxy = useProxy(() => port);

  it('goes live over SSE, survives a server restart, and returns to the WebSocket when it can', async () => {
    port = await freePort();
    const start = async (): Promise<App> => {
      const app = await createApp({ config: { ...publisher.app.config, port }, logger: pino({ level: 'silent' }) });
      await app.listen(port, '127.0.0.1');
      return app;
    };
    let reader = await start();
    try {
      const channel = publisher.channel('en');
      const publish = async (headline: string) => expect((await publisher.publish(channel, { headline, language: 'en' })).status).toBe(201);
      await publish('Before the page');
      const page = await browser.page();
      const sockets: WebSocket[] = [];
      const sent: string[] = [];
      const received: string[] = [];
      page.on('websocket', (ws) => {
        sockets.push(ws);
        ws.on('framesent', (f) => sent.push(String(f.payload)));
        ws.on('framereceived', (f) => received.push(String(f.payload)));
      });
      // The site tunes the WebSocket probe (30 s by default) before adding the widget.
      const script = `<script type="module">
        import { sharedClient, fallbackSocketFactory } from '/embed.js';
        sharedClient('${proxy.url}', { socketFactory: fallbackSocketFactory({ probeMs: 500 }) });
        document.body.insertAdjacentHTML('beforeend', '<news-ticker server="${proxy.url}" channels="${channel}" mode="list" stale-after="300"></news-ticker>');
      </script>`;
      await page.goto(site.page(tickerPage(script)));
      await waitForTexts(page, { once: ['Before the page'], count: 1 }, { timeout: 15_000 });
      await waitForState(page, 'live');
      expect(proxy.refusedUpgrades).toBeGreaterThanOrEqual(2);
      expect(proxy.openStreams).toBe(1);
      await publish('Live over SSE');
      await waitForTexts(page, { once: ['Live over SSE', 'Before the page'], count: 2 });
      expect(received.join('')).not.toContain('Live over SSE');

      // A restart behind the proxy: the stream ends, the widget keeps its items and comes back from its cursor.
      await reader.close();
      await waitForState(page, 'reconnecting');
      await publish('While the server was down');
      reader = await start();
      await waitForTexts(page, { once: ['While the server was down', 'Live over SSE', 'Before the page'], count: 3 }, { timeout: 20_000 });
      await waitForState(page, 'live', 0, 10_000);
      expect(received.join('')).not.toContain('While the server was down');

      // The proxy lets WebSockets through again: the probe opens one and the reader moves over.
      proxy.blocked = false;
      await expect.poll(() => sent.some((f) => f.includes('"channels:subscribe"') && /"cursor":"[a-z0-9]+:\d+"/.test(f)), { timeout: 10_000 }).toBe(true);
      await expect.poll(() => proxy.openStreams, { timeout: 10_000 }).toBe(0);
      expect(sockets.filter((ws) => !ws.isClosed())).toHaveLength(1);
      await publish('Back on the WebSocket');
      await waitForTexts(page, { once: ['Back on the WebSocket', 'While the server was down', 'Live over SSE', 'Before the page'], count: 4 });
      expect(received.some((f) => f.includes('Back on the WebSocket'))).toBe(true);
      await waitForState(page, 'live');
    } finally {
      await reader.close();
    }
  }, 120_000);
});
