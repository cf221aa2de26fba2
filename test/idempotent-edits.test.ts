/**
 * Every state-changing call honours an Idempotency-Key, so a client that got OUTCOME_UNKNOWN (or
 * lost the answer) resends the same request with the same key and the change happens once: the
 * resend answers what the first send did, before If-Match or the headline's new state refuse it.
 */
import { describe, expect, it } from 'vitest';
import { ENGINES, useServer } from './helpers/app.js';

describe.each(ENGINES)('idempotent edits on the %s engine', (kind) => {
  const server = useServer(kind);

  const send = (path: string, method: string, body: unknown, headers: Record<string, string>) =>
    server.api(path, { method, body: JSON.stringify(body), headers });

  it('a resent correction, hold, release and retract each apply once and answer as the first time', async () => {
    const channel = server.channel();
    const uri = (await (await server.publish(channel, { headline: 'Bridge closed' })).json()).data.headline.uri;
    const steps: [string, string, unknown, Record<string, string>][] = [
      [`/api/v1/headlines/${uri}`, 'PATCH', { headline: 'Bridge closed for repairs', edNote: 'detail' }, { 'if-match': '"1"' }],
      [`/api/v1/headlines/${uri}/hold`, 'POST', { reason: 'check' }, {}],
      [`/api/v1/headlines/${uri}/release`, 'POST', {}, {}],
      [`/api/v1/headlines/${uri}/retract`, 'POST', { reason: 'wrong bridge' }, {}],
    ];
    for (const [i, [path, method, body, headers]] of steps.entries()) {
      const key = `edit-${uri}-${i}`;
      const first = await send(path, method, body, { ...headers, 'idempotency-key': key });
      expect(first.status).toBe(200);
      const again = await send(path, method, body, { ...headers, 'idempotency-key': key });
      expect(again.status).toBe(200);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect((await again.json()).data.headline).toEqual((await first.json()).data.headline);
    }
    const versions = (await (await server.api(`/api/v1/headlines/${uri}/versions`)).json()).data.versions;
    expect(versions.map((v: { version: number; status: string }) => [v.version, v.status])).toEqual([[1, 'live'], [2, 'live'], [3, 'held'], [4, 'live'], [5, 'retracted']]);
    const events = (await (await server.api(`/api/v1/channels/${channel}/events`, { key: '' })).json()).data.events;
    expect(events.map((e: { type: string }) => e.type)).toEqual(['published', 'corrected', 'withheld', 'released', 'retracted']);
  });

  it('the same key for a different change is refused with 422', async () => {
    const channel = server.channel();
    const uri = (await (await server.publish(channel, { headline: 'Port reopens' })).json()).data.headline.uri;
    expect((await send(`/api/v1/headlines/${uri}/hold`, 'POST', { reason: 'a' }, { 'idempotency-key': 'same' })).status).toBe(200);
    const other = await send(`/api/v1/headlines/${uri}/retract`, 'POST', { reason: 'b' }, { 'idempotency-key': 'same' });
    expect(other.status).toBe(422);
    expect((await other.json()).code).toBe('IDEMPOTENCY_KEY_REUSED');
  });
});
