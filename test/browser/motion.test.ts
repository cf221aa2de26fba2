/** Motion and its controls: pause button, hover/focus pause, reduced motion, off-screen, no jumps. */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useServer } from '../helpers/app.js';
import { items, tickerPage, useBrowser, usePageServer, waitForState, waitForTexts } from '../helpers/browser.js';

const LONG_A = 'Talks in Beijing: Russia and China discuss "strategic security" as the Su-57 flies at Zhuhai';
const LONG_B = 'Markets: oil steadies after three days of losses as traders weigh supply risks';

/** The x of the n-th real item, and the play states of the widget's animations. */
const probe = (page: Page, index = 0) => page.evaluate((i) => {
  const root = document.querySelector('news-ticker')!.shadowRoot!;
  const li = root.querySelectorAll('ul.group:not([aria-hidden]) > li')[i];
  return { x: li ? li.getBoundingClientRect().left : NaN, states: root.getAnimations().map((a) => a.playState) };
}, index);

/**
 * Samples the x of the first real item (or `uri`) every 16 ms for `ms` (timers, not rAF: headless
 * Chromium may not run rAF while only compositor animations change); returns the range of x, the
 * largest step between samples and how many samples were taken.
 */
const sample = async (page: Page, ms: number, uri?: string) => {
  const result = await page.evaluate(({ ms: duration, uri: u }) => new Promise<{ range: number; maxStep: number; frames: number }>((resolve) => {
    const root = document.querySelector('news-ticker')!.shadowRoot!;
    const xs: number[] = [];
    const start = performance.now();
    const timer = setInterval(() => {
      const li = root.querySelector(u ? `ul.group:not([aria-hidden]) > li[data-uri="${u}"]` : 'ul.group:not([aria-hidden]) > li');
      xs.push(li ? li.getBoundingClientRect().left : NaN);
      if (performance.now() - start < duration) return;
      clearInterval(timer);
      resolve({ range: Math.max(...xs) - Math.min(...xs), maxStep: Math.max(0, ...xs.slice(1).map((x, k) => Math.abs(x - xs[k]!))), frames: xs.length });
    }, 16);
  }), { ms, uri });
  expect(result.frames).toBeGreaterThan(ms / 100); // really sampled over the interval
  return result;
};

