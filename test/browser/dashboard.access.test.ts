/**
 * Keys, errors, keyboard and language: a key scoped to publish:en-* cannot publish to
 * ar-breaking and the UI says why (both the UI's own check and the server's refusal); API field
 * errors appear next to the field; the whole flow works from the keyboard with visible focus;
 * the interface switches to Arabic, right to left.
 */
import { describe, expect, it } from 'vitest';
import { ADMIN_KEY, EN_KEY, useServer } from '../helpers/app.js';
import { compose, deskDocs, deskRow, freshChannel, openDashboard, startCspProxy, useChromium, watchErrors } from '../helpers/dashboard.js';

describe('dashboard: scopes, errors, keyboard, Arabic', () => {
  const server = useServer('memory');
  const chromium = useChromium();

  it('a key scoped to publish:en-* cannot publish to ar-breaking, and the UI says why', async () => {
    const en = freshChannel('en');
    const dash = await openDashboard(await chromium.page(), server.url, EN_KEY, ['ar-breaking', en]);
    expect(await dash.locator('#scopes').textContent()).toBe('This key may publish to: en-*');
    const refused = dash.locator('#channel-refused li[data-channel="ar-breaking"]');
    expect(await refused.textContent()).toBe('The key “en-desk” may not publish to “ar-breaking”: it may publish only to en-*.');
    expect(await dash.locator('#f-channels-list input[value="ar-breaking"]').count()).toBe(0);
    expect(await dash.locator(`#f-channels-list input[value="${en}"]`).count()).toBe(1);
    // Asking for it again, by hand, gets the reason next to the field.
    await dash.locator('#channel-add').fill('ar-breaking');
    await dash.locator('#channel-add').press('Enter');
    await expect.poll(() => dash.locator('#channel-add-error').textContent()).toContain('may publish only to en-*');
    expect(await dash.locator('#f-channels-list input[value="ar-breaking"]').count()).toBe(0);
    expect(await deskDocs(server.url, 'ar-breaking')).toEqual([]);
  });

  it('without ?channels=, lists the channels that have had headlines and that the key may publish to', async () => {
    const en = freshChannel('en');
    const ar = freshChannel('ar');
    for (const channel of [en, ar]) expect((await server.publish(channel, { headline: `First on ${channel}` })).status).toBe(201);
    const dash = await openDashboard(await chromium.page(), server.url, EN_KEY, []);
    await dash.locator(`#channel-list [data-channel="${en}"]`).waitFor();
    await dash.locator(`#f-channels-list input[value="${en}"]`).waitFor();
    await deskRow(dash, `First on ${en}`).waitFor();
    const listed = await dash.locator('#channel-list li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-channel') ?? ''));
    expect(listed.every((c) => c.startsWith('en-'))).toBe(true);
    expect(listed).not.toContain(ar);
    expect(await dash.locator('#channel-refused li').count()).toBe(0); // not offered, so not refused either
    // Adding by name still works next to it.
    const extra = freshChannel('en');
    await dash.locator('#channel-add').fill(extra);
    await dash.locator('#channel-add').press('Enter');
    await dash.locator(`#channel-list [data-channel="${extra}"]`).waitFor();
  });

  it('shows the server’s refusal next to the channel when the scopes it was shown were wrong', async () => {
    const page = await chromium.page();
    // The page is told the key may publish anywhere; the server still knows better.
    await page.route('**/api/v1/me', (route) => route.fulfill({ json: { data: { name: 'en-desk', scopes: ['publish:*'] } } }));
    const channel = freshChannel('ar');
    await page.goto(`${server.url}/dashboard?channels=${channel}`);
    await page.locator('#signin-key').fill(EN_KEY);
    await page.locator('#signin-key').press('Enter');
    await compose(page, { headline: 'Not allowed here' });
    await page.locator('#publish').click();
    await expect.poll(() => page.locator('#f-channels-error').textContent())
      .toBe(`${channel}: This key is not allowed to do that: the key "en-desk" may not publish to "${channel}".`);
    expect(await deskDocs(server.url, channel)).toEqual([]);
  });

  it('shows API field errors in plain words next to the field, in English and in Arabic', async () => {
    const channel = freshChannel('en');
    const dash = await openDashboard(await chromium.page(), server.url, ADMIN_KEY, [channel]);
    await compose(dash, { headline: 'Markup <b>is</b> refused', link: 'javascript:alert(1)' });
    await dash.locator('#publish').click();
    await expect.poll(() => dash.locator('#f-headline-error').textContent()).toBe('must be plain text, not HTML markup');
    expect(await dash.locator('#f-link-error').textContent()).toBe('must be an absolute http(s) address');

    await dash.locator('#lang-toggle').click();
    expect(await dash.locator('html').getAttribute('dir')).toBe('rtl');
    expect(await dash.locator('html').getAttribute('lang')).toBe('ar');
    expect(await dash.locator('#publish').textContent()).toBe('انشر');
    await dash.locator('#publish').click();
    await expect.poll(() => dash.locator('#f-headline-error').textContent()).toBe('يجب أن يكون نصًا عاديًا، لا وسوم HTML');
    // English headline text keeps its own direction inside the Arabic interface.
    expect(await dash.locator('#f-headline').getAttribute('dir')).toBe('ltr');
    await dash.locator('#lang-toggle').click();
    expect(await dash.locator('html').getAttribute('dir')).toBe('ltr');
    expect(await deskDocs(server.url, channel)).toEqual([]);
  });

  it('runs under a strict Content-Security-Policy (no inline script or style)', async () => {
    const channel = freshChannel('en');
    const page = await chromium.page();
    const errors = watchErrors(page);
    const csp = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    const origin = await startCspProxy(server.url, csp);
    const answer = page.waitForResponse((r) => new URL(r.url()).pathname === '/dashboard');
    await openDashboard(page, origin, ADMIN_KEY, [channel]);
    expect((await answer).headers()['content-security-policy']).toBe(csp);
    // The policy is in force: an inline script is refused (and reported as an error).
    expect(await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.inlineRan = true';
      document.head.append(s);
      return (window as unknown as { inlineRan?: boolean }).inlineRan ?? false;
    })).toBe(false);
    expect(errors.splice(0)).toEqual([expect.stringContaining('Content Security Policy')]);
    await compose(page, { headline: 'Under a strict policy', urgency: 'flash' });
    await page.locator('#publish').click();
    await page.locator('#flash-dialog button[value="confirm"]').click();
    await deskRow(page, 'Under a strict policy').and(page.locator('[data-status="live"]')).waitFor();
    await page.locator('#lang-toggle').click();
    expect(errors).toEqual([]);
  });

  it('works without a mouse: sign in, compose, publish, hold, release, retract; focus is visible', async () => {
    const channel = freshChannel('en');
    const page = await chromium.page();
    // Two channels, so none is preselected and the keyboard has to choose one.
    await page.goto(`${server.url}/dashboard?channels=${channel},${freshChannel('en')}`);
    const focused = () => page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      return el ? `${el.id}|${el.dataset.action ?? ''}|${(el as HTMLInputElement).value ?? ''}` : '';
    });
    const tabTo = async (match: (f: string) => boolean, key = 'Tab'): Promise<void> => {
      for (let i = 0; i < 80 && !match(await focused()); i++) await page.keyboard.press(key);
      expect(match(await focused())).toBe(true);
    };
    await expect.poll(focused).toMatch(/^signin-key/);
    await page.keyboard.type(ADMIN_KEY);
    await page.keyboard.press('Enter');
    await expect.poll(focused).toMatch(/^f-headline/);
    // The key lives in this tab's session storage only, never in the address or local storage.
    expect(await page.evaluate(() => sessionStorage.getItem('nt-dashboard-key'))).toBe(ADMIN_KEY);
    expect(await page.evaluate(() => JSON.stringify({ ...localStorage }))).not.toContain(ADMIN_KEY);
    expect(page.url()).not.toContain(ADMIN_KEY);
    await page.keyboard.type('Keyboard-only headline');
    await tabTo((f) => f.endsWith(`|${channel}`));
    await page.keyboard.press('Space');
    expect(await page.locator(`#f-channels-list input[value="${channel}"]`).isChecked()).toBe(true);
    await page.keyboard.press('Control+Enter');
    const row = deskRow(page, 'Keyboard-only headline');
    await row.and(page.locator('[data-status="live"]')).waitFor();
    expect(await page.locator('#f-headline').inputValue()).toBe('');

    await tabTo((f) => f === '|hold|');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).not.toBe('none');
    await page.keyboard.press('Enter');
    await page.locator('#reason-dialog[open]').waitFor();
    await page.keyboard.type('Checking with the agency');
    await tabTo((f) => f.startsWith('reason-confirm'));
    await page.keyboard.press('Enter');
    await row.and(page.locator('[data-status="held"]')).waitFor();
    await expect.poll(focused).toBe('|release|');
    await page.keyboard.press('Enter');
    await row.and(page.locator('[data-status="live"]')).waitFor();

    await tabTo((f) => f === '|retract|');
    await page.keyboard.press('Enter');
    await page.locator('#reason-dialog[open]').waitFor();
    await page.keyboard.type('Wrong');
    await tabTo((f) => f.startsWith('reason-confirm'));
    await page.keyboard.press('Enter');
    await row.and(page.locator('[data-status="retracted"]')).waitFor();
    expect((await deskDocs(server.url, channel)).map((d) => [d.status, d.version])).toEqual([['retracted', 4]]);
  });
});
