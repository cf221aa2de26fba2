/**
 * Real Chromium through playwright-core (the system /usr/bin/chromium; never downloaded), and a
 * tiny page server on port 0 so test pages live on their own origin like a publisher's site.
 * Teardown is registered here, where things are made.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

export interface BrowserFixture {
  /** A new page in a fresh context (own storage); closed after the test. */
  page(options?: BrowserContextOptions): Promise<Page>;
  context(options?: BrowserContextOptions): Promise<BrowserContext>;
}

/**
 * The one Chromium launcher of the browser tests: launched once per test file, a fresh context per
 * page (closed after each test). `defaults` apply to every context; `timeoutMs` bounds locator
 * waits so a failure names its locator well before the test timeout.
 */
export function useBrowser(defaults: BrowserContextOptions = {}, timeoutMs?: number): BrowserFixture {
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close().catch(() => undefined)));
  });
  afterAll(async () => {
    await browser?.close();
  });
  const context = async (options: BrowserContextOptions = {}) => {
    if (!browser) throw new Error('useBrowser(): the browser is not launched yet');
    const ctx = await browser.newContext({ viewport: { width: 1000, height: 600 }, ...defaults, ...options });
    if (timeoutMs) ctx.setDefaultTimeout(timeoutMs);
    contexts.push(ctx);
    return ctx;
  };
  return {
    context,
    async page(options) {
      return (await context(options)).newPage();
    },
  };
}

export interface PageServer {
  url: string;
  /** Serves `html` at a fresh path with extra headers; returns its absolute URL. */
  page(html: string, headers?: Record<string, string>): string;
  /** Request headers seen per path (e.g. to check a CSP report or a referrer). */
  requests: { path: string; headers: IncomingHttpHeaders }[];
}

/**
 * A static page server for one test file: the "publisher's site", on its own origin. It hosts a
 * copy of embed.js fetched from the ticker server (`embedFrom`), as a site may self-host it;
 * widgets then name their server with `server="…"`.
 */
export function usePageServer(embedFrom: () => string): PageServer {
  const pages = new Map<string, { html: string; headers: Record<string, string> }>();
  const fixture = { requests: [] } as unknown as PageServer;
  let server: Server | undefined;
  let n = 0;
  beforeAll(async () => {
    server = createServer(async (req, res) => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      fixture.requests.push({ path, headers: req.headers });
      if (path === '/embed.js') {
        const upstream = await fetch(`${embedFrom()}/embed.js`);
        res.writeHead(upstream.status, { 'content-type': 'text/javascript; charset=utf-8' }).end(Buffer.from(await upstream.arrayBuffer()));
        return;
      }
      const page = pages.get(path);
      if (!page) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...page.headers }).end(page.html);
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    fixture.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    fixture.page = (html, headers = {}) => {
      const path = `/page-${++n}.html`;
      pages.set(path, { html, headers });
      return fixture.url + path;
    };
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });
  return fixture;
}

/** A publisher page loading its copy of embed.js; `body` holds the <news-ticker> elements. */
export function tickerPage(body: string, opts: { lang?: string; dir?: string; head?: string } = {}): string {
  return `<!doctype html><html lang="${opts.lang ?? 'en'}"${opts.dir ? ` dir="${opts.dir}"` : ''}><head><meta charset="utf-8">` +
    `<script type="module" src="/embed.js"></script>${opts.head ?? ''}</head><body>${body}</body></html>`;
}

// ---- In-page probes (run inside the browser; kept dependency-free so Playwright can serialise them) ----

export interface ItemProbe {
  uri: string;
  text: string;
  dir: string;
  direction: string;
  label: string | null;
  hidden: boolean;
}

/** The headline items of the n-th ticker (its real group, not the aria-hidden loop copies). */
export async function items(page: Page, index = 0): Promise<ItemProbe[]> {
  return page.evaluate((i) => {
    const root = document.querySelectorAll('news-ticker')[i]?.shadowRoot;
    return [...(root?.querySelectorAll<HTMLLIElement>('ul.group:not([aria-hidden]) > li') ?? [])].map((li) => ({
      uri: li.dataset.uri ?? '',
      text: li.querySelector('[part="headline"]')?.textContent ?? '',
      dir: li.dir,
      direction: getComputedStyle(li).direction,
      label: li.querySelector('[part="label"]')?.textContent ?? null,
      hidden: li.hidden,
    }));
  }, index);
}

export interface TextExpectation {
  /** Texts that must each be shown exactly once. */
  once?: string[];
  /** Texts that must not be shown. */
  absent?: string[];
  /** The exact number of items. */
  count?: number;
}

/** Waits until the n-th ticker's items (real group only) meet the expectation. */
export async function waitForTexts(page: Page, expect: TextExpectation, options: { index?: number; timeout?: number } = {}): Promise<void> {
  await page.waitForFunction(
    ({ expect: e, index }) => {
      const root = document.querySelectorAll('news-ticker')[index]?.shadowRoot;
      const texts = [...(root?.querySelectorAll('ul.group:not([aria-hidden]) > li [part="headline"]') ?? [])].map((el) => el.textContent ?? '');
      return (e.once ?? []).every((t) => texts.filter((x) => x === t).length === 1)
        && (e.absent ?? []).every((t) => !texts.includes(t))
        && (e.count === undefined || texts.length === e.count);
    },
    { expect, index: options.index ?? 0 },
    { timeout: options.timeout ?? 5000, polling: 20 },
  );
}

/** Waits for the n-th ticker's state attribute (connecting / live / reconnecting / empty). */
export async function waitForState(page: Page, state: string, index = 0, timeout = 5000): Promise<void> {
  await page.waitForFunction(({ state: s, index: i }) => document.querySelectorAll('news-ticker')[i]?.getAttribute('state') === s, { state, index }, { timeout, polling: 20 });
}
