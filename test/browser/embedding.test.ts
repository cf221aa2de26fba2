/** How publishers embed it: under a strict CSP, in the /embed iframe page, and the demo pages. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useServer } from '../helpers/app.js';
import { tickerPage, useBrowser, usePageServer, waitForState, waitForTexts } from '../helpers/browser.js';

const SEED = 'إعلام سوري: الطيران الإسرائيلي يستهدف مطار حماة العسكري بـ 3 غارات';

describe('<news-ticker> embedding', () => {
  const server = useServer('memory');
  const browser = useBrowser();
  const site = usePageServer(() => server.url);

  it('renders styled and live on a page with a strict CSP (no unsafe-inline)', async () => {
    const channel = server.channel('ar');
    const ws = server.url.replace(/^http/, 'ws');
    const csp = `default-src 'self'; script-src 'self'; style-src 'self'; connect-src ${server.url} ${ws}; img-src 'self'; object-src 'none'; base-uri 'none'`;
    const page = await browser.page();
    await page.addInitScript(() => {
      const log: { directive: string; blocked: string }[] = [];
      (window as unknown as { violations: typeof log }).violations = log;
      document.addEventListener('securitypolicyviolation', (e) => log.push({ directive: e.violatedDirective, blocked: e.blockedURI }));
    });
    // A canary inline script proves the policy is enforced: it must not run.
    const body = `<script>window.inlineRan = true</script><news-ticker server="${server.url}" channels="${channel}" label="آخر الأخبار"></news-ticker>`;
    const response = await page.goto(site.page(tickerPage(body, { lang: 'ar', dir: 'rtl' }), { 'content-security-policy': csp }));
    expect(response?.headers()['content-security-policy']).toBe(csp);
    await waitForState(page, 'empty');
    const res = await server.publish(channel, { headline: SEED, language: 'ar', urgency: 'flash' });
    expect(res.status).toBe(201);
    await waitForTexts(page, { once: [SEED] });

    const styles = await page.evaluate(() => {
      const host = document.querySelector('news-ticker')!;
      const root = host.shadowRoot!;
      const css = (sel: string) => getComputedStyle(root.querySelector(sel)!);
      return {
        adopted: root.adoptedStyleSheets.length,
        styleElements: root.querySelectorAll('style').length,
        hostDisplay: getComputedStyle(host).display,
        labelBackground: css('[part="label"]').backgroundColor,
        titleBackground: css('[part="title"]').backgroundColor,
        viewportOverflow: css('.viewport').overflow,
        announcerWidth: root.querySelector('[aria-live]')!.getBoundingClientRect().width,
        inlineRan: (window as unknown as { inlineRan?: boolean }).inlineRan ?? false,
        violations: (window as unknown as { violations: { directive: string; blocked: string }[] }).violations,
      };
    });
    expect(styles).toMatchObject({
      adopted: 1, styleElements: 0, hostDisplay: 'block', labelBackground: 'rgb(176, 0, 32)', titleBackground: 'rgb(176, 0, 32)',
      viewportOverflow: 'hidden', announcerWidth: 1, inlineRan: false,
    });
    // The only violation is the canary; the widget needs no inline script or style.
    expect(styles.violations).toEqual([{ directive: 'script-src-elem', blocked: 'inline' }]);
  });

  it('the exact snippet on another origin: embed.js from the server, no server= attribute, live', async () => {
    const channel = server.channel('ar');
    const page = await browser.page();
    const sockets: string[] = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));
    const script = page.waitForResponse((r) => r.url() === `${server.url}/embed.js`);
    const snippet = `<script type="module" src="${server.url}/embed.js"></script><news-ticker channels="${channel}"></news-ticker>`;
    await page.goto(site.page(`<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8"></head><body>${snippet}</body></html>`));
    expect(new URL(page.url()).origin).not.toBe(server.url);
    // A module script from another origin is fetched with CORS: the server must allow it.
    const headers = (await script).headers();
    expect(headers).toMatchObject({ 'access-control-allow-origin': '*', 'cross-origin-resource-policy': 'cross-origin' });
    await waitForState(page, 'empty');
    const res = await server.publish(channel, { headline: SEED, language: 'ar', urgency: 'flash' });
    expect(res.status).toBe(201);
    await waitForTexts(page, { once: [SEED] });
    // The widget connected to the script's origin, over one socket.
    expect(sockets.map((u) => new URL(u).host)).toEqual([new URL(server.url).host]);
  });

  it('themes through CSS custom properties and ::part from the host page stylesheet', async () => {
    const channel = server.channel('en');
    const page = await browser.page();
    const head = `<link rel="stylesheet" href="${server.url}/demo.css">`;
    await page.goto(site.page(tickerPage(`<news-ticker class="banner" server="${server.url}" channels="${channel}" label="Breaking"></news-ticker>`, { head })));
    await waitForState(page, 'empty');
    // demo.css sets --news-ticker-border: 0 and styles ::part(title) padding.
    const themed = await page.evaluate(() => {
      const host = document.querySelector('news-ticker')!;
      return { border: getComputedStyle(host).borderTopWidth, bottom: getComputedStyle(host).borderBottomWidth, titlePadding: getComputedStyle(host.shadowRoot!.querySelector('[part="title"]')!).paddingLeft };
    });
    expect(themed.bottom).toBe('3px');
    expect(themed.border).toBe('0px');
    expect(parseFloat(themed.titlePadding)).toBeGreaterThan(15);
  });

  it('the /embed iframe page shows a channel with the server defaulting to the script origin', async () => {
    const channel = server.channel('ar');
    const page = await browser.page();
    await page.goto(site.page(`<!doctype html><html><body><iframe title="news" width="800" height="80" src="${server.url}/embed?channels=${channel}&lang=ar"></iframe></body></html>`));
    const frame = page.frameLocator('iframe');
    await expect.poll(() => frame.locator('news-ticker').getAttribute('state'), { timeout: 5000 }).toBe('empty');
    const res = await server.publish(channel, { headline: SEED, language: 'ar', urgency: 'flash', link: 'https://example.com/story' });
    expect(res.status).toBe(201);
    const link = frame.locator('news-ticker').getByRole('link', { name: SEED });
    await expect.poll(() => link.count(), { timeout: 3000 }).toBe(1);
    await expect(link.getAttribute('target')).resolves.toBe('_top');
    await expect(frame.locator('html').getAttribute('dir')).resolves.toBe('rtl');
    await expect(frame.locator('news-ticker').getAttribute('server')).resolves.toBeNull();
  });

  it('the pages have no inline script or style, so they work under a strict CSP', () => {
    const dir = new URL('../../client/public/', import.meta.url);
    for (const file of ['index.html', 'ar.html', 'en.html', 'embed.html']) {
      const html = readFileSync(new URL(file, dir), 'utf8');
      expect(html, file).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
      expect(html, file).not.toMatch(/<style\b|\sstyle=|\son[a-z]+=/i);
    }
  });

  it('the home page links to both demo pages and shows the snippet for this server', async () => {
    const page = await browser.page();
    await page.goto(`${server.url}/`);
    const links = await page.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(links).toEqual(expect.arrayContaining(['/ar', '/en']));
    await expect.poll(() => page.locator('code[data-origin]').first().textContent()).toContain(`${server.url}/embed.js`);
    expect((await page.goto(`${server.url}/en`))?.status()).toBe(200);
  });

  it('the Arabic demo page: banner ticker on top and the notification centre list, both live', async () => {
    const page = await browser.page({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${server.url}/ar`);
    expect(await page.locator('h2#notif-title').textContent()).toBe('مركز الإشعارات');
    await waitForState(page, 'empty', 0);
    await waitForState(page, 'empty', 1);
    const res = await server.publish('ar-breaking', { headline: SEED, language: 'ar', urgency: 'flash' });
    expect(res.status).toBe(201);
    await waitForTexts(page, { once: [SEED] }, { index: 0 });
    await waitForTexts(page, { once: [SEED] }, { index: 1 });
    const layout = await page.evaluate(() => {
      const [banner, list] = [...document.querySelectorAll('news-ticker')];
      return { bannerTop: banner!.getBoundingClientRect().top, listMode: list!.getAttribute('mode'), time: list!.shadowRoot!.querySelector('[part="time"]')!.textContent };
    });
    expect(layout).toMatchObject({ bannerTop: 0, listMode: 'list' });
    expect(layout.time).toMatch(/الآن|ثانية|ثوان/); // relative time in Arabic ("الآن" = now)
  });
});
