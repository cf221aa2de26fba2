/**
 * Pause means pause (WCAG 2.2.2 covers updates, not only motion): a paused ticker holds what it
 * shows; new headlines and corrections wait behind a visible "N new" control; a kill still takes
 * effect at once; the live region is silent while paused except for a kill of the headline in view.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useServer } from '../helpers/app.js';
import { items, tickerPage, useBrowser, usePageServer, waitForState, waitForTexts } from '../helpers/browser.js';

const visible = async (page: Page) => (await items(page)).filter((i) => !i.hidden).map((i) => i.text);
const shown = async (page: Page) => (await items(page)).map((i) => i.text);

describe('<news-ticker> pause holds updates', () => {
  const server = useServer('memory');
  const browser = useBrowser();
  const site = usePageServer(() => server.url);

  const open = async (attrs: string, options: Parameters<typeof browser.page>[0] = {}) => {
    const channel = server.channel('en');
    const page = await browser.page(options);
    await page.goto(site.page(tickerPage(`<news-ticker server="${server.url}" channels="${channel}" ${attrs}></news-ticker>`)));
    await waitForState(page, 'empty');
    await page.evaluate(() => {
      const region = document.querySelector('news-ticker')!.shadowRoot!.querySelector('[aria-live]')!;
      const log: string[] = [];
      (window as unknown as { said: string[] }).said = log;
      new MutationObserver(() => log.push(region.textContent ?? '')).observe(region, { childList: true, characterData: true, subtree: true });
    });
    return { page, channel };
  };
  const said = (page: Page) => page.evaluate(() => (window as unknown as { said: string[] }).said);
  const publish = async (channel: string, headline: string, extra: Record<string, unknown> = {}) => {
    const res = await server.publish(channel, { headline, language: 'en', ...extra });
    expect(res.status).toBe(201);
    return ((await res.json()) as { data: { headline: { uri: string } } }).data.headline.uri;
  };
  const correct = async (uri: string, headline: string) =>
    expect((await server.api(`/api/v1/headlines/${uri}`, { method: 'PATCH', body: JSON.stringify({ headline, edNote: 'fix' }) })).status).toBe(200);
  const kill = async (uri: string) =>
    expect((await server.api(`/api/v1/headlines/${uri}/retract`, { method: 'POST', body: JSON.stringify({ reason: 'wrong' }) })).status).toBe(200);
  /** The "N new" control's visible text once it reads `text` (or is hidden when text is null). */
  const waitForMore = (page: Page, text: string | null) => page.waitForFunction((t) => {
    const more = document.querySelector('news-ticker')!.shadowRoot!.querySelector<HTMLButtonElement>('[part="more"]')!;
    return t === null ? more.hidden && more.getBoundingClientRect().width === 0 : !more.hidden && more.textContent === t && more.getBoundingClientRect().width > 0;
  }, text, { polling: 20 });
  const pauseButton = (page: Page) => page.locator('news-ticker').getByRole('button', { name: 'Pause ticker' });
  const leave = async (page: Page) => {
    await page.mouse.move(5, 590);
    await page.evaluate(() => (document.querySelector('news-ticker')!.shadowRoot!.activeElement as HTMLElement | null)?.blur());
  };

  it('scroll: corrections and new headlines wait behind "N new"; a kill of the shown headline goes at once and is the only announcement', async () => {
    const { page, channel } = await open('');
    const a = await publish(channel, 'Alpha headline before the pause');
    await waitForTexts(page, { once: ['Alpha headline before the pause'] });
    await page.waitForFunction(() => (window as unknown as { said: string[] }).said.length === 1);
    await pauseButton(page).click();
    await leave(page);
    expect(await pauseButton(page).getAttribute('aria-pressed')).toBe('true');

    await correct(a, 'Alpha headline, corrected');
    await waitForMore(page, '1 new');
    expect(await shown(page)).toEqual(['Alpha headline before the pause']);
    await publish(channel, 'Bravo arrives while paused');
    await waitForMore(page, '2 new');
    expect(await shown(page)).toEqual(['Alpha headline before the pause']);
    const more = page.locator('news-ticker').getByRole('button', { name: '2 new: show the new or updated headlines' });
    expect(await more.isVisible()).toBe(true);

    // Activating the control shows what waited; the ticker stays paused; focus goes to the pause button.
    await more.focus();
    await page.keyboard.press('Enter');
    await waitForTexts(page, { once: ['Alpha headline, corrected', 'Bravo arrives while paused'], count: 2 });
    await waitForMore(page, null);
    expect(await pauseButton(page).getAttribute('aria-pressed')).toBe('true');
    expect(await page.evaluate(() => (document.querySelector('news-ticker')!.shadowRoot!.activeElement as HTMLElement | null)?.getAttribute('part'))).toBe('pause');
    await leave(page);

    // A kill of a headline in view takes effect at once, paused or not, and is announced.
    await kill(a);
    await waitForTexts(page, { absent: ['Alpha headline, corrected'], count: 1 });
    await page.waitForFunction(() => (window as unknown as { said: string[] }).said.length === 2);
    expect(await said(page)).toEqual(['Alpha headline before the pause', 'Removed: Alpha headline, corrected']);

    // Play shows the rest and announcing resumes for headlines that arrive after it.
    await publish(channel, 'Charlie waits too');
    await waitForMore(page, '1 new');
    await pauseButton(page).click();
    await waitForTexts(page, { once: ['Bravo arrives while paused', 'Charlie waits too'], count: 2 });
    await waitForMore(page, null);
    await publish(channel, 'Delta after play');
    await waitForTexts(page, { once: ['Delta after play'] });
    await page.waitForFunction(() => (window as unknown as { said: string[] }).said.length === 3);
    expect((await said(page)).at(-1)).toBe('Delta after play');
  });

  it('list mode has a pause control; paused, the list neither grows nor reorders; a kill off screen is silent', async () => {
    const { page, channel } = await open('mode="list" max="5"');
    const uris: string[] = [];
    for (const h of ['One', 'Two', 'Three']) uris.push(await publish(channel, h));
    await waitForTexts(page, { count: 3 });
    const before = await shown(page);
    expect(before).toEqual(['Three', 'Two', 'One']);
    const pause = pauseButton(page);
    expect(await pause.isVisible()).toBe(true);
    await pause.click();
    await leave(page);
    await publish(channel, 'Four flash', { urgency: 'flash' });
    await publish(channel, 'Five');
    await waitForMore(page, '2 new');
    expect(await shown(page)).toEqual(before);
    const saidBefore = (await said(page)).length;

    // Scroll the list out of the page view: a kill there takes effect but is not announced.
    await page.evaluate(() => {
      const spacer = document.createElement('div');
      spacer.style.height = '3000px';
      document.body.prepend(spacer);
    });
    await kill(uris[1]!);
    await waitForTexts(page, { absent: ['Two'], count: 2 });
    expect(await shown(page)).toEqual(['Three', 'One']);
    await page.evaluate(() => document.body.firstElementChild!.remove());
    await kill(uris[2]!);
    await waitForTexts(page, { absent: ['Three'], count: 1 });
    await page.waitForFunction((n) => (window as unknown as { said: string[] }).said.length > n, saidBefore);
    expect((await said(page)).slice(saidBefore)).toEqual(['Removed: Three']);

    await pause.click();
    await waitForTexts(page, { count: 3 });
    expect(await shown(page)).toEqual(['Four flash', 'Five', 'One']);
  });

  it('under reduced motion, stepping holds updates; only the shown headline’s kill is announced', async () => {
    const { page, channel } = await open('', { reducedMotion: 'reduce' });
    const a = await publish(channel, 'First of two');
    const b = await publish(channel, 'Second of two');
    await waitForTexts(page, { count: 2 });
    const saidBefore = (await said(page)).length;
    const pause = pauseButton(page);
    expect(await pause.getAttribute('aria-pressed')).toBe('false');
    await page.locator('news-ticker').getByRole('button', { name: 'Next headline' }).click();
    expect(await pause.getAttribute('aria-pressed')).toBe('true');
    const current = (await visible(page))[0]!;
    await publish(channel, 'Third while stepping');
    await waitForMore(page, '1 new');
    expect(await shown(page)).toHaveLength(2);
    // The hidden one goes silently; the shown one goes with an announcement.
    const [hiddenUri, shownUri] = current === 'First of two' ? [b, a] : [a, b];
    await kill(hiddenUri);
    await waitForTexts(page, { count: 1 });
    await kill(shownUri);
    await waitForTexts(page, { count: 0 });
    await page.waitForFunction((n) => (window as unknown as { said: string[] }).said.length > n, saidBefore);
    expect((await said(page)).slice(saidBefore)).toEqual([`Removed: ${current}`]);
    await waitForMore(page, '1 new');
  });

  it('rotate: paused, a correction of the shown headline does not rewrite it', async () => {
    const { page, channel } = await open('mode="rotate" interval="60000"');
    const a = await publish(channel, 'Rotating original');
    await waitForTexts(page, { once: ['Rotating original'] });
    await pauseButton(page).click();
    await correct(a, 'Rotating corrected');
    await waitForMore(page, '1 new');
    expect(await visible(page)).toEqual(['Rotating original']);
    await pauseButton(page).click();
    await waitForTexts(page, { once: ['Rotating corrected'] });
  });
});
