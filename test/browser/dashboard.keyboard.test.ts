/**
 * The dashboard by keyboard alone: skip links that land on the shown form and never cover
 * content, Tab kept inside the flash and kill dialogs, and the whole editor flow (sign in,
 * compose, choose urgency, confirm a flash, correct, kill) without a mouse.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ADMIN_KEY, useServer } from '../helpers/app.js';
import { compose, deskDocs, deskRow, freshChannel, openDashboard, useChromium } from '../helpers/dashboard.js';

/** id|data-action|value of the focused element (the page's, not a shadow root's). */
const focused = (page: Page) => page.evaluate(() => {
  const el = document.activeElement as HTMLElement | null;
  return el ? `${el.id}|${el.dataset.action ?? ''}|${(el as HTMLInputElement).value ?? ''}` : '';
});

async function tabTo(page: Page, match: (f: string) => boolean, key = 'Tab'): Promise<void> {
  for (let i = 0; i < 80 && !match(await focused(page)); i++) await page.keyboard.press(key);
  expect(match(await focused(page))).toBe(true);
}

/** The focused skip link's box, and every other visible element of the page it overlaps. */
const skipOverlaps = (page: Page) => page.evaluate(() => {
  const skip = document.getElementById('skip')!;
  const r = skip.getBoundingClientRect();
  const hits = [...document.querySelectorAll<HTMLElement>('body *')].filter((el) => {
    if (el === skip || el.contains(skip) || skip.contains(el) || !el.getClientRects().length) return false;
    const o = el.getBoundingClientRect();
    return o.width > 0 && o.height > 0 && o.left < r.right && o.right > r.left && o.top < r.bottom && o.bottom > r.top;
  });
  return { visible: r.width > 0 && r.left >= 0 && r.top >= 0, overlaps: hits.map((el) => el.tagName.toLowerCase() + (el.id ? `#${el.id}` : '')) };
});

describe('dashboard: keyboard', () => {
  const server = useServer('memory');
  const chromium = useChromium();

  it('the skip link is the first stop, covers nothing, and lands on the key field, then on the headline', async () => {
    const page = await chromium.page();
    await page.goto(`${server.url}/dashboard`);
    // Start from the top of the page (the key field has the focus at load).
    await page.evaluate(() => {
      document.body.tabIndex = -1;
      document.body.focus();
    });
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatch(/^skip\|/);
    expect(await skipOverlaps(page)).toEqual({ visible: true, overlaps: [] });
    await page.keyboard.press('Enter');
    expect(await focused(page)).toMatch(/^signin-key\|/);

    await openDashboard(page, server.url, ADMIN_KEY, [freshChannel('en')]);
    await page.locator('#skip').focus();
    expect(await page.locator('#skip').textContent()).toBe('Skip to the composer');
    expect(await skipOverlaps(page)).toEqual({ visible: true, overlaps: [] });
    await page.keyboard.press('Enter');
    expect(await focused(page)).toMatch(/^f-headline\|/);
  }, 90_000);

  it('Tab and Shift+Tab stay inside the flash and the kill dialogs until they close', async () => {
    const channel = freshChannel('en');
    const page = await openDashboard(await chromium.page(), server.url, ADMIN_KEY, [channel]);
    const inside = (id: string) => page.evaluate((d) => {
      const el = document.activeElement;
      return !!el && el !== document.body && document.getElementById(d)!.contains(el) && el.id !== d;
    }, id);
    const cycle = async (id: string) => {
      const stops = new Set<string>();
      for (const key of ['Tab', 'Shift+Tab']) {
        for (let i = 0; i < 9; i++) {
          await page.keyboard.press(key);
          expect(await inside(id)).toBe(true);
          stops.add(await focused(page));
        }
      }
      return stops;
    };
    await compose(page, { headline: 'A flash to confirm', urgency: 'flash', channels: [channel] });
    await page.locator('#publish').click();
    await page.locator('#flash-dialog[open]').waitFor();
    expect((await cycle('flash-dialog')).size).toBe(2); // Cancel and Publish, nothing else
    await page.keyboard.press('Escape');
    await page.locator('#flash-dialog').waitFor({ state: 'hidden' });

    expect((await server.publish(channel, { headline: 'To be killed', language: 'en' })).status).toBe(201);
    await deskRow(page, 'To be killed').locator('[data-action="retract"]').click();
    await page.locator('#reason-dialog[open]').waitFor();
    expect((await cycle('reason-dialog')).size).toBe(3); // the reason, Cancel, Retract
    await page.keyboard.press('Escape');
    await page.locator('#reason-dialog').waitFor({ state: 'hidden' });
  }, 90_000);

  it('the whole editor flow without a mouse: sign in, compose, urgency, confirm a flash, correct, kill', async () => {
    const channel = freshChannel('en');
    const page = await chromium.page();
    await page.goto(`${server.url}/dashboard?channels=${channel},${freshChannel('en')}`);
    await expect.poll(() => focused(page)).toMatch(/^signin-key/);
    await page.keyboard.type(ADMIN_KEY);
    await page.keyboard.press('Enter');
    await expect.poll(() => focused(page)).toMatch(/^f-headline/);
    await page.keyboard.type('Keyboard flash');
    await tabTo(page, (f) => f.endsWith(`|${channel}`));
    await page.keyboard.press('Space');
    // Urgency: Tab into the radio group (routine is checked), arrows up to flash.
    await tabTo(page, (f) => f.endsWith('|routine'));
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowUp');
    expect(await page.locator('input[name="urgency"][value="flash"]').isChecked()).toBe(true);
    await page.keyboard.press('Control+Enter');
    await page.locator('#flash-dialog[open]').waitFor();
    expect(await page.evaluate(() => document.activeElement?.getAttribute('value'))).toBe('cancel'); // the safe choice first
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('value'))).toBe('confirm');
    await page.keyboard.press('Enter');
    const row = deskRow(page, 'Keyboard flash');
    await row.and(page.locator('[data-status="live"]')).waitFor();

    // Correct: from the desk row into the composer, change the text, give a note, save.
    await page.locator('#f-headline').focus();
    await tabTo(page, (f) => f === '|correct|');
    await page.keyboard.press('Enter');
    await expect.poll(() => focused(page)).toMatch(/^f-headline/);
    await page.keyboard.press('End');
    await page.keyboard.type(', corrected');
    await tabTo(page, (f) => f.startsWith('f-note|'));
    await page.keyboard.type('Typo');
    await page.keyboard.press('Control+Enter');
    const corrected = deskRow(page, 'Keyboard flash, corrected');
    await corrected.and(page.locator('[data-status="corrected"], [data-status="live"]')).waitFor();

    // Kill: the retract button, a reason, confirm.
    await page.locator('#f-headline').focus();
    await tabTo(page, (f) => f === '|retract|');
    await page.keyboard.press('Enter');
    await page.locator('#reason-dialog[open]').waitFor();
    await page.keyboard.type('Wrong');
    await tabTo(page, (f) => f.startsWith('reason-confirm'));
    await page.keyboard.press('Enter');
    await corrected.and(page.locator('[data-status="retracted"]')).waitFor();
    const docs = await deskDocs(server.url, channel);
    expect(docs.map((d) => [d.status, d.urgency, d.headline])).toEqual([['retracted', 1, 'Keyboard flash, corrected']]);
  }, 90_000);
});
