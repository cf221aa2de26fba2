/**
 * The role matrix: each role (reporter, editor, admin, and a legacy publish:GLOB key) × each
 * action × a channel in and out of its scope, on both engines. Refusals are 403 problem+json
 * with a stable code: FORBIDDEN (channel out of scope) or ROLE_FORBIDS (the role does not allow it).
 */
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { AR_KEY, ENGINES, apiClient, useServer } from './helpers/app.js';
import { createPerson } from './helpers/people.js';

type Who = 'reporter' | 'editor' | 'admin' | 'legacy';
type Action =
  | 'publish-routine' | 'publish-urgent' | 'publish-bulletin' | 'publish-flash'
  | 'correct-own' | 'correct-own-to-flash' | 'correct-other' | 'expires-other' | 'hold' | 'release' | 'retract'
  | 'people-list' | 'people-create' | 'read-desk' | 'read-audit' | 'publish-ninjs';
type Outcome = number | 'FORBIDDEN' | 'ROLE_FORBIDS';

const ACTIONS: Action[] = [
  'publish-routine', 'publish-urgent', 'publish-bulletin', 'publish-flash', 'correct-own', 'correct-own-to-flash',
  'correct-other', 'expires-other', 'hold', 'release', 'retract', 'people-list', 'people-create', 'read-desk', 'read-audit', 'publish-ninjs',
];

/** What each role gets in scope; out of scope every channel action is FORBIDDEN except for admin. */
const IN_SCOPE: Record<Who, Record<Action, Outcome>> = {
  reporter: {
    'publish-routine': 201, 'publish-urgent': 201, 'publish-bulletin': 'ROLE_FORBIDS', 'publish-flash': 'ROLE_FORBIDS',
    'correct-own': 200, 'correct-own-to-flash': 'ROLE_FORBIDS', 'correct-other': 'ROLE_FORBIDS', 'expires-other': 'ROLE_FORBIDS',
    hold: 'ROLE_FORBIDS', release: 'ROLE_FORBIDS', retract: 'ROLE_FORBIDS',
    'people-list': 'ROLE_FORBIDS', 'people-create': 'ROLE_FORBIDS', 'read-desk': 200, 'read-audit': 200,
    // A ninjs document may correct, hold or kill by uri+version: only roles that may kill send one.
    'publish-ninjs': 'ROLE_FORBIDS',
  },
  editor: {
    'publish-routine': 201, 'publish-urgent': 201, 'publish-bulletin': 201, 'publish-flash': 201,
    'correct-own': 200, 'correct-own-to-flash': 200, 'correct-other': 200, 'expires-other': 200,
    hold: 200, release: 200, retract: 200, 'people-list': 'ROLE_FORBIDS', 'people-create': 'ROLE_FORBIDS', 'read-desk': 200, 'read-audit': 200, 'publish-ninjs': 201,
  },
  admin: {
    'publish-routine': 201, 'publish-urgent': 201, 'publish-bulletin': 201, 'publish-flash': 201,
    'correct-own': 200, 'correct-own-to-flash': 200, 'correct-other': 200, 'expires-other': 200,
    hold: 200, release: 200, retract: 200, 'people-list': 200, 'people-create': 201, 'read-desk': 200, 'read-audit': 200, 'publish-ninjs': 201,
  },
  legacy: {
    'publish-routine': 201, 'publish-urgent': 201, 'publish-bulletin': 201, 'publish-flash': 201,
    'correct-own': 200, 'correct-own-to-flash': 200, 'correct-other': 200, 'expires-other': 200,
    hold: 200, release: 200, retract: 200, 'people-list': 'ROLE_FORBIDS', 'people-create': 'ROLE_FORBIDS', 'read-desk': 200, 'read-audit': 200, 'publish-ninjs': 201,
  },
};

function expected(who: Who, action: Action, inScope: boolean): Outcome {
  if (inScope || who === 'admin' || action.startsWith('people-')) return IN_SCOPE[who][action];
  return 'FORBIDDEN';
}

