/**
 * The dashboard for everyone: axe (every rule, every impact, the preview widget's shadow DOM
 * included) signed out, signed in and with each dialog open, in English and Arabic; reflow at
 * 320 CSS px and at 200% and 400% zoom in both directions; a focus ring of at least 3:1 on every
 * stop of the Tab order, the date picker and the dialogs included.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ADMIN_KEY, useServer } from '../helpers/app.js';
import { axeViolations } from '../helpers/axe.js';
import { compose, deskRow, freshChannel, openDashboard, useChromium } from '../helpers/dashboard.js';

const LONG = 'Talks in Beijing: Russia and China discuss "strategic security" as the Su-57 flies at Zhuhai air show this week';

/** Signs in (English), publishes one headline through the UI so the desk has a row, fills a draft. */
async function workspace(page: Page, url: string, channel: string, lang: 'en' | 'ar'): Promise<void> {
  await openDashboard(page, url, ADMIN_KEY, [channel]);
  await compose(page, { headline: 'On the desk already' });
  await page.locator('#publish').click();
  await deskRow(page, 'On the desk already').waitFor();
  await compose(page, { headline: LONG, channels: [channel] });
  // The preview renders after the form's input debounce; a loaded CI machine can take a while.
  await page.locator('#preview news-ticker [part="headline"]').first().waitFor({ timeout: 30_000 });
  if (lang === 'ar') {
    await page.locator('#lang-toggle').click();
    await page.locator('html[dir="rtl"]').waitFor();
  }
}

/** The focus ring of the focused element against the background it sits on (the nearest opaque ancestor). */
const ring = (page: Page) => page.evaluate(() => {
  const rgba = (c: string) => (c.match(/[\d.]+/g) ?? ['0', '0', '0', '0']).map(Number);
  const lum = (c: number[]) => {
    const f = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * f(c[0]!) + 0.7152 * f(c[1]!) + 0.0722 * f(c[2]!);
  };
  const ratio = (a: number[], b: number[]) => {
    const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
    return (x! + 0.05) / (y! + 0.05);
  };
  // Into the preview widget's shadow root: its own button or link has the focus.
  let el = document.activeElement as HTMLElement;
  while (el.shadowRoot?.activeElement) el = el.shadowRoot.activeElement as HTMLElement;
  let bg = [255, 255, 255, 1];
  const up = (node: Element): Element | null => node.parentElement ?? ((node.getRootNode() as ShadowRoot).host || null);
  for (let node = up(el); node; node = up(node)) {
    const c = rgba(getComputedStyle(node).backgroundColor);
    if ((c[3] ?? 1) > 0.5) {
      bg = c;
      break;
    }
  }
  const style = getComputedStyle(el);
  return {
    what: `${el.tagName.toLowerCase()}#${el.id}${el.dataset.action ? `[${el.dataset.action}]` : ''}${(el as HTMLInputElement).type ? `:${(el as HTMLInputElement).type}` : ''}`,
    style: style.outlineStyle,
    width: parseFloat(style.outlineWidth),
    ratio: Math.round(ratio(rgba(style.outlineColor), bg) * 100) / 100,
  };
});

