/** ninjs 3.1 in (publish, correct, hold, release, kill by uri+version) and out, on both engines. */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { AR_KEY, EN_KEY, ENGINES, useServer } from './helpers/app.js';

const schema = JSON.parse(readFileSync(new URL('./fixtures/ninjs/ninjs-schema-3.1.json', import.meta.url), 'utf8'));
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addSchema({ $id: 'https://geojson.org/schema/GeoJSON.json', type: 'object' });
const validate = ajv.compile(schema);
const expectValid = (doc: unknown) => expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);

const SEED = 'إعلام سوري: الطيران الإسرائيلي يستهدف مطار حماة العسكري بـ 3 غارات';
const NINJS = 'application/ninjs+json';

interface Live { data: { headlines: { uri: string; headline: string; version: number }[] } }

describe.each(ENGINES)('ninjs on the %s engine', (kind) => {
  const server = useServer(kind);
  const send = (channel: string, doc: Record<string, unknown>, opts: { type?: string; key?: string } = {}) =>
    server.api(`/api/v1/channels/${channel}/headlines`, {
      method: 'POST', body: JSON.stringify(doc), key: opts.key ?? AR_KEY, headers: { 'content-type': opts.type ?? NINJS },
    });
  const live = async (channel: string) => ((await (await server.api(`/api/v1/channels/${channel}/headlines`, { key: '' })).json()) as Live).data.headlines;
  const events = async (channel: string) => (await (await server.api(`/api/v1/channels/${channel}/events`, { key: '' })).json()).data.events as { type: string; version: number }[];

  const cms = (version: string, extra: Record<string, unknown> = {}) => ({
    uri: 'https://cms.example.com/items/9f1c', version, type: 'text', language: 'ar', urgency: 1,
    headlines: [{ value: SEED, role: 'main' }], by: 'رويترز', subjects: [{ name: 'العالم', rel: 'section' }],
    renditions: [{ name: 'web', href: 'https://example.com/story/1', contentType: 'text/html' }], ...extra,
  });

  it('publishes a ninjs document, and the same uri+version again changes nothing', async () => {
    const channel = server.channel('ar');
    const first = await send(channel, cms('1'));
    expect(first.status).toBe(201);
    const { data } = await first.json();
    expect(data.actions).toEqual(['published']);
    expect(data.headline).toMatchObject({ channel, headline: SEED, language: 'ar', direction: 'rtl', urgency: 1, section: 'العالم', by: 'رويترز', link: 'https://example.com/story/1', status: 'live', version: 1 });
    const again = await send(channel, cms('1'));
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect((await again.json()).data).toMatchObject({ actions: [], headline: { uri: data.headline.uri, version: 1 } });
    expect(await events(channel)).toHaveLength(1);
    expect((await live(channel)).map((h) => h.headline)).toEqual([SEED]);
  });

  it('maps a new version to a correction, withheld to a hold, usable to a release, canceled to a kill', async () => {
    const channel = server.channel('ar');
    const uri = (await (await send(channel, cms('1'))).json()).data.headline.uri;
    const corrected = await (await send(channel, cms('2', { headlines: [{ value: 'إعلام سوري: 4 غارات على مطار حماة' }], edNote: 'عدد الغارات' }))).json();
    expect(corrected.data).toMatchObject({ actions: ['corrected'], headline: { uri, version: 2, corrected: true, edNote: 'عدد الغارات' } });
    expect((await live(channel))[0]).toMatchObject({ headline: 'إعلام سوري: 4 غارات على مطار حماة', version: 2 });

    const held = await (await send(channel, cms('3', { headlines: [{ value: 'إعلام سوري: 4 غارات على مطار حماة' }], pubStatus: 'withheld' }))).json();
    expect(held.data.actions).toEqual(['held']);
    expect(await live(channel)).toEqual([]);
    const released = await (await send(channel, cms('4', { headlines: [{ value: 'إعلام سوري: 4 غارات على مطار حماة' }] }))).json();
    expect(released.data.actions).toEqual(['released']);
    expect(await live(channel)).toHaveLength(1);

    const late = await send(channel, cms('2', { headlines: [{ value: 'stale text' }] }));
    expect((await late.json()).data.actions).toEqual([]);
    const killed = await (await send(channel, cms('5', { pubStatus: 'canceled', edNote: 'wrong airport' }))).json();
    expect(killed.data).toMatchObject({ actions: ['retracted'], headline: { status: 'retracted', pubStatus: 'canceled', reason: 'wrong airport' } });
    expect(await live(channel)).toEqual([]);
    expect((await events(channel)).map((e) => e.type)).toEqual(['published', 'corrected', 'withheld', 'released', 'retracted']);
    // Every change names the key that sent the document, in the audit trail and on the version.
    const audit = (await (await server.api(`/api/v1/headlines/${uri}/audit`, { key: AR_KEY })).json()).data.entries as { action: string; actor: string; toVersion: number }[];
    expect(audit.map((e) => [e.action, e.actor, e.toVersion])).toEqual([
      ['published', 'ar-desk', 1], ['corrected', 'ar-desk', 2], ['held', 'ar-desk', 3], ['released', 'ar-desk', 4], ['retracted', 'ar-desk', 5],
    ]);
    const versions = (await (await server.api(`/api/v1/headlines/${uri}/versions`, { key: AR_KEY })).json()).data.versions as { actor: string; createdBy: string }[];
    expect(versions.every((v) => v.actor === 'ar-desk' && v.createdBy === 'ar-desk')).toBe(true);
  });

  it('recognises a ninjs-shaped application/json body', async () => {
    const channel = server.channel('ar');
    const res = await send(channel, cms('1', { uri: 'urn:cms:item:77' }), { type: 'application/json' });
    expect(res.status).toBe(201);
    expect((await res.json()).data.actions).toEqual(['published']);
  });

  it('refuses invalid ninjs with field errors and changes nothing', async () => {
    const channel = server.channel('ar');
    for (const [doc, field] of [
      [cms('1', { urgency: 12 }), 'urgency'],
      [cms('1', { signal: 'correction' }), '(body)'],
      [cms('1', { headlines: [{ value: '<b>bold</b> claim' }] }), 'headlines.0.value'],
      [{ uri: 'not a uri', headlines: [{ value: 'x' }] }, 'uri'],
      [cms('1', { pubStatus: 'canceled', uri: 'urn:cms:never' }), undefined],
    ] as const) {
      const res = await send(channel, doc);
      const problem = await res.json();
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      if (field) {
        expect(problem.code).toBe('VALIDATION_FAILED');
        expect(problem.errors.map((e: { field: string }) => e.field)).toContain(field);
      } else expect(problem.code).toBe('HEADLINE_NOT_FOUND');
    }
    expect(await events(channel)).toEqual([]);
  });

  it('needs a key that may publish to the channel', async () => {
    const channel = server.channel('ar');
    expect((await send(channel, cms('1'), { key: EN_KEY })).status).toBe(403);
    expect((await send(channel, cms('1'), { key: '' })).status).toBe(401);
  });

  it('serves ?format=ninjs on every view, each a valid ninjs 3.1 document, with the correction signal', async () => {
    const channel = server.channel('ar');
    const uri = (await (await send(channel, cms('1'))).json()).data.headline.uri;
    await send(channel, cms('2', { headlines: [{ value: 'إعلام سوري: 4 غارات' }] }));
    const other = (await (await server.publish(channel, { headline: 'Held item', pubStatus: 'withheld' }, { authorization: `Bearer ${AR_KEY}` })).json()).data.headline.uri;
    await server.api(`/api/v1/headlines/${other}/retract`, { method: 'POST', key: AR_KEY, body: JSON.stringify({ reason: 'no' }) });

    const get = async (path: string, key = '') => {
      const res = await server.api(path, { key });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain(NINJS);
      const doc = await res.json();
      expectValid(doc);
      return doc;
    };
    const one = await get(`/api/v1/headlines/${uri}?format=ninjs`);
    expect(one).toMatchObject({ version: '2', headlines: [{ value: 'إعلام سوري: 4 غارات' }], altIds: [{ role: 'channel', value: channel }] });
    const desk = await get(`/api/v1/headlines/${uri}?format=ninjs`, AR_KEY);
    expect(desk.subjects).toContainEqual({ rel: 'signal', name: 'correction', uri: 'http://cv.iptc.org/newscodes/signal/correction' });
    const liveSet = await get(`/api/v1/channels/${channel}/headlines?format=ninjs`);
    expect(liveSet.associations.map((a: { uri: string }) => a.uri)).toEqual([`urn:news-ticker:headline:${uri}`]);
    const log = await get(`/api/v1/channels/${channel}/events?format=ninjs`);
    expect(log.associations.map((a: { version: string; pubStatus: string }) => [a.version, a.pubStatus])).toEqual([['1', 'usable'], ['2', 'usable']]);
    expect(log.associations[1].subjects).toContainEqual(expect.objectContaining({ rel: 'signal', name: 'correction' }));
    const deskList = await get(`/api/v1/channels/${channel}/desk?format=ninjs`, AR_KEY);
    expect(deskList.associations.map((a: { pubStatus: string }) => a.pubStatus).sort()).toEqual(['canceled', 'usable']);
    const versions = await get(`/api/v1/headlines/${uri}/versions?format=ninjs`, AR_KEY);
    expect(versions.associations).toHaveLength(2);
  });
});
