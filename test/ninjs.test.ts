/** The headline model follows IPTC ninjs 3.1: the ninjs view validates against the schema. */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { useServer } from './helpers/app.js';

const schema = JSON.parse(readFileSync(new URL('./fixtures/ninjs/ninjs-schema-3.1.json', import.meta.url), 'utf8'));

describe('ninjs', () => {
  const server = useServer('memory');

  it('serves a published headline as a valid ninjs 3.1 document', async () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    // The schema refers to GeoJSON for places; no network here, and headlines carry no geometry.
    ajv.addSchema({ $id: 'https://geojson.org/schema/GeoJSON.json', type: 'object' });
    const validate = ajv.compile(schema);
    const channel = server.channel('ar');
    const { data } = await (await server.publish(channel, {
      headline: 'إعلام سوري: الطيران الإسرائيلي يستهدف مطار حماة العسكري بـ 3 غارات', urgency: 'flash', by: 'رويترز',
      infoSources: [{ name: 'رويترز' }], section: 'العالم', expires: new Date(Date.now() + 3600_000).toISOString(),
    })).json();
    const res = await server.api(`/api/v1/headlines/${data.headline.uri}?format=ninjs`, { key: '' });
    expect(res.headers.get('content-type')).toContain('application/ninjs+json');
    const doc = await res.json();
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc).toMatchObject({ uri: `urn:news-ticker:headline:${data.headline.uri}`, version: '1', language: 'ar', urgency: 1, pubStatus: 'usable', headlines: [{ value: data.headline.headline }] });
  });
});
