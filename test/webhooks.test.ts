/** Webhooks out: Standard Webhooks signatures, retries with the same id, a delivery log, never in the way of fan-out. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AR_KEY, ENGINES, useServer } from './helpers/app.js';
import { waitFor } from './helpers/feed-server.js';
import { Reader } from './helpers/reader.js';

const SEED = 'إعلام سوري: الطيران الإسرائيلي يستهدف مطار حماة العسكري بـ 3 غارات';

interface Received { path: string; headers: Record<string, string>; body: string }
interface Attempt { deliveryId: string; eventType: string; attempt: number; ok: boolean; status: number; error?: string; nextAttemptAt?: string }

function useReceiver() {
  const received: Received[] = [];
  const hanging: ServerResponse[] = [];
  const failuresLeft = new Map<string, number>();
  const state = { url: '' };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, headers: req.headers as Record<string, string>, body });
      if (path.startsWith('/hang')) return void hanging.push(res);
      const left = failuresLeft.get(path) ?? 0;
      if (left > 0) {
        failuresLeft.set(path, left - 1);
        return void res.writeHead(500).end('busy');
      }
      res.writeHead(204).end();
    });
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const res of hanging) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { received, failuresLeft, get url() { return state.url; } };
}

describe.each(ENGINES)('webhooks on the %s engine', (kind) => {
  const server = useServer(kind, { webhookRetryMs: [50, 100, 150], webhookTimeoutMs: 4_000 });
  const receiver = useReceiver();
  const register = async (body: Record<string, unknown>) => {
    await server.api('/api/v1/settings/feeds', { method: 'PUT', body: JSON.stringify({ allowPrivateAddresses: true }) });
    const res = await server.api('/api/v1/webhooks', { method: 'POST', body: JSON.stringify(body) });
    expect(res.status).toBe(201);
    return (await res.json()).data as { id: string; secret: string };
  };
  const deliveries = async (id: string) => (await (await server.api(`/api/v1/webhooks/${id}/deliveries`)).json()).data.deliveries as Attempt[];

  it('delivers the chosen event types, signed so the Standard Webhooks library verifies them', async () => {
    const channel = server.channel('ar');
    const hook = await register({ channel, url: `${receiver.url}/ok-${channel}`, events: ['published', 'retracted'] });
    expect(hook.secret).toMatch(/^whsec_/);
    const uri = (await (await server.publish(channel, { headline: SEED, urgency: 'flash' })).json()).data.headline.uri;
    await server.api(`/api/v1/headlines/${uri}`, { method: 'PATCH', body: JSON.stringify({ headline: 'x y', edNote: 'n' }) });
    await server.api(`/api/v1/headlines/${uri}/retract`, { method: 'POST', body: JSON.stringify({ reason: 'wrong' }) });
    const mine = () => receiver.received.filter((r) => r.path === `/ok-${channel}`);
    await waitFor(async () => (mine().length >= 2 && (await deliveries(hook.id)).length >= 2 ? true : undefined), 'two deliveries');
    const verifier = new Webhook(hook.secret);
    const payloads = mine().map((r) => verifier.verify(r.body, r.headers) as { type: string; data: { event: { type: string; headline?: { headline: string } } } });
    expect(payloads.map((p) => p.type).sort()).toEqual(['headline.published', 'headline.retracted']);
    expect(payloads.find((p) => p.type === 'headline.published')!.data.event.headline!.headline).toBe(SEED);
    expect(() => new Webhook(`whsec_${Buffer.from('another key, 24 bytes!!!').toString('base64')}`).verify(mine()[0]!.body, mine()[0]!.headers)).toThrow();
    expect(new Set(mine().map((r) => r.headers['webhook-id'])).size).toBe(2);
    const log = await deliveries(hook.id);
    expect(log.map((d) => [d.ok, d.status, d.attempt])).toEqual([[true, 204, 1], [true, 204, 1]]);
    const list = (await (await server.api('/api/v1/webhooks')).json()).data.webhooks;
    expect(list.find((w: { id: string }) => w.id === hook.id)).not.toHaveProperty('secret');
  });

  it('retries a failing endpoint with backoff and the same webhook-id, and logs every attempt', async () => {
    const channel = server.channel('ar');
    const path = `/flaky-${channel}`;
    receiver.failuresLeft.set(path, 2);
    const hook = await register({ channel, url: receiver.url + path });
    await server.publish(channel, { headline: 'retry me' });
    await waitFor(async () => ((await deliveries(hook.id)).some((d) => d.ok) ? true : undefined), 'a successful attempt');
    const attempts = receiver.received.filter((r) => r.path === path);
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts.map((r) => r.headers['webhook-id'])).size).toBe(1);
    const log = (await deliveries(hook.id)).reverse();
    expect(log.map((d) => [d.attempt, d.ok, d.status])).toEqual([[1, false, 500], [2, false, 500], [3, true, 204]]);
    expect(log[0]!.nextAttemptAt).toBeDefined();
    expect(log[2]!.nextAttemptAt).toBeUndefined();
  });

  it('never delays fan-out: readers get the headline while the endpoint hangs', async () => {
    const channel = server.channel('ar');
    const hook = await register({ channel, url: `${receiver.url}/hang-${channel}` });
    const reader = new Reader(server.url, [channel]);
    try {
      await reader.subscribe();
      const res = await server.publish(channel, { headline: 'fast to readers' });
      expect(res.status).toBe(201);
      await reader.waitFor(() => reader.liveOf(channel).length === 1, 'the headline on the reader');
      await waitFor(async () => (receiver.received.some((r) => r.path === `/hang-${channel}`) ? true : undefined), 'the webhook attempt to start');
      // The attempt is still open (it can only end by the 4 s timeout), and readers already have it.
      expect(await deliveries(hook.id)).toEqual([]);
    } finally {
      reader.disconnect();
    }
  });

  it('is for admins only; bad input is refused and registers nothing', async () => {
    const before = (await (await server.api('/api/v1/webhooks')).json()).data.webhooks.length;
    expect((await server.api('/api/v1/webhooks', { method: 'POST', key: AR_KEY, body: JSON.stringify({ channel: 'ar-x', url: 'https://example.com/h' }) })).status).toBe(403);
    for (const body of [{ channel: 'ar-x', url: 'ftp://example.com/h' }, { channel: 'ar-x', url: 'https://example.com/h', events: ['exploded'] }, { channel: 'AR', url: 'https://example.com/h' }]) {
      const res = await server.api('/api/v1/webhooks', { method: 'POST', body: JSON.stringify(body) });
      expect([res.status, (await res.json()).code]).toEqual([400, 'VALIDATION_FAILED']);
    }
    expect((await (await server.api('/api/v1/webhooks')).json()).data.webhooks.length).toBe(before);
    const missing = await server.api('/api/v1/webhooks/wh_nope/deliveries');
    expect([missing.status, (await missing.json()).code]).toEqual([404, 'WEBHOOK_NOT_FOUND']);
  });
});
