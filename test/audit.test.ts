/**
 * The audit trail of a headline's whole life, on both engines: publish (reporter), correct
 * (reporter, own), hold, release, correct and kill (editor), each with who, what, when, from which
 * version to which and why; the channel trail; actors on desk documents and versions, never on
 * the public view; access needs a key of the channel.
 */
import { randomBytes } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry, ClientToServerEvents, DeskHeadline, ServerToClientEvents } from '../shared/index.js';
import { EN_KEY, ENGINES, apiClient, useServer } from './helpers/app.js';
import { createPerson } from './helpers/people.js';

describe.each(ENGINES)('audit trail (%s engine)', (kind) => {
  const server = useServer(kind);
  const tag = randomBytes(3).toString('hex');
  const channel = `ar-${tag}`;
  const names = { reporter: `Rana ${tag}`, editor: `Eli ${tag}` };
  const keys = { reporter: '', editor: '' };

  beforeAll(async () => {
    keys.reporter = (await createPerson(server.url, { name: names.reporter, role: 'reporter', channels: [channel] })).key;
    keys.editor = (await createPerson(server.url, { name: names.editor, role: 'editor', channels: ['ar-*'] })).key;
  });

  const call = async (key: string, method: string, path: string, body?: unknown): Promise<DeskHeadline> => {
    const res = await apiClient(server.url)(path, { method, key, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    expect(res.status, await res.clone().text()).toBeLessThan(300);
    return ((await res.json()) as { data: { headline: DeskHeadline } }).data.headline;
  };

  it('records every change of a headline, oldest first, with actor, versions and reasons', async () => {
    const published = await call(keys.reporter, 'POST', `/api/v1/channels/${channel}/headlines`, { headline: 'الطيران يستهدف مطار حماة بـ 3 غارات', urgency: 'urgent' });
    expect(published).toMatchObject({ actor: names.reporter, createdBy: names.reporter, version: 1 });
    const uri = published.uri;
    await call(keys.reporter, 'PATCH', `/api/v1/headlines/${uri}`, { headline: 'الطيران يستهدف مطار حماة العسكري بـ 3 غارات', edNote: 'added the airport' });
    await call(keys.editor, 'POST', `/api/v1/headlines/${uri}/hold`, { reason: 'legal check' });
    await call(keys.editor, 'POST', `/api/v1/headlines/${uri}/release`, {});
    await call(keys.editor, 'PATCH', `/api/v1/headlines/${uri}`, { urgency: 'flash', edNote: 'now flash' });
    const killed = await call(keys.editor, 'POST', `/api/v1/headlines/${uri}/retract`, { reason: 'source withdrew' });
    expect(killed).toMatchObject({ actor: names.editor, createdBy: names.reporter, status: 'retracted', version: 6 });

    const res = await apiClient(server.url)(`/api/v1/headlines/${uri}/audit`, { key: keys.reporter });
    expect(res.status).toBe(200);
    const { entries } = ((await res.json()) as { data: { entries: AuditEntry[] } }).data;
    expect(entries.map(({ actor, action, fromVersion, toVersion, status, reason }) => ({ actor, action, fromVersion, toVersion, status, reason }))).toEqual([
      { actor: names.reporter, action: 'published', fromVersion: null, toVersion: 1, status: 'live', reason: undefined },
      { actor: names.reporter, action: 'corrected', fromVersion: 1, toVersion: 2, status: 'live', reason: 'added the airport' },
      { actor: names.editor, action: 'held', fromVersion: 2, toVersion: 3, status: 'held', reason: 'legal check' },
      { actor: names.editor, action: 'released', fromVersion: 3, toVersion: 4, status: 'live', reason: undefined },
      { actor: names.editor, action: 'corrected', fromVersion: 4, toVersion: 5, status: 'live', reason: 'now flash' },
      { actor: names.editor, action: 'retracted', fromVersion: 5, toVersion: 6, status: 'retracted', reason: 'source withdrew' },
    ]);
    for (const e of entries) {
      expect(e).toMatchObject({ uri, channel });
      expect(Number.isNaN(Date.parse(e.at))).toBe(false);
    }
    expect(entries.map((e) => e.at)).toEqual([...entries.map((e) => e.at)].sort());

    // Every stored version names its actor.
    const versions = ((await (await apiClient(server.url)(`/api/v1/headlines/${uri}/versions`, { key: keys.editor })).json()) as { data: { versions: DeskHeadline[] } }).data.versions;
    expect(versions.map((v) => v.actor)).toEqual([names.reporter, names.reporter, names.editor, names.editor, names.editor, names.editor]);

    // The channel trail: newest first, paged.
    const page = await apiClient(server.url)(`/api/v1/channels/${channel}/audit?limit=2`, { key: keys.editor });
    const channelEntries = ((await page.json()) as { data: { entries: AuditEntry[] } }).data.entries;
    expect(channelEntries.map((e) => e.action)).toEqual(['retracted', 'corrected']);
    const next = await apiClient(server.url)(`/api/v1/channels/${channel}/audit?limit=2&skip=2`, { key: keys.editor });
    expect(((await next.json()) as { data: { entries: AuditEntry[] } }).data.entries.map((e) => e.action)).toEqual(['released', 'held']);
  });

  it('the public view never names staff; the desk does', async () => {
    const doc = await call(keys.reporter, 'POST', `/api/v1/channels/${channel}/headlines`, { headline: 'Public view check' });
    const pub = await (await apiClient(server.url)(`/api/v1/headlines/${doc.uri}`, { key: '' })).text();
    expect(pub).toContain('Public view check');
    expect(pub).not.toContain(names.reporter);
    const live = await (await apiClient(server.url)(`/api/v1/channels/${channel}/headlines`, { key: '' })).text();
    expect(live).not.toContain(names.reporter);
    const events = await (await apiClient(server.url)(`/api/v1/channels/${channel}/events`, { key: '' })).text();
    expect(events).not.toContain(names.reporter);
    const desk = ((await (await apiClient(server.url)(`/api/v1/channels/${channel}/desk`, { key: keys.editor })).json()) as { data: { headlines: DeskHeadline[] } }).data.headlines;
    expect(desk.find((d) => d.uri === doc.uri)).toMatchObject({ actor: names.reporter, createdBy: names.reporter });
  });

  it('the audit API needs a key of the channel', async () => {
    const doc = await call(keys.reporter, 'POST', `/api/v1/channels/${channel}/headlines`, { headline: 'Access check' });
    expect((await apiClient(server.url)(`/api/v1/headlines/${doc.uri}/audit`, { key: '' })).status).toBe(401);
    const other = await apiClient(server.url)(`/api/v1/headlines/${doc.uri}/audit`, { key: EN_KEY });
    expect(other.status).toBe(403);
    expect(((await other.json()) as { code: string }).code).toBe('FORBIDDEN');
    expect((await apiClient(server.url)(`/api/v1/channels/${channel}/audit`, { key: EN_KEY })).status).toBe(403);
    expect((await apiClient(server.url)(`/api/v1/channels/${channel}/audit?limit=x`, { key: keys.editor })).status).toBe(400);
  });

  it('scheduled changes are recorded as the system', async () => {
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(server.url, { transports: ['websocket'], forceNew: true, reconnection: false, auth: { key: keys.editor } });
    try {
      const ack = await socket.emitWithAck('desk:subscribe', { channels: [channel] });
      expect('data' in ack).toBe(true);
      const expired = new Promise<string>((resolve) => socket.on('desk:change', (d) => d.status === 'expired' && resolve(d.uri)));
      const doc = await call(keys.editor, 'POST', `/api/v1/channels/${channel}/headlines`, { headline: 'Expiring soon', expires: new Date(Date.now() + 300).toISOString() });
      expect(await expired).toBe(doc.uri);
      // The trail is appended just after the commit the desk saw: read until it is there (bounded).
      const deadline = Date.now() + 2000;
      let entries: AuditEntry[] = [];
      while (Date.now() < deadline && entries.length < 2) {
        entries = ((await (await apiClient(server.url)(`/api/v1/headlines/${doc.uri}/audit`, { key: keys.editor })).json()) as { data: { entries: AuditEntry[] } }).data.entries;
      }
      expect(entries.map((e) => [e.actor, e.action, e.fromVersion, e.toVersion])).toEqual([[names.editor, 'published', null, 1], ['system', 'expired', 1, 2]]);
    } finally {
      socket.disconnect();
    }
  });
});
