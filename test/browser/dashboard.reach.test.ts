/**
 * Reach across processes: the dashboard on one server process and a <news-ticker> page on
 * another, both on one Redis. The dashboard's reader count rises when the widget page opens and
 * falls when it closes; a headline published meanwhile records the readers it reached.
 */
import { describe, expect, it } from 'vitest';
import { AR_KEY } from '../helpers/app.js';
import { compose, deskRow, freshChannel, openDashboard, openWidget, useChromium, useCluster } from '../helpers/dashboard.js';

describe('dashboard: readers over two processes sharing Redis', () => {
  const cluster = useCluster(2);
  const chromium = useChromium();

  it('counts a widget on another process, live, and records reach per headline', async () => {
    const [deskUrl, widgetUrl] = cluster.urls as [string, string];
    const channel = freshChannel('ar');
    const dash = await openDashboard(await chromium.page(), deskUrl, AR_KEY, [channel]);
    const count = dash.locator(`#channel-list [data-channel="${channel}"] .count`);
    expect(await count.getAttribute('data-count')).toBe('0');

    const readerPage = await chromium.page();
    await openWidget(readerPage, widgetUrl, [channel]);
    // Reader counts are reported by each process every ~2 s: wait on the DOM, with a deadline.
    await dash.locator(`#channel-list [data-channel="${channel}"] .count[data-count="1"]`).waitFor({ timeout: 15_000 });
    expect(await count.textContent()).toBe('Readers now: 1');

    await compose(dash, { headline: 'خبر يصل إلى قارئ واحد' });
    await dash.locator('#publish').click();
    const row = deskRow(dash, 'خبر يصل إلى قارئ واحد');
    await row.locator('.reach[data-reach="1"]').waitFor();
    await readerPage.locator('news-ticker li', { hasText: 'خبر يصل إلى قارئ واحد' }).waitFor();

    await readerPage.close();
    await dash.locator(`#channel-list [data-channel="${channel}"] .count[data-count="0"]`).waitFor({ timeout: 15_000 });
  });
});