describe.each(ENGINES)('roles (%s engine)', (kind) => {
  const server = useServer(kind);
  const tag = randomBytes(3).toString('hex');
  // Channels "ar-…" so the legacy key (publish:ar-*) has the same scope as the people.
  const inChannel = `ar-${tag}-in`;
  const outChannel = `en-${tag}-out`;
  const keys = {} as Record<Who, string>;

  beforeAll(async () => {
    keys.admin = (await createPerson(server.url, { name: `admin-${tag}`, role: 'admin' })).key;
    keys.editor = (await createPerson(server.url, { name: `editor-${tag}`, role: 'editor', channels: [`ar-${tag}-*`] })).key;
    keys.reporter = (await createPerson(server.url, { name: `reporter-${tag}`, role: 'reporter', channels: [`ar-${tag}-*`] })).key;
    keys.legacy = AR_KEY;
  });

  /** A headline on `channel` published by `key` (the configured admin by default), optionally held. */
  async function headline(channel: string, opts: { key?: string; held?: boolean } = {}): Promise<string> {
    const res = await server.publish(channel, { headline: `Item ${randomBytes(3).toString('hex')}`, urgency: 'urgent', ...(opts.held ? { pubStatus: 'withheld' } : {}) },
      opts.key ? { authorization: `Bearer ${opts.key}` } : {});
    expect(res.status).toBe(201);
    return ((await res.json()) as { data: { headline: { uri: string } } }).data.headline.uri;
  }

  async function perform(who: Who, action: Action, channel: string): Promise<Response> {
    const api = apiClient(server.url);
    const key = keys[who];
    const post = (path: string, body: unknown, method = 'POST') => api(path, { method, key, body: JSON.stringify(body) });
    const urgency = { 'publish-routine': 'routine', 'publish-urgent': 'urgent', 'publish-bulletin': 'bulletin', 'publish-flash': 'flash' } as Record<string, string>;
    switch (action) {
      case 'publish-routine': case 'publish-urgent': case 'publish-bulletin': case 'publish-flash':
        return post(`/api/v1/channels/${channel}/headlines`, { headline: 'Matrix item', urgency: urgency[action] });
      case 'correct-own': case 'correct-own-to-flash': {
        // "Own": published by this key where it may publish; elsewhere by the admin.
        const mayPublish = who === 'admin' || channel === inChannel;
        const uri = await headline(channel, mayPublish ? { key } : {});
        return post(`/api/v1/headlines/${uri}`, { headline: 'Matrix item, corrected', edNote: 'fix', ...(action === 'correct-own-to-flash' ? { urgency: 'flash' } : {}) }, 'PATCH');
      }
      case 'correct-other':
        return post(`/api/v1/headlines/${await headline(channel)}`, { headline: 'Corrected by another', edNote: 'fix' }, 'PATCH');
      case 'expires-other':
        return post(`/api/v1/headlines/${await headline(channel)}/expires`, { expires: new Date(Date.now() + 3600_000).toISOString() }, 'PUT');
      case 'hold':
        return post(`/api/v1/headlines/${await headline(channel)}/hold`, { reason: 'checking' });
      case 'release':
        return post(`/api/v1/headlines/${await headline(channel, { held: true })}/release`, {});
      case 'retract':
        return post(`/api/v1/headlines/${await headline(channel)}/retract`, { reason: 'wrong' });
      case 'people-list':
        return api('/api/v1/people', { key });
      case 'people-create':
        return post('/api/v1/people', { name: `p-${randomBytes(4).toString('hex')}`, role: 'reporter', channels: ['x-*'] });
      case 'read-desk':
        return api(`/api/v1/channels/${channel}/desk`, { key });
      case 'read-audit':
        return api(`/api/v1/headlines/${await headline(channel)}/audit`, { key });
      case 'publish-ninjs':
        return api(`/api/v1/channels/${channel}/headlines`, {
          method: 'POST', key, headers: { 'content-type': 'application/ninjs+json' },
          body: JSON.stringify({ uri: `https://cms.example.com/items/${randomBytes(4).toString('hex')}`, version: '1', type: 'text', language: 'en', urgency: 5, headlines: [{ value: 'Matrix item from a CMS', role: 'main' }] }),
        });
    }
  }

  const cases = (['reporter', 'editor', 'admin', 'legacy'] as Who[]).flatMap((who) =>
    ACTIONS.flatMap((action) => [true, false].map((inScope) => ({ who, action, inScope, outcome: expected(who, action, inScope) }))));

  it.each(cases)('$who × $action × in scope: $inScope → $outcome', async ({ who, action, inScope, outcome }) => {
    const res = await perform(who, action, inScope ? inChannel : outChannel);
    if (typeof outcome === 'number') {
      expect(res.status, await res.clone().text()).toBe(outcome);
      return;
    }
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await res.json()) as { code: string; status: number; type: string };
    expect(problem).toMatchObject({ code: outcome, status: 403 });
    expect(problem.type).toMatch(outcome === 'FORBIDDEN' ? /forbidden$/ : /role-forbids$/);
  });

  it('a reporter sees and publishes only in its channels; the refusal names no key', async () => {
    const res = await apiClient(server.url)('/api/v1/me', { key: keys.reporter });
    const me = ((await res.json()) as { data: { name: string; role: string; scopes: string[] } }).data;
    expect(me).toMatchObject({ name: `reporter-${tag}`, role: 'reporter', scopes: [`publish:ar-${tag}-*`] });
    const refused = await (await perform('reporter', 'publish-flash', inChannel)).text();
    expect(refused).not.toContain(keys.reporter);
  });

  it('people: names are unique, keys are shown once and never listed', async () => {
    const name = `dup-${tag}`;
    const issued = await createPerson(server.url, { name, role: 'reporter', channels: ['x-*'] });
    expect(issued.key).toMatch(/^ntk_[A-Za-z0-9_-]{43}$/);
    const again = await apiClient(server.url)('/api/v1/people', { method: 'POST', body: JSON.stringify({ name, role: 'editor', channels: ['y'] }) });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { code: string }).code).toBe('PERSON_NAME_TAKEN');
    const taken = await apiClient(server.url)('/api/v1/people', { method: 'POST', body: JSON.stringify({ name: 'ar-desk', role: 'editor', channels: ['y'] }) });
    expect(taken.status).toBe(409);
    const list = await (await apiClient(server.url)('/api/v1/people')).text();
    expect(list).toContain(name);
    expect(list).not.toContain(issued.key);
    expect(list).not.toContain('keyDigest');
    const bad = await apiClient(server.url)('/api/v1/people', { method: 'POST', body: JSON.stringify({ name: 'x', role: 'editor', channels: [] }) });
    expect(bad.status).toBe(400);
  });
});
