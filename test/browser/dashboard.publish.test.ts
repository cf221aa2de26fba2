/**
 * The dashboard against the real app (memory engine) in real Chromium: compose and publish the
 * seed headline, see it in a <news-ticker> on another page, correct it, retract it; flash asks
 * for a confirmation and cancelling publishes nothing.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AR_KEY, useServer } from '../helpers/app.js';
import { compose, deskDocs, deskRow, freshChannel, openDashboard, openWidget, previewItem, useChromium, watchErrors } from '../helpers/dashboard.js';

const SEED = 'إعلام سوري: الطيران الإسرائيلي يستهدف مطار حماة العسكري بـ 3 غارات';

describe('dashboard: publish, correct, retract', () => {
  const server = useServer('memory');
  const chromium = useChromium();

  it('publishes the seed headline to a widget on another page, corrects it, then retracts it', async () => {
    const channel = freshChannel('ar');
    const widget = await openWidget(await chromium.page(), server.url, [channel]);
    const dash = await chromium.page();
    const errors = watchErrors(dash);
    await openDashboard(dash, server.url, AR_KEY, [channel]);

    // The widget page counts as a reader of the channel.
    await dash.locator(`#channel-list [data-channel="${channel}"] .count[data-count="1"]`).waitFor();
    await compose(dash, { headline: SEED, source: 'رويترز', section: 'العالم' });
    // Language detected from the script, and the field's direction follows it.
    await expect.poll(() => dash.locator('#f-headline').getAttribute('dir')).toBe('rtl');
    expect(await dash.locator('#f-language option[value="auto"]').textContent()).toContain('Arabic');
    expect(await dash.locator('#f-headline-count').textContent()).toContain(`${[...SEED].length} / 280`);
    // The preview is the real widget: the draft in its shadow DOM, right-to-left, no label for routine.
    await expect.poll(() => previewItem(dash)).toMatchObject({ text: SEED, dir: 'rtl', label: null });
    // A single followed channel is preselected; Ctrl+Enter publishes.
    await expect.poll(() => dash.locator(`#f-channels-list input[value="${channel}"]`).isChecked()).toBe(true);
    await dash.locator('#f-headline').press('Control+Enter');

    const inWidget = widget.locator('news-ticker li', { hasText: SEED });
    await inWidget.waitFor();
    const row = deskRow(dash, SEED);
    await row.and(dash.locator('[data-status="live"][data-version="1"]')).waitFor();
    expect(await row.locator('.reach').textContent()).toBe('Readers reached: 1');
    const [doc] = await deskDocs(server.url, channel);
    expect(doc).toMatchObject({ headline: SEED, language: 'ar', direction: 'rtl', infoSources: [{ name: 'رويترز' }], section: 'العالم', urgency: 5 });
    expect(doc?.expires).toBeDefined();

    // Correct: the composer opens on the current text and needs a correction note.
    await row.locator('button[data-action="correct"]').click();
    await expect.poll(() => dash.locator('#f-headline').inputValue()).toBe(SEED);
    const corrected = SEED.replace('3 غارات', '4 غارات');
    await dash.locator('#f-headline').fill(corrected);
    await dash.locator('#publish').click();
    await expect.poll(() => dash.locator('#f-note-error').textContent()).toContain('correction changes');
    await dash.locator('#f-note').fill('عدد الغارات: 4 وليس 3');
    await dash.locator('#f-note').press('Control+Enter');
    await widget.locator('news-ticker li', { hasText: corrected }).waitFor();
    await inWidget.waitFor({ state: 'detached' });
    const correctedRow = deskRow(dash, corrected);
    await correctedRow.and(dash.locator('[data-status="corrected"][data-version="2"]')).waitFor();
    await correctedRow.locator('summary').click();
    await expect.poll(() => correctedRow.locator('.versions li').count()).toBe(2);

    // Retract: a kill asks for a reason.
    await correctedRow.locator('button[data-action="retract"]').click();
    await dash.locator('#reason-dialog[open]').waitFor();
    await dash.locator('#reason-confirm').click();
    await expect.poll(() => dash.locator('#reason-error').textContent()).toContain('reason');
    await dash.locator('#reason-input').fill('خبر غير مؤكد');
    await dash.locator('#reason-confirm').click();
    await widget.locator('news-ticker li', { hasText: corrected }).waitFor({ state: 'detached' });
    await correctedRow.and(dash.locator('[data-status="retracted"]')).waitFor();
    expect(await correctedRow.locator('button[data-action]').count()).toBe(0);
    expect((await deskDocs(server.url, channel))[0]).toMatchObject({ status: 'retracted', reason: 'خبر غير مؤكد', version: 3 });
    expect(errors).toEqual([]);
  });

  it('previews the draft through the real <news-ticker> loaded from /embed.js, not counted as a reader', async () => {
    const channel = freshChannel('ar');
    const dash = await chromium.page();
    const errors = watchErrors(dash);
    const embed = dash.waitForResponse((r) => new URL(r.url()).pathname === '/embed.js');
    await openDashboard(dash, server.url, AR_KEY, [channel]);
    expect((await embed).status()).toBe(200);
    await compose(dash, { headline: SEED, urgency: 'bulletin' });
    await expect.poll(() => previewItem(dash)).toMatchObject({ text: SEED, dir: 'rtl', direction: 'rtl', label: 'نشرة' }); // bulletin, in the one urgency vocabulary (shared/urgency-words.ts)
    expect(await dash.locator('#preview news-ticker').evaluate((t) => [t.hasAttribute('preview'), getComputedStyle(t).direction]))
      .toEqual([true, 'rtl']);
    // English text: left to right, with the English label; the list mode of the same widget.
    await compose(dash, { headline: 'Israeli jets strike Hama airport', urgency: 'flash' });
    await dash.locator('#preview-mode').selectOption('list');
    await expect.poll(() => previewItem(dash)).toMatchObject({ text: 'Israeli jets strike Hama airport', dir: 'ltr', direction: 'ltr', label: 'Breaking' });
    expect(await dash.locator('#preview news-ticker').getAttribute('mode')).toBe('list');
    // The preview follows no channel: the channel still has no reader.
    expect(await dash.locator(`#channel-list [data-channel="${channel}"] .count`).getAttribute('data-count')).toBe('0');
    // The widget came from /embed.js at runtime, not from the dashboard bundle.
    expect(readFileSync(new URL('../../dist/client/dashboard.js', import.meta.url), 'utf8')).not.toContain('--news-ticker-accent');
    expect(errors).toEqual([]);
  });

  it('asks for a second confirmation before a flash; cancelling publishes nothing', async () => {
    const channel = freshChannel('ar');
    const dash = await openDashboard(await chromium.page(), server.url, AR_KEY, [channel]);
    const posts: string[] = [];
    dash.on('request', (r) => void (r.method() === 'POST' && posts.push(r.url())));

    await compose(dash, { headline: 'عاجل: انفجار في المرفأ', urgency: 'flash' });
    await dash.locator('#publish').click();
    const dialog = dash.locator('#flash-dialog[open]');
    await dialog.waitFor();
    expect(await dialog.locator('#flash-headline').textContent()).toBe('عاجل: انفجار في المرفأ');
    // Cancel has the focus: Enter on it (or Escape) cancels.
    await dash.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(posts).toEqual([]);

    // A routine headline afterwards goes out; the flash never did.
    await compose(dash, { headline: 'خبر عادي بعد الإلغاء', urgency: 'routine' });
    await dash.locator('#publish').click();
    await deskRow(dash, 'خبر عادي بعد الإلغاء').waitFor();
    expect((await deskDocs(server.url, channel)).map((d) => d.headline)).toEqual(['خبر عادي بعد الإلغاء']);

    // Confirming publishes it as urgency 1.
    await compose(dash, { headline: 'عاجل جدًا: انفجار في المرفأ', urgency: 'flash' });
    await dash.locator('#publish').click();
    await dialog.waitFor();
    await dash.locator('#flash-dialog button[value="confirm"]').click();
    await deskRow(dash, 'عاجل جدًا: انفجار في المرفأ').and(dash.locator('[data-status="live"]')).waitFor();
    const flash = (await deskDocs(server.url, channel)).find((d) => d.headline.startsWith('عاجل جدًا'));
    expect(flash?.urgency).toBe(1);
  });

  it('shows length guidance for flash and bulletin', async () => {
    const dash = await openDashboard(await chromium.page(), server.url, AR_KEY, [freshChannel('ar')]);
    const long = 'Syrian media: Israeli aircraft strike Hama military airport in three raids, witnesses and officials say';
    await compose(dash, { headline: long, urgency: 'routine' });
    expect(await dash.locator('#f-headline-guidance.warn').count()).toBe(0);
    await dash.locator('input[name="urgency"][value="bulletin"]').check();
    await expect.poll(() => dash.locator('#f-headline-guidance.warn').textContent()).toContain('~100');
    expect(await dash.locator('#f-headline').getAttribute('dir')).toBe('ltr');
    // Manual language override: the field direction follows the chosen language.
    await dash.locator('#f-language').selectOption('ar');
    await expect.poll(() => dash.locator('#f-headline').getAttribute('dir')).toBe('rtl');
  });
});