describe('<news-ticker> motion', () => {
  const server = useServer('memory');
  const browser = useBrowser();
  const site = usePageServer(() => server.url);

  const open = async (attrs = '', options: Parameters<typeof browser.page>[0] = {}, before = '') => {
    const channel = server.channel('en');
    const page = await browser.page(options);
    await page.goto(site.page(tickerPage(`${before}<news-ticker server="${server.url}" channels="${channel}" ${attrs}></news-ticker>`)));
    await waitForState(page, 'empty');
    return { page, channel };
  };
  const publish = async (channel: string, headline: string, extra: Record<string, unknown> = {}) => {
    const res = await server.publish(channel, { headline, language: 'en', ...extra });
    expect(res.status).toBe(201);
    return ((await res.json()) as { data: { headline: { uri: string } } }).data.headline.uri;
  };
  /** Moves the pointer off the widget and takes focus out of it, so only the button can pause. */
  const leave = async (page: Page) => {
    await page.mouse.move(5, 590);
    await page.evaluate(() => (document.querySelector('news-ticker')!.shadowRoot!.activeElement as HTMLElement | null)?.blur());
  };

  it('the pause button stops all movement (no position change over 2 s) and play resumes it', async () => {
    const { page, channel } = await open();
    await publish(channel, LONG_A);
    await waitForTexts(page, { once: [LONG_A] });
    const pause = page.locator('news-ticker').getByRole('button', { name: 'Pause ticker' });
    await expect(pause.getAttribute('aria-pressed')).resolves.toBe('false');
    await pause.click();
    await leave(page);
    await expect(pause.getAttribute('aria-pressed')).resolves.toBe('true');
    const paused = await sample(page, 2000);
    expect(paused.range).toBe(0);
    expect((await probe(page)).states.every((s) => s === 'paused')).toBe(true);

    await pause.click();
    await leave(page);
    await expect(pause.getAttribute('aria-pressed')).resolves.toBe('false');
    const playing = await sample(page, 1000);
    expect(playing.range).toBeGreaterThan(20); // 60 px/s by default
  });

  it('hovering and keyboard focus pause the strip', async () => {
    const { page, channel } = await open();
    const a = await publish(channel, LONG_A, { link: 'https://example.com/a' });
    await waitForTexts(page, { once: [LONG_A] });
    await page.locator('news-ticker').getByRole('link', { name: LONG_A }).focus();
    expect((await sample(page, 1000)).range).toBe(0);
    // A headline arriving (and a correction) while a link is focused keeps that focus and the pause.
    const focused = () => page.evaluate(() => document.querySelector('news-ticker')!.shadowRoot!.activeElement?.textContent ?? null);
    await publish(channel, LONG_B, { link: 'https://example.com/b' });
    await waitForTexts(page, { once: [LONG_A, LONG_B] });
    expect(await focused()).toBe(LONG_A);
    const res = await server.api(`/api/v1/headlines/${a}`, { method: 'PATCH', body: JSON.stringify({ headline: `${LONG_A}!`, edNote: 'punctuation' }) });
    expect(res.status).toBe(200);
    await waitForTexts(page, { once: [`${LONG_A}!`] });
    expect(await focused()).toBe(`${LONG_A}!`);
    expect((await sample(page, 1000)).range).toBe(0);
    await leave(page);
    expect((await sample(page, 1000)).range).toBeGreaterThan(20);

    const box = (await page.locator('news-ticker').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    expect((await sample(page, 1000)).range).toBe(0);
    await leave(page);
    expect((await sample(page, 1000)).range).toBeGreaterThan(20);
  });

  it('links in the loop copies are out of the tab order; real links are focusable', async () => {
    const { page, channel } = await open();
    await publish(channel, LONG_A, { link: 'https://example.com/a' });
    await waitForTexts(page, { once: [LONG_A] });
    const tabIndexes = await page.evaluate(() => {
      const root = document.querySelector('news-ticker')!.shadowRoot!;
      return {
        real: [...root.querySelectorAll<HTMLAnchorElement>('ul.group:not([aria-hidden]) a')].map((a) => a.tabIndex),
        copies: [...root.querySelectorAll<HTMLAnchorElement>('ul.group[aria-hidden="true"] a')].map((a) => a.tabIndex),
      };
    });
    expect(tabIndexes.real).toEqual([0]);
    expect(tabIndexes.copies.length).toBeGreaterThan(0);
    expect(tabIndexes.copies.every((t) => t === -1)).toBe(true);
  });

  it('under prefers-reduced-motion nothing moves and the items can be stepped through', async () => {
    const { page, channel } = await open('', { reducedMotion: 'reduce' });
    await publish(channel, LONG_A);
    await publish(channel, LONG_B);
    await waitForTexts(page, { once: [LONG_A, LONG_B] });
    expect((await probe(page)).states).toEqual([]);
    expect((await sample(page, 1000)).range).toBe(0);
    const visible = async () => (await items(page)).filter((i) => !i.hidden).map((i) => i.text);
    const first = await visible();
    expect(first).toHaveLength(1);
    // The pause control stays (it holds updates; see pause.test.ts); stepping presses it.
    const pause = page.locator('news-ticker').getByRole('button', { name: 'Pause ticker' });
    expect(await pause.getAttribute('aria-pressed')).toBe('false');
    await page.locator('news-ticker').getByRole('button', { name: 'Next headline' }).click();
    expect(await pause.getAttribute('aria-pressed')).toBe('true');
    const second = await visible();
    expect(second).toHaveLength(1);
    expect(second).not.toEqual(first);
    expect(new Set([...first, ...second])).toEqual(new Set([LONG_A, LONG_B]));
    expect((await probe(page)).states.filter((s) => s === 'running')).toEqual([]);
  });

  it('stops animating while off-screen and resumes when scrolled into view', async () => {
    const { page, channel } = await open('', {}, '<div id="spacer" style="height:3000px"></div>');
    await publish(channel, LONG_A);
    await waitForTexts(page, { once: [LONG_A] });
    await page.waitForFunction(() => document.querySelector('news-ticker')!.shadowRoot!.getAnimations().every((a) => a.playState === 'paused'), null, { timeout: 3000 });
    await page.locator('news-ticker').scrollIntoViewIfNeeded();
    await page.waitForFunction(() => document.querySelector('news-ticker')!.shadowRoot!.getAnimations().some((a) => a.playState === 'running'), null, { timeout: 3000 });
  });

  it('a new headline does not make the visible one jump, and enters next', async () => {
    const { page, channel } = await open();
    const a = await publish(channel, LONG_A);
    await waitForTexts(page, { once: [LONG_A] });
    // Record A's x every 16 ms, from before B is published until well after it is shown.
    await page.evaluate((uri) => {
      const root = document.querySelector('news-ticker')!.shadowRoot!;
      const w = window as unknown as { xs: number[]; timer: number };
      w.xs = [];
      w.timer = window.setInterval(() => {
        const li = root.querySelector(`ul.group:not([aria-hidden]) > li[data-uri="${uri}"]`);
        w.xs.push(li ? li.getBoundingClientRect().left : NaN);
      }, 16);
    }, a);
    await page.waitForFunction(() => (window as unknown as { xs: number[] }).xs.length >= 10, null, { polling: 20 });
    const b = await publish(channel, LONG_B, { urgency: 'flash' });
    await waitForTexts(page, { once: [LONG_A, LONG_B] });
    const shownAt = await page.evaluate(() => (window as unknown as { xs: number[] }).xs.length);
    await page.waitForFunction((n) => (window as unknown as { xs: number[] }).xs.length >= n + 20, shownAt, { polling: 20 });
    const result = await page.evaluate(() => {
      const w = window as unknown as { xs: number[]; timer: number };
      clearInterval(w.timer);
      const xs = w.xs;
      return { range: Math.max(...xs) - Math.min(...xs), maxStep: Math.max(0, ...xs.slice(1).map((x, k) => Math.abs(x - xs[k]!))), frames: xs.length };
    });
    expect(result.frames).toBeGreaterThan(30);
    expect(result.range).toBeGreaterThan(5); // it kept moving
    // ~1 px a frame at 60 px/s (more if a loaded machine drops frames); a jump would be a whole item (hundreds of px).
    expect(result.maxStep).toBeLessThan(40);
    // B joins where the strip enters next: it comes into view within seconds, not after a whole
    // loop of the strip (~20 s at 60 px/s for these two headlines).
    const loopMs = await page.evaluate(() => (document.querySelector('news-ticker')!.shadowRoot!.querySelector('ul.group')!.getBoundingClientRect().width / 60) * 1000);
    expect(loopMs).toBeGreaterThan(15_000);
    await page.waitForFunction((uri) => {
      const root = document.querySelector('news-ticker')!.shadowRoot!;
      const view = root.querySelector('.viewport')!.getBoundingClientRect();
      return [...root.querySelectorAll(`li[data-uri="${uri}"]`)].some((li) => {
        const r = li.getBoundingClientRect();
        return r.left < view.right - 20 && r.right > view.left + 20;
      });
    }, b, { timeout: 8000, polling: 50 });
  });
});
