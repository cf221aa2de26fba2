/**
 * A kill (and a hold) purges every public surface: the live set, the headline view (JSON and
 * ninjs), the events log from every cursor and paged, and socket catch-up from every offset, an
 * old epoch and no cursor — on both engines, on a process that followed the channel (hub ring)
 * and one that did not (log), and across processes on Redis. The desk keeps every version.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TickerEvent } from '../shared/index.js';
import { apiClient, ENGINES, useServer } from './helpers/app.js';
import { startCluster, type Cluster } from './helpers/cluster.js';
import { catchUp, leaks, readPublic } from './helpers/purge-probe.js';
import { Reader } from './helpers/reader.js';

type Api = ReturnType<typeof apiClient>;

const V1 = 'DEFAMATORY claim: minister Quillfeather took bribes';
const V2 = 'DEFAMATORY claim (corrected): minister Quillfeather met lobbyists';
const KILL_WORDS = ['DEFAMATORY', 'Quillfeather'];

async function json(res: Response | Promise<Response>): Promise<{ status: number; body: any; etag: string | null }> {
  const r = await res;
  return { status: r.status, etag: r.headers.get('etag'), body: await r.json() };
}

async function publish(api: Api, channel: string, headline: string): Promise<string> {
  const res = await json(api(`/api/v1/channels/${channel}/headlines`, { method: 'POST', body: JSON.stringify({ headline }) }));
  expect(res.status).toBe(201);
  return res.body.data.headline.uri;
}

async function change(api: Api, path: string, body: unknown): Promise<void> {
  const res = await json(api(path, { method: path.endsWith('/retract') || path.endsWith('/hold') || path.endsWith('/release') ? 'POST' : 'PATCH', body: JSON.stringify(body) }));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

async function logEvents(api: Api, channel: string): Promise<TickerEvent[]> {
  return (await json(api(`/api/v1/channels/${channel}/events?limit=1000`, { key: '' }))).body.data.events;
}

/** Publishes the defamatory headline among others and corrects it; returns its uri. */
async function defamatoryStory(api: Api, channel: string): Promise<string> {
  await publish(api, channel, 'Calm day at the harbour');
  const uri = await publish(api, channel, V1);
  await publish(api, channel, 'Rain expected tomorrow');
  await change(api, `/api/v1/headlines/${uri}`, { headline: V2, edNote: 'softened' });
  return uri;
}

/** The checks after a kill, against one server. */
async function expectPurged(base: string, channel: string, uri: string, before: TickerEvent[]): Promise<void> {
  const api = apiClient(base);
  const read = await readPublic(base, channel, uri);
  expect(leaks(read, KILL_WORDS)).toEqual([]);
  // Tombstones keep type, uri, version and offset: cursors and ordering stay valid.
  const after = await logEvents(api, channel);
  const shape = (e: TickerEvent) => [e.offset, e.type, e.uri, e.version];
  expect(after.slice(0, before.length).map(shape)).toEqual(before.map(shape));
  expect(after.filter((e) => e.uri === uri).map((e) => [e.type, e.version, e.headline])).toEqual([
    ['published', 1, undefined], ['corrected', 2, undefined], ['retracted', 3, undefined],
  ]);
  expect(after.filter((e) => e.uri !== uri).every((e) => e.headline?.headline)).toBe(true);
  // The desk (authenticated) keeps every version for the audit trail.
  const versions = (await json(api(`/api/v1/headlines/${uri}/versions`))).body.data.versions;
  expect(versions.map((v: { headline: string; status: string }) => [v.headline, v.status])).toEqual([[V1, 'live'], [V2, 'live'], [V2, 'retracted']]);
  expect(JSON.stringify((await json(api(`/api/v1/channels/${channel}/desk`))).body)).toContain(V2);
}

