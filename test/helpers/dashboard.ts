/**
 * Helpers for the dashboard's browser tests: Chromium (the launcher of ./browser.ts), signing in
 * through the UI, composing, reading the desk through the API, and N app processes sharing one
 * private redis-server. Teardown is registered where things are made.
 */
import { randomBytes } from 'node:crypto';
import { createServer, request } from 'node:http';
import { connect } from 'node:net';
import pino from 'pino';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, onTestFinished } from 'vitest';
import { createApp, type App } from '../../server/app.js';
import type { DeskHeadline } from '../../shared/headline.js';
import { ADMIN_KEY, apiClient, testConfig } from './app.js';
import { useBrowser, type BrowserFixture } from './browser.js';
import { startRedis, type RedisProcess } from './redis.js';

/** Chromium for the dashboard: the whole three-column workspace in view, 10 s locator waits. */
export function useChromium(): BrowserFixture {
  return useBrowser({ viewport: { width: 1400, height: 1000 } }, 10_000);
}

/** Page errors and console errors, to assert a page ran clean. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  return errors;
}

/** Opens /dashboard?channels=…, signs in by typing the key, waits until the desk feed is live. */
export async function openDashboard(page: Page, url: string, key: string, channels: string[]): Promise<Page> {
  await page.goto(`${url}/dashboard${channels.length ? `?channels=${channels.join(',')}` : ''}`);
  await page.locator('#signin-key').fill(key);
  await page.locator('#signin-key').press('Enter');
  await page.locator('#workspace').waitFor({ state: 'visible' });
  await page.locator('#desk-status[data-state="live"]').waitFor();
  expect(page.url()).not.toContain(key);
  return page;
}

export interface ComposeOptions {
  headline: string;
  channels?: string[];
  urgency?: 'flash' | 'bulletin' | 'urgent' | 'routine';
  source?: string;
  section?: string;
  link?: string;
}

/** Fills the composer (does not publish). */
export async function compose(page: Page, o: ComposeOptions): Promise<void> {
  await page.locator('#f-headline').fill(o.headline);
  for (const channel of o.channels ?? []) await page.locator(`#f-channels-list input[value="${channel}"]`).check();
  if (o.urgency) await page.locator(`input[name="urgency"][value="${o.urgency}"]`).check();
  if (o.source !== undefined) await page.locator('#f-source').fill(o.source);
  if (o.section !== undefined) await page.locator('#f-section').fill(o.section);
  if (o.link !== undefined) await page.locator('#f-link').fill(o.link);
}

/** The composer's preview: the first headline item inside the preview widget's shadow DOM. */
export async function previewItem(page: Page): Promise<{ text: string; dir: string; direction: string; label: string | null } | undefined> {
  return page.evaluate(() => {
    const li = document.querySelector('#preview news-ticker')?.shadowRoot?.querySelector<HTMLLIElement>('ul.group:not([aria-hidden]) > li');
    return li ? {
      text: li.querySelector('[part="headline"]')?.textContent ?? '',
      dir: li.dir,
      direction: getComputedStyle(li).direction,
      label: li.querySelector('[part="label"]')?.textContent ?? null,
    } : undefined;
  });
}

/** The desk row of a headline, found by its text. */
export function deskRow(page: Page, text: string) {
  return page.locator('#desk-list > li.desk-item').filter({ has: page.locator('.desk-headline', { hasText: text }) });
}

/** Every document of a channel in every state, through the HTTP API (admin key). */
export async function deskDocs(url: string, channel: string): Promise<DeskHeadline[]> {
  const res = await apiClient(url)(`/api/v1/channels/${channel}/desk`, { key: ADMIN_KEY });
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: { headlines: DeskHeadline[] } }).data.headlines;
}

/** A page with a real <news-ticker mode="list"> (the server's /embed page) following channels. */
export async function openWidget(page: Page, url: string, channels: string[]): Promise<Page> {
  await page.goto(`${url}/embed?channels=${channels.join(',')}&mode=list`);
  await page.locator('news-ticker[state="live"], news-ticker[state="empty"]').waitFor();
  return page;
}

export function freshChannel(prefix = 'd'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export interface Cluster {
  urls: string[];
  apps: App[];
  redis: RedisProcess;
}

/** N app processes (createApp) on one private redis-server, same key prefix, each on port 0. */
export function useCluster(n: number): Cluster {
  const cluster = { urls: [], apps: [] } as unknown as Cluster;
  beforeAll(async () => {
    cluster.redis = await startRedis();
    const prefix = `d${randomBytes(3).toString('hex')}`;
    for (let i = 0; i < n; i++) {
      const app = await createApp({ config: testConfig({ redisUrl: cluster.redis.url, redisPrefix: prefix }), logger: pino({ level: 'silent' }) });
      cluster.apps.push(app);
      cluster.urls.push(`http://127.0.0.1:${await app.listen(0, '127.0.0.1')}`);
    }
  });
  afterAll(async () => {
    await Promise.all(cluster.apps.map((a) => a.close()));
    await cluster.redis?.stop();
  });
  return cluster;
}

/**
 * A reverse proxy on port 0 in front of `target` that adds a Content-Security-Policy header to
 * the dashboard page: the app does not send one, and a page fulfilled by Playwright itself would
 * lose its loopback address (Chromium then blocks its sockets to 127.0.0.1). HTTP and WebSocket
 * upgrades are passed through. Closed when the test finishes.
 */
export async function startCspProxy(target: string, csp: string): Promise<string> {
  const { port } = new URL(target);
  const proxy = createServer((req, res) => {
    const upstream = request({ host: '127.0.0.1', port, path: req.url, method: req.method, headers: req.headers }, (up) => {
      const isPage = (req.url ?? '').split('?')[0] === '/dashboard';
      res.writeHead(up.statusCode ?? 502, { ...up.headers, ...(isPage ? { 'content-security-policy': csp } : {}) });
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  proxy.on('upgrade', (req, socket, head) => {
    const upstream = connect(Number(port), '127.0.0.1', () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      upstream.write(head);
      socket.pipe(upstream).pipe(socket);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => {
    proxy.closeAllConnections();
    return new Promise<void>((resolve) => proxy.close(() => resolve()));
  });
  return `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
}
