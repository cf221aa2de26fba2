/**
 * Safety against slips: a double click on publish, and a publish retried after its response was
 * dropped, create one headline (one Idempotency-Key per composed headline and channel); undo
 * within the window retracts the headline everywhere; the window closes by itself.
 */
import { describe, expect, it } from 'vitest';
import { AR_KEY, useServer } from '../helpers/app.js';
import { compose, deskDocs, deskRow, freshChannel, openDashboard, openWidget, useChromium, watchErrors } from '../helpers/dashboard.js';

describe('dashboard: never twice, and undo', () => {
  const server = useServer('memory');
  const chromium = useChromium();

  it('a double click on publish creates one headline', async () => {
    const channel = freshChannel('ar');
    const dash = await openDashboard(await chromium.page(), server.url, AR_KEY, [channel]);
    const keys: string[] = [];
    dash.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith(`/channels/${channel}/headlines`)) keys.push(r.headers()['idempotency-key'] ?? '');
    });
    await compose(dash, { headline: 'نقرة مزدوجة على زر النشر' });
    await dash.locator('#publish').dblclick();
    await deskRow(dash, 'نقرة مزدوجة').waitFor();
    await expect.poll(() => dash.locator('#compose-status').textContent()).toContain('Published to');
    expect(await deskDocs(server.url, channel)).toHaveLength(1);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(new RegExp(`^[0-9a-f]{32}:${channel}$`));
  });

  it('a publish retried after a dropped response creates one headline', async () => {
    const channel = freshChannel('ar');
    const dash = await openDashboard(await chromium.page(), server.url, AR_KEY, [channel]);
    const errors = watchErrors(dash);
    const seen: { key: string; status: number; replayed: string | undefined }[] = [];
    let dropped = 0;
    await dash.route(`**/api/v1/channels/${channel}/headlines`, async (route) => {
      const key = route.request().headers()['idempotency-key'] ?? '';
      const res = await route.fetch(); // the request reaches the server, which commits it
      seen.push({ key, status: res.status(), replayed: res.headers()['idempotent-replayed'] });
      if (dropped++ === 0) return route.abort('connectionreset'); // …but the answer never arrives
      return route.fulfill({ response: res });
    });
    await compose(dash, { headline: 'الشبكة قطعت الرد الأول' });
    await dash.locator('#publish').click();
    await deskRow(dash, 'الشبكة قطعت الرد الأول').waitFor();
    await expect.poll(() => dash.locator('#compose-status').textContent()).toContain('Published to');
    expect(seen.map((s) => s.status)).toEqual([201, 200]);
    expect(seen[1]?.replayed).toBe('true');
    expect(seen[0]?.key).toBe(seen[1]?.key);
    expect(await deskDocs(server.url, channel)).toHaveLength(1);
    expect(await dash.locator('#desk-list > li').count()).toBe(1);
    // The dropped connection shows as a failed fetch in the console; nothing else went wrong.
    expect(errors.filter((e) => !/ERR_CONNECTION_RESET|Failed to load resource/.test(e))).toEqual([]);
  });

  it('after every retry was cut off, an edited draft is not published again but explained', async () => {
    const channel = freshChannel('ar');
    const dash = await openDashboard(await chromium.page(), server.url, AR_KEY, [channel]);
    let reached = 0;
    await dash.route(`**/api/v1/channels/${channel}/headlines`, async (route) => {
      await route.fetch(); // committed (first) or replayed (retries) by the server…
      reached++;
      return route.abort('connectionreset'); // …but no answer ever arrives
    });
    await compose(dash, { headline: 'خبر انقطعت كل ردوده' });
    await dash.locator('#publish').click();
    await expect.poll(() => dash.locator('#compose-error').textContent(), { timeout: 15_000 }).toContain('could not be reached');
    expect(reached).toBe(4);
    await dash.unroute(`**/api/v1/channels/${channel}/headlines`);
    // The editor edits and tries again: same draft, same key, different content.
    await dash.locator('#f-headline').fill('خبر انقطعت كل ردوده (معدّل)');
    await dash.locator('#publish').click();
    await expect.poll(() => dash.locator('#compose-error').textContent()).toContain('already went out');
    await deskRow(dash, 'خبر انقطعت كل ردوده').waitFor();
    expect((await deskDocs(server.url, channel)).map((d) => d.headline)).toEqual(['خبر انقطعت كل ردوده']);
  });

  it('undo within the window retracts the headline on every channel and every widget', async () => {
    const a = freshChannel('ar');
    const b = freshChannel('ar');
    const widget = await openWidget(await chromium.page(), server.url, [a, b]);
    const dash = await openDashboard(await chromium.page(), server.url, AR_KEY, [a, b]);
    await compose(dash, { headline: 'خبر سيُسحب فورًا', channels: [a, b] });
    await dash.locator('#publish').click();
    await expect.poll(() => widget.locator('news-ticker li', { hasText: 'خبر سيُسحب فورًا' }).count()).toBe(2);
    const undo = dash.locator('#undo-button');
    await undo.waitFor();
    expect(await undo.textContent()).toMatch(/Undo \(\d+ s\)/);
    await undo.click();
    await expect.poll(() => widget.locator('news-ticker li', { hasText: 'خبر سيُسحب فورًا' }).count()).toBe(0);
    await expect.poll(async () => (await deskDocs(server.url, a)).concat(await deskDocs(server.url, b)).map((d) => d.status)).toEqual(['retracted', 'retracted']);
    await expect.poll(() => dash.locator('#desk-list > li[data-status="retracted"]').count()).toBe(2);
    expect(await dash.locator('#undo-text').textContent()).toContain('Undone');
    // The draft is back in the composer, for both channels; "Published to …" is no longer said.
    expect(await dash.locator('#f-headline').inputValue()).toBe('خبر سيُسحب فورًا');
    for (const channel of [a, b]) expect(await dash.locator(`#f-channels-list input[value="${channel}"]`).isChecked()).toBe(true);
    expect(await dash.locator('#compose-status').textContent()).toBe('');
  });

  it('the undo window closes by itself after about ten seconds', async () => {
    const channel = freshChannel('ar');
    const dash = await openDashboard(await chromium.page(), server.url, AR_KEY, [channel]);
    await compose(dash, { headline: 'خبر يبقى منشورًا' });
    await dash.locator('#publish').click();
    const bar = dash.locator('#undo-bar');
    await bar.waitFor();
    const shownAt = Date.now();
    await bar.waitFor({ state: 'hidden', timeout: 15_000 });
    expect(Date.now() - shownAt).toBeGreaterThan(8_000);
    expect((await deskDocs(server.url, channel))[0]?.status).toBe('live');
  });
});