describe.each(ENGINES)('kill and hold purge public surfaces on the %s engine', (kind) => {
  const server = useServer(kind);

  it.each([
    ['followed by a reader before (hub ring)', true],
    ['never followed before (log read)', false],
  ])('a retracted headline: no public copy of any version, %s', async (_label, followed) => {
    const api = apiClient(server.url);
    const channel = server.channel('kill');
    const reader = followed ? new Reader(server.url, [channel]) : undefined;
    await reader?.subscribe();
    const uri = await defamatoryStory(api, channel);
    const view = await json(api(`/api/v1/headlines/${uri}`, { key: '' }));
    expect(view).toMatchObject({ status: 200, etag: '"2"' });
    if (followed) {
      // The probe finds the text while it is public, so an empty result after the kill means something.
      expect(leaks(await readPublic(server.url, channel, uri), KILL_WORDS).length).toBeGreaterThan(10);
    }
    const before = await logEvents(api, channel);
    await change(api, `/api/v1/headlines/${uri}/retract`, { reason: 'legal: defamatory' });
    await reader?.waitFor(() => reader.events.some((e) => e.type === 'retracted'), 'the kill on the reader');
    await publish(api, channel, 'Ferry timetable changes');
    await reader?.waitFor(() => reader.events.length === 6, 'the next headline');
    await expectPurged(server.url, channel, uri, before);
    // A cache revalidating the old ETag gets 404, not 304.
    const revalidate = await fetch(`${server.url}/api/v1/headlines/${uri}`, { headers: { 'if-none-match': '"2"' } });
    expect(revalidate.status).toBe(404);
    reader?.disconnect();
  }, 90_000);

  it('a held headline: no public copy while held; after release the released version shows again', async () => {
    const api = apiClient(server.url);
    const channel = server.channel('hold');
    const reader = new Reader(server.url, [channel]);
    await reader.subscribe();
    const uri = await publish(api, channel, 'HOLDME Larkspur first draft');
    await change(api, `/api/v1/headlines/${uri}`, { headline: 'HOLDME Larkspur second draft', edNote: 'typo' });
    await change(api, `/api/v1/headlines/${uri}/hold`, { reason: 'checking' });
    await reader.waitFor(() => reader.events.some((e) => e.type === 'withheld'), 'the hold on the reader');
    const held = await readPublic(server.url, channel, uri);
    expect(leaks(held, ['HOLDME', 'Larkspur'])).toEqual([]);
    const versions = (await json(api(`/api/v1/headlines/${uri}/versions`))).body.data.versions;
    expect(versions.map((v: { headline: string }) => v.headline)).toEqual(['HOLDME Larkspur first draft', 'HOLDME Larkspur second draft', 'HOLDME Larkspur second draft']);

    await change(api, `/api/v1/headlines/${uri}/release`, {});
    await reader.waitFor(() => reader.live.get(uri)?.headline === 'HOLDME Larkspur second draft', 'the release on the reader');
    const live = (await json(api(`/api/v1/channels/${channel}/headlines`, { key: '' }))).body.data.headlines;
    expect(live.map((h: { headline: string }) => h.headline)).toEqual(['HOLDME Larkspur second draft']);
    const view = await json(api(`/api/v1/headlines/${uri}?format=ninjs`, { key: '' }));
    expect(view.status).toBe(200);
    const events = await logEvents(api, channel);
    // Versions from before the hold stay tombstones; the released version carries its text.
    expect(events.map((e) => [e.type, e.headline?.headline])).toEqual([
      ['published', undefined], ['corrected', undefined], ['withheld', undefined], ['released', 'HOLDME Larkspur second draft'],
    ]);
    const fromStart = await catchUp(server.url, channel, `${events[0]!.epoch}:0`);
    expect(fromStart.mode).toBe('events');
    expect((fromStart.received as TickerEvent[]).map((e) => e.headline?.headline)).toEqual([undefined, undefined, undefined, 'HOLDME Larkspur second draft']);
    reader.disconnect();
  }, 90_000);

  it('readers subscribing with old cursors while the kill commits: a catch-up that contains the kill carries no text', async () => {
    const api = apiClient(server.url);
    for (const followed of [true, false]) {
      const channel = server.channel('race');
      const reader = followed ? new Reader(server.url, [channel]) : undefined;
      await reader?.subscribe();
      const uri = await defamatoryStory(api, channel);
      const { epoch } = (await logEvents(api, channel))[0]!;
      const racing = Array.from({ length: 12 }, (_, i) => catchUp(server.url, channel, `${epoch}:${i % 4}`));
      await change(api, `/api/v1/headlines/${uri}/retract`, { reason: 'legal' });
      const late = Array.from({ length: 4 }, (_, i) => catchUp(server.url, channel, `${epoch}:${i}`));
      for (const { received } of await Promise.all([...racing, ...late])) {
        const events = received as TickerEvent[];
        if (events.some((e) => e.type === 'retracted')) expect(leaks({ bodies: new Map([['c', JSON.stringify(events)]]), head: 0, epoch }, KILL_WORDS)).toEqual([]);
      }
      for (const { received } of await Promise.all(late)) expect(JSON.stringify(received)).not.toContain('Quillfeather');
      reader?.disconnect();
    }
  }, 90_000);
});

describe('kill across processes on Redis', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster(2);
  }, 60_000);
  afterAll(async () => cluster?.cleanup());

  it('a headline killed through one process has no public copy on either', async () => {
    const [a, b] = cluster.servers.map((s) => s.url) as [string, string];
    const channel = 'kill-cluster';
    const readerB = new Reader(b, [channel]);
    await readerB.subscribe();
    const apiA = apiClient(a);
    const apiB = apiClient(b);
    await publish(apiA, channel, 'Calm day at the harbour');
    const uri = await publish(apiA, channel, V1);
    await publish(apiB, channel, 'Rain expected tomorrow');
    await change(apiB, `/api/v1/headlines/${uri}`, { headline: V2, edNote: 'softened' });
    await readerB.waitFor(() => readerB.events.length === 4, 'the story on process B');
    const before = await logEvents(apiB, channel);
    await change(apiA, `/api/v1/headlines/${uri}/retract`, { reason: 'legal: defamatory' });
    await readerB.waitFor(() => readerB.events.some((e) => e.type === 'retracted'), 'the kill on process B');
    // B followed the channel (catch-up from its ring), A did not (catch-up from the log).
    await expectPurged(b, channel, uri, before);
    await expectPurged(a, channel, uri, before);
    readerB.disconnect();
  }, 120_000);
});
