/**
 * Unknown outcomes in the dashboard: when the server answers OUTCOME_UNKNOWN (the store took the
 * change and did not answer), the dashboard resends the same change with the same
 * Idempotency-Key, gets what the first send did, and shows the result, not an error. The change
 * happens once.
 */
import { describe, expect, it } from 'vitest';
import { AR_KEY, useServer } from '../helpers/app.js';
import { deskDocs, deskRow, freshChannel, openDashboard, useChromium, watchErrors } from '../helpers/dashboard.js';

const UNKNOWN = {
  type: 'https://news-ticker.dev/problems/outcome-unknown', title: 'The store did not answer', status: 503, code: 'OUTCOME_UNKNOWN',
};

describe('dashboard: a change whose outcome is unknown', () => {
  const server = useServer('memory');
  const chromium = useChromium();

  it('a hold and a retract answered OUTCOME_UNKNOWN are resent with the same key and applied once', async () => {
    const channel = freshChannel('ar');
    const published = await server.publish(channel, { headline: 'خبر يُعلّق ثم يُسحب' }, { authorization: `Bearer ${AR_KEY}` });
    const uri = (await published.json()).data.headline.uri as string;
    const dash = await openDashboard(await chromium.page(), server.url, AR_KEY, [channel]);
    const errors = watchErrors(dash);
    const seen: { action: string; key: string; status: number; replayed: string | undefined }[] = [];
    await dash.route(`**/api/v1/headlines/${uri}/*`, async (route) => {
      const action = new URL(route.request().url()).pathname.split('/').pop()!;
      const res = await route.fetch(); // the server applies (first) or replays (resend) the change…
      const first = !seen.some((s) => s.action === action);
      seen.push({ action, key: route.request().headers()['idempotency-key'] ?? '', status: res.status(), replayed: res.headers()['idempotent-replayed'] });
      // …and the first answer of each action is lost: the dashboard is told the outcome is unknown.
      if (first) return route.fulfill({ status: 503, contentType: 'application/problem+json', body: JSON.stringify(UNKNOWN) });
      return route.fulfill({ response: res });
    });
    const row = deskRow(dash, 'خبر يُعلّق ثم يُسحب');
    await row.locator('button[data-action="hold"]').click();
    await dash.locator('#reason-dialog[open]').waitFor();
    await dash.locator('#reason-confirm').click();
    await row.and(dash.locator('[data-status="held"]')).waitFor();
    await expect.poll(() => seen.length).toBe(2); // the resend came back
    await dash.locator('#reason-dialog[open]').waitFor({ state: 'detached' });
    await row.locator('button[data-action="retract"]').click();
    await dash.locator('#reason-dialog[open]').waitFor();
    await dash.locator('#reason-input').fill('خبر غير مؤكد');
    await dash.locator('#reason-confirm').click();
    await row.and(dash.locator('[data-status="retracted"]')).waitFor();
    await expect.poll(() => seen.length).toBe(4);
    expect(seen.map((s) => [s.action, s.status, s.replayed])).toEqual([
      ['hold', 200, undefined], ['hold', 200, 'true'], ['retract', 200, undefined], ['retract', 200, 'true'],
    ]);
    expect(seen[0]!.key).toBe(seen[1]!.key);
    expect(seen[2]!.key).toBe(seen[3]!.key);
    expect(seen[0]!.key).not.toBe(seen[2]!.key);
    expect((await deskDocs(server.url, channel))[0]).toMatchObject({ status: 'retracted', version: 3 });
    expect(await row.locator('.error:not([hidden])').count()).toBe(0);
    expect(errors.filter((e) => !/503|Failed to load resource/.test(e))).toEqual([]);
  });
});
