/**
 * The live desk: changes made elsewhere (another editor, a CMS through the API) arrive in real
 * time; status (live, held, embargoed, corrected), filters by channel, urgency and status;
 * change expiry; an embargo set in the composer; a correction that lost a race says so.
 */
import { describe, expect, it } from 'vitest';
import type { DeskHeadline } from '../../shared/headline.js';
import { ADMIN_KEY, AR_KEY, useServer } from '../helpers/app.js';
import { compose, deskDocs, deskRow, freshChannel, openDashboard, useChromium } from '../helpers/dashboard.js';

describe('dashboard: the live desk', () => {
  const server = useServer('memory');
  const chromium = useChromium();

  const publish = async (channel: string, body: Record<string, unknown>): Promise<DeskHeadline> => {
    const res = await server.publish(channel, body);
    expect(res.status).toBe(201);
    return ((await res.json()) as { data: { headline: DeskHeadline } }).data.headline;
  };

  it('shows changes from elsewhere live, with status, and filters by channel, urgency and status', async () => {
    const a = freshChannel('ar');
    const b = freshChannel('ar');
    const dash = await openDashboard(await chromium.page(), server.url, AR_KEY, [a, b]);
    const inHour = new Date(Date.now() + 3600_000).toISOString();
    await publish(a, { headline: 'خبر من نظام التحرير', urgency: 'flash' });
    await publish(a, { headline: 'خبر محتجز', urgency: 'routine', pubStatus: 'withheld' });
    await publish(b, { headline: 'خبر محظور حتى موعده', urgency: 'urgent', embargoedUntil: inHour });
    const corrected = await publish(b, { headline: 'خبر قبل التصحيح', urgency: 'bulletin' });
    const res = await server.api(`/api/v1/headlines/${corrected.uri}`, { method: 'PATCH', body: JSON.stringify({ headline: 'خبر بعد التصحيح', edNote: 'تصحيح' }) });
    expect(res.status).toBe(200);

    await deskRow(dash, 'خبر من نظام التحرير').and(dash.locator('[data-status="live"]')).waitFor();
    await deskRow(dash, 'خبر محتجز').and(dash.locator('[data-status="held"]')).waitFor();
    const embargoed = deskRow(dash, 'خبر محظور حتى موعده').and(dash.locator('[data-status="embargoed"]'));
    await embargoed.waitFor();
    expect(await embargoed.locator('.desk-meta').textContent()).toContain('Embargoed until');
    await deskRow(dash, 'خبر بعد التصحيح').and(dash.locator('[data-status="corrected"][data-version="2"]')).waitFor();
    expect(await dash.locator('#desk-list > li').count()).toBe(4);

    const visible = async () => (await dash.locator('#desk-list .desk-headline').allTextContents()).sort();
    await dash.locator('#filter-channel').selectOption(b);
    expect(await visible()).toEqual(['خبر بعد التصحيح', 'خبر محظور حتى موعده'].sort());
    await dash.locator('#filter-channel').selectOption('');
    await dash.locator('#filter-urgency').selectOption('flash');
    expect(await visible()).toEqual(['خبر من نظام التحرير']);
    await dash.locator('#filter-urgency').selectOption('');
    await dash.locator('#filter-status').selectOption('held');
    expect(await visible()).toEqual(['خبر محتجز']);
    await dash.locator('#filter-status').selectOption('corrected');
    expect(await visible()).toEqual(['خبر بعد التصحيح']);
    await dash.locator('#filter-status').selectOption('retracted');
    await dash.locator('#desk-empty').waitFor();
  });

  it('lists a headline’s versions from the server with their notes, including those before the desk opened', async () => {
    const channel = freshChannel('ar');
    const doc = await publish(channel, { headline: 'الإصدار الأول' });
    const change = async (path: string, method: string, body: unknown) => {
      const res = await server.api(`/api/v1/headlines/${doc.uri}${path}`, { method, body: JSON.stringify(body) });
      expect(res.status).toBe(200);
    };
    await change('', 'PATCH', { headline: 'الإصدار الثاني', edNote: 'صياغة أوضح' });
    await change('/hold', 'POST', { reason: 'تحقق' });
    // Corrected while held: readers never saw it, so the channel's public log has no event of it.
    await change('', 'PATCH', { headline: 'الإصدار الثالث', edNote: 'تصحيح أثناء الاحتجاز' });
    await change('/release', 'POST', {});
    const dash = await openDashboard(await chromium.page(), server.url, AR_KEY, [channel]);
    const row = deskRow(dash, 'الإصدار الثالث');
    await row.and(dash.locator('[data-version="5"]')).waitFor();
    const read = dash.waitForResponse((r) => new URL(r.url()).pathname === `/api/v1/headlines/${doc.uri}/versions`);
    await row.locator('summary').press('Enter');
    expect((await read).status()).toBe(200);
    await row.locator('.versions li[data-version="5"]').waitFor(); // visible: the list stays open across re-renders
    const entries = row.locator('.versions li');
    await expect.poll(() => entries.count()).toBe(5);
    expect(await entries.evaluateAll((lis) => lis.map((li) => `${li.dataset.version} ${li.dataset.event} ${li.dataset.status}`)))
      .toEqual(['5 released corrected', '4 corrected held', '3 withheld held', '2 corrected corrected', '1 published live']);
    const version = (n: number) => row.locator(`.versions li[data-version="${n}"]`);
    expect(await version(1).locator('.text').textContent()).toBe('الإصدار الأول');
    expect(await version(4).locator('.text').textContent()).toBe('الإصدار الثالث');
    // Each note and reason shows on the version that set it, not on the later ones carrying it.
    const notes = async (n: number) => version(n).locator('.desk-notes').allTextContents();
    expect(await notes(1)).toEqual([]);
    expect(await notes(2)).toEqual([' — Note: صياغة أوضح']);
    expect(await notes(3)).toEqual([' — Reason: تحقق']);
    expect(await notes(4)).toEqual([' — Note: تصحيح أثناء الاحتجاز']);
    expect(await notes(5)).toEqual([]);
  });

  it('changes the expiry of a headline', async () => {
    const channel = freshChannel('ar');
    const dash = await openDashboard(await chromium.page(), server.url, AR_KEY, [channel]);
    const doc = await publish(channel, { headline: 'خبر تتغير مدة صلاحيته', edNote: 'من المراسل' });
    const row = deskRow(dash, 'خبر تتغير مدة صلاحيته');
    await row.locator('button[data-action="expiry"]').click();
    await dash.locator('#expiry-dialog[open]').waitFor();
    await dash.locator('input[name="new-expiry"][value="15m"]').check();
    const before = Date.now();
    await dash.locator('#expiry-confirm').click();
    // A new expiry is a new version, not a correction, and leaves the edNote alone.
    await row.and(dash.locator('[data-version="2"][data-status="live"]')).waitFor();
    expect(await row.locator('.expires').count()).toBe(1);
    await row.locator('summary').click();
    await row.locator('.versions li[data-version="2"][data-event="expiry"][data-status="live"]').waitFor();
    expect(await row.locator('.versions li[data-version="2"] .event').textContent()).toBe('expiry changed');
    expect(await row.locator('.versions li[data-version="2"] .desk-notes').count()).toBe(0);
    expect(await row.locator('.versions li[data-version="1"] .desk-notes').textContent()).toBe(' — Note: من المراسل');
    const [after] = await deskDocs(server.url, channel);
    expect(after).toMatchObject({ uri: doc.uri, corrected: false, edNote: 'من المراسل' });
    const expires = Date.parse(after?.expires ?? '');
    expect(expires).toBeGreaterThanOrEqual(before + 15 * 60_000 - 1000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 15 * 60_000 + 1000);
  });

  it('publishes under embargo from the composer', async () => {
    const channel = freshChannel('ar');
    const dash = await openDashboard(await chromium.page(), server.url, ADMIN_KEY, [channel]);
    await compose(dash, { headline: 'Embargoed until tomorrow' });
    const tomorrow = new Date(Date.now() + 24 * 3600_000);
    const pad = (n: number) => String(n).padStart(2, '0');
    const local = `${tomorrow.getFullYear()}-${pad(tomorrow.getMonth() + 1)}-${pad(tomorrow.getDate())}T${pad(tomorrow.getHours())}:${pad(tomorrow.getMinutes())}`;
    await dash.locator('#f-embargo').fill(local);
    await dash.locator('#publish').click();
    await deskRow(dash, 'Embargoed until tomorrow').and(dash.locator('[data-status="embargoed"]')).waitFor();
    expect(await dash.locator('#compose-status').textContent()).toContain('Saved under embargo');
    const [doc] = await deskDocs(server.url, channel);
    expect(Math.abs(Date.parse(doc?.embargoedUntil ?? '') - tomorrow.getTime())).toBeLessThan(60_000);
    // Expiry counts from the embargo's end (6 h by default).
    expect(Date.parse(doc?.expires ?? '') - Date.parse(doc?.embargoedUntil ?? '')).toBe(6 * 3600_000);
  });

  it('says so next to the correction when someone else changed the headline meanwhile', async () => {
    const channel = freshChannel('ar');
    const dash = await openDashboard(await chromium.page(), server.url, AR_KEY, [channel]);
    const doc = await publish(channel, { headline: 'نص أول' });
    await deskRow(dash, 'نص أول').locator('button[data-action="correct"]').click();
    await dash.locator('#f-headline').fill('نص من المحرر الأول');
    await dash.locator('#f-note').fill('تصحيح أول');
    const res = await server.api(`/api/v1/headlines/${doc.uri}`, { method: 'PATCH', body: JSON.stringify({ headline: 'نص من محرر آخر', edNote: 'سبقه' }) });
    expect(res.status).toBe(200);
    await deskRow(dash, 'نص من محرر آخر').waitFor();
    await dash.locator('#publish').click();
    await expect.poll(() => dash.locator('#compose-error').textContent()).toContain('Someone changed this headline meanwhile');
    expect((await deskDocs(server.url, channel))[0]).toMatchObject({ headline: 'نص من محرر آخر', version: 2 });
  });
});