describe('dashboard: axe, reflow and focus', () => {
  const server = useServer('memory');
  const chromium = useChromium();

  it.each(['en', 'ar'] as const)('axe finds nothing signed out, signed in, and with each dialog open (%s)', async (lang) => {
    const channel = freshChannel('en');
    const page = await chromium.page();
    await page.goto(`${server.url}/dashboard`);
    if (lang === 'ar') await page.locator('#lang-toggle').click();
    expect(await axeViolations(page)).toEqual([]);
    if (lang === 'ar') await page.locator('#lang-toggle').click();
    await workspace(page, server.url, channel, lang);
    expect(await axeViolations(page)).toEqual([]);

    await page.locator('input[name="urgency"][value="flash"]').check();
    await page.locator('#publish').click();
    await page.locator('#flash-dialog[open]').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await page.locator('#flash-dialog').waitFor({ state: 'hidden' });

    for (const [action, dialog] of [['retract', '#reason-dialog'], ['expiry', '#expiry-dialog']] as const) {
      await deskRow(page, 'On the desk already').locator(`[data-action="${action}"]`).click();
      await page.locator(`${dialog}[open]`).waitFor();
      expect(await axeViolations(page)).toEqual([]);
      await page.keyboard.press('Escape');
      await page.locator(dialog).waitFor({ state: 'hidden' });
    }
  }, 120_000);

  const sizes = [
    { name: '320 CSS px', viewport: { width: 320, height: 640 }, deviceScaleFactor: 1 },
    { name: '200% zoom of 1280 px', viewport: { width: 640, height: 512 }, deviceScaleFactor: 2 },
    { name: '400% zoom of 1280 px', viewport: { width: 320, height: 256 }, deviceScaleFactor: 4 },
  ];
  /** The page's scroll width, and whether the top bar's buttons and the preview lie inside the window. */
  const measure = (page: Page) => page.evaluate(() => {
    const inside = (sel: string) => {
      const el = document.querySelector(sel);
      if (!el || el.getClientRects().length === 0) return true;
      const r = el.getBoundingClientRect();
      return r.left >= -0.5 && r.right <= document.documentElement.clientWidth + 0.5;
    };
    return {
      scrollWidth: document.documentElement.scrollWidth,
      clientWidth: document.documentElement.clientWidth,
      inside: ['#lang-toggle', '#sign-out', '#preview', '#signin-submit', '#publish', '#composer', '.topbar h1'].filter((s) => !inside(s)),
    };
  });

  it.each(['en', 'ar'] as const)('reflows at 320 px, 200 and 400 percent zoom, signed out and in (%s)', async (lang) => {
    for (const size of sizes) {
      const page = await chromium.page({ viewport: size.viewport, deviceScaleFactor: size.deviceScaleFactor });
      await page.goto(`${server.url}/dashboard`);
      if (lang === 'ar') await page.locator('#lang-toggle').click();
      const out = await measure(page);
      expect({ size: size.name, ...out }).toEqual({ size: size.name, scrollWidth: out.clientWidth, clientWidth: out.clientWidth, inside: [] });
      if (lang === 'ar') await page.locator('#lang-toggle').click();
      await workspace(page, server.url, freshChannel('en'), lang);
      for (const mode of ['scroll', 'list']) {
        await page.locator('#preview-mode').selectOption(mode);
        const signedIn = await measure(page);
        console.log(`${lang} ${size.name} ${mode}: scrollWidth ${signedIn.scrollWidth} in a ${signedIn.clientWidth} px window`);
        expect({ size: size.name, mode, ...signedIn }).toEqual({ size: size.name, mode, scrollWidth: signedIn.clientWidth, clientWidth: signedIn.clientWidth, inside: [] });
      }
      await page.context().close();
    }
  }, 90_000);

  it('every Tab stop, the date picker and the dialogs show a focus ring of at least 3:1', async () => {
    const page = await chromium.page();
    await page.goto(`${server.url}/dashboard`);
    const seen = new Map<string, Awaited<ReturnType<typeof ring>>>();
    const walk = async (presses: number) => {
      for (let i = 0; i < presses; i++) {
        await page.keyboard.press('Tab');
        if (await page.evaluate(() => document.activeElement === document.body)) continue;
        const r = await ring(page);
        seen.set(r.what, r);
      }
    };
    await walk(6); // signed out: skip link, language, key, sign in
    await workspace(page, server.url, freshChannel('en'), 'en');
    await page.locator('#skip').focus();
    await walk(60);
    expect([...seen.keys()]).toEqual(expect.arrayContaining(['a#skip', 'input#signin-key:password', 'button#lang-toggle:button', 'button#sign-out:button',
      'textarea#f-headline:textarea', 'input#f-embargo:datetime-local', 'select#preview-mode:select-one', 'button#publish:submit', 'button#[retract]:button']));
    await page.locator('input[name="urgency"][value="flash"]').check();
    await page.locator('#publish').click();
    await page.locator('#flash-dialog[open]').waitFor();
    await walk(3);
    expect([...seen.keys()].filter((k) => k.startsWith('button#') && !k.includes('['))).toContain('button#:submit');
    const rings = [...seen.values()];
    console.log(`focus ring contrast: min ${Math.min(...rings.map((r) => r.ratio))}:1 over ${rings.length} stops`);
    expect(rings.filter((r) => r.style !== 'solid' || r.width < 2 || r.ratio < 3)).toEqual([]);
  }, 60_000);
});
