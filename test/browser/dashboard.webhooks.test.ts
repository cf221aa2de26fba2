/**
 * The dashboard's Webhooks panel (admins only): a webhook registered through the API is listed
 * (channel, event types, URL, never the secret) with its delivery log after a refresh: a failed
 * attempt (HTTP 500) and the delivered retry (204) of the same webhook-id. An editor sees no panel.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, AR_KEY, useServer } from '../helpers/app.js';
import { freshChannel, openDashboard, useChromium } from '../helpers/dashboard.js';
import { axeViolations } from '../helpers/axe.js';
import { waitFor } from '../helpers/feed-server.js';

/** A receiver on 127.0.0.1 that answers 500 to its first request, then 204. */
function useFlakyReceiver() {
  const state = { url: '', received: [] as string[] };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      state.received.push(String(req.headers['webhook-id']));
      res.writeHead(state.received.length === 1 ? 500 : 204).end();
    });
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return state;
}

describe('dashboard: webhooks and their delivery log', () => {
  const server = useServer('memory', { webhookRetryMs: [50, 100, 150], webhookTimeoutMs: 4_000 });
  const receiver = useFlakyReceiver();
  const chromium = useChromium();

  it('an admin sees the webhook and, after refresh, a failed attempt and the delivered retry; an editor sees no panel', async () => {
    const channel = freshChannel('ar');
    expect((await server.api('/api/v1/settings/feeds', { method: 'PUT', body: JSON.stringify({ allowPrivateAddresses: true }) })).status).toBe(200);
    const res = await server.api('/api/v1/webhooks', { method: 'POST', body: JSON.stringify({ channel, url: receiver.url, events: ['published', 'retracted'] }) });
    expect(res.status).toBe(201);
    const hook = (await res.json()).data as { id: string; secret: string };

    const admin = await chromium.page();
    // Page and console errors; Chromium's own request for /favicon.ico (the app has none) is not ours.
    const errors: string[] = [];
    admin.on('pageerror', (err) => errors.push(err.message));
    admin.on('console', (msg) => {
      if (msg.type() === 'error' && !msg.location().url.endsWith('/favicon.ico')) errors.push(`${msg.text()} ${msg.location().url}`);
    });
    await openDashboard(admin, server.url, ADMIN_KEY, [channel]);
    const item = admin.locator(`#webhooks-list > li[data-webhook="${hook.id}"]`);
    await item.waitFor();
    expect(await item.locator('h3').textContent()).toBe(channel);
    expect(await item.locator('.url').textContent()).toBe(receiver.url);
    expect(await item.textContent()).toContain('Events: published and retracted');
    expect(await item.locator('.hint').textContent()).toBe('No deliveries yet.');
    expect(await admin.locator('#webhooks').textContent()).not.toContain(hook.secret);

    expect((await server.publish(channel, { headline: 'إعلام سوري: غارات على مطار حماة' })).status).toBe(201);
    // The server has logged the retry's success (the receiver answered 500, then 204).
    await waitFor(async () => {
      const log = (await (await server.api(`/api/v1/webhooks/${hook.id}/deliveries`)).json()).data.deliveries as { ok: boolean }[];
      return log.some((d) => d.ok) ? true : undefined;
    }, 'the delivered attempt in the log');
    await admin.locator('#webhooks-refresh').click();
    const rows = item.locator('table.webhook-log tbody tr');
    await rows.nth(1).waitFor();
    expect(await rows.count()).toBe(2);
    // Newest first: attempt 2 delivered (204), then attempt 1 failed (500), one delivery id for both.
    const cells = await rows.evaluateAll((trs) => trs.map((tr) => ({
      delivery: tr.getAttribute('data-delivery'),
      attempt: tr.getAttribute('data-attempt'),
      status: tr.getAttribute('data-status'),
      state: tr.getAttribute('data-state'),
      text: [...tr.querySelectorAll('td')].map((td) => td.textContent),
    })));
    expect(cells.map((c) => [c.attempt, c.status, c.state])).toEqual([['2', '204', 'delivered'], ['1', '500', 'failed']]);
    expect(cells[0]!.delivery).toBe(cells[1]!.delivery);
    expect(new Set(receiver.received)).toEqual(new Set([cells[0]!.delivery]));
    expect(cells[0]!.text.slice(1)).toEqual(['published', cells[0]!.delivery, '2', 'HTTP 204', 'Delivered']);
    expect(cells[1]!.text.slice(1)).toEqual(['published', cells[0]!.delivery, '1', 'HTTP 500', 'Failed']);
    expect(await admin.locator('#webhooks-status').textContent()).toMatch(/^Updated /);

    // Axe finds nothing with the log on the page; at 320 px the page does not scroll sideways (the log scrolls in its own box).
    const reflow = async () => {
      await admin.setViewportSize({ width: 320, height: 640 });
      const out = await admin.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
      await admin.setViewportSize({ width: 1400, height: 1000 });
      return out;
    };
    expect(await axeViolations(admin)).toEqual([]);
    expect(await reflow()).toEqual({ scrollWidth: 320, clientWidth: 320 });

    // In Arabic, the same log in Arabic words, and the same checks.
    await admin.locator('#lang-toggle').click();
    await admin.locator('html[dir="rtl"]').waitFor();
    expect(await admin.locator('#webhooks-title').textContent()).toBe('خطافات الويب');
    expect(await rows.first().locator('td[data-state="delivered"]').textContent()).toBe('سُلّم');
    expect(await admin.locator('#webhooks').textContent()).not.toContain(hook.secret);
    expect(await axeViolations(admin)).toEqual([]);
    expect(await reflow()).toEqual({ scrollWidth: 320, clientWidth: 320 });

    // An editor (not an admin) gets no panel; the API refuses them too.
    const editor = await chromium.page();
    await openDashboard(editor, server.url, AR_KEY, [channel]);
    expect(await editor.locator('#who-role').getAttribute('data-role')).not.toBe('admin');
    expect(await editor.locator('#webhooks').isHidden()).toBe(true);
    expect(await editor.locator('#webhooks-list > li').count()).toBe(0);
    expect((await server.api('/api/v1/webhooks', { key: AR_KEY })).status).toBe(403);
    expect(errors).toEqual([]);
  }, 60_000);
});
