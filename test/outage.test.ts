/**
 * Redis down, for everything beside headlines: people and keys, webhooks, feeds and the audit
 * trail answer 503 ENGINE_UNAVAILABLE (problem+json, "not applied"), never a bare 500, and the
 * process keeps serving; once Redis is back they answer again.
 */
import { describe, expect, it } from 'vitest';
import { useServer } from './helpers/app.js';

describe('admin surfaces while Redis is down', () => {
  const server = useServer('redis');

  const calls: [string, string, unknown?][] = [
    ['GET', '/api/v1/people'],
    ['POST', '/api/v1/people', { name: 'Outage Reporter', role: 'reporter', channels: ['ar-*'] }],
    ['GET', '/api/v1/webhooks'],
    ['POST', '/api/v1/webhooks', { url: 'https://hooks.example.com/ticker', channel: 'ar-breaking', events: ['published'] }],
    ['GET', '/api/v1/feeds'],
    ['POST', '/api/v1/feeds', { url: 'https://wire.example.com/rss.xml', channel: 'ar-breaking' }],
    ['GET', '/api/v1/channels/ar-breaking/audit'],
    ['GET', '/api/v1/settings/feeds'],
  ];
  const send = ([method, path, body]: (typeof calls)[number]) =>
    server.api(path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

  it('answers 503 ENGINE_UNAVAILABLE on every call, keeps serving, and recovers', async () => {
    // Each call works while Redis is up (the bodies are valid), so a 503 below is the outage's.
    for (const call of calls) expect((await send(call)).status, `${call[0]} ${call[1]} with Redis up`).toBeLessThan(300);

    await server.redis!.kill();
    await expect.poll(async () => (await fetch(`${server.url}/readyz`)).status, { timeout: 10_000 }).toBe(503);
    for (const call of calls) {
      const res = await send(call);
      expect(res.status, `${call[0]} ${call[1]}`).toBe(503);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect((await res.json()).code, `${call[0]} ${call[1]}`).toBe('ENGINE_UNAVAILABLE');
    }
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

    await server.redis!.start();
    await expect.poll(async () => (await fetch(`${server.url}/readyz`)).status, { timeout: 15_000 }).toBe(200);
    expect((await send(calls[0]!)).status).toBe(200);
    expect((await send(calls[2]!)).status).toBe(200);
  });
});
