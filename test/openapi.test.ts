/** The OpenAPI 3.1 description: generated, linted by Redocly, covering every route of the router. */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { toOpenApiPath } from '../server/http/openapi.js';
import { useServer } from './helpers/app.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

describe('OpenAPI', () => {
  const server = useServer('memory');

  it('serves OpenAPI 3.1 that describes every route of the API router, and nothing that is not one', async () => {
    const res = await server.api('/api/v1/openapi.json', { key: '' });
    expect(res.status).toBe(200);
    const spec = await res.json();
    expect(spec.openapi).toBe('3.1.0');
    const described = Object.entries(spec.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`)).sort();
    const routed = server.app.apiRoutes.map(([m, p]) => `${m} ${toOpenApiPath(p)}`).sort();
    expect(routed.length).toBeGreaterThan(20);
    expect(described).toEqual([...new Set(routed)].sort());
  });

  it('describes request bodies from the same zod schemas the routes parse with', async () => {
    const spec = await (await server.api('/api/v1/openapi.json', { key: '' })).json();
    const publish = spec.paths['/channels/{channel}/headlines'].post;
    const body = publish.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(['headline']);
    expect(body.additionalProperties).toBe(false);
    expect(Object.keys(body.properties)).toEqual(expect.arrayContaining(['headline', 'urgency', 'language', 'expires', 'infoSources']));
    expect(publish.requestBody.content['application/ninjs+json']).toBeDefined();
    expect(spec.paths['/feeds'].post.security).toEqual([{ bearer: [] }]);
    expect(spec.paths['/channels/{channel}/feed.atom'].get.security).toEqual([]);
  });

  it('passes the Redocly linter (recommended rules) with no errors', async () => {
    const spec = await (await server.api('/api/v1/openapi.json', { key: '' })).text();
    const dir = mkdtempSync(join(tmpdir(), 'nt-openapi-'));
    const file = join(dir, 'openapi.json');
    writeFileSync(file, spec);
    const bin = join(ROOT, 'node_modules', '.bin', 'redocly');
    const result = await promisify(execFile)(bin, ['lint', file, '--format', 'json'], { cwd: dir, env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' }, maxBuffer: 10 * 1024 * 1024 })
      .catch((err: { stdout: string; stderr: string; code: number }) => ({ stdout: err.stdout, stderr: err.stderr, failed: err.code }));
    const report = JSON.parse(result.stdout.slice(result.stdout.indexOf('{'))) as { problems: { ruleId: string; severity: string; message: string; location: { pointer: string }[] }[] };
    const errors = report.problems.filter((p) => p.severity === 'error').map((p) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`);
    expect(errors).toEqual([]);
    expect('failed' in result).toBe(false);
  }, 120_000);

  it('renders an offline HTML reference listing every operation', async () => {
    const res = await server.api('/api/v1/reference', { key: '' });
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    expect(html).not.toMatch(/<script|https?:\/\/cdn/i);
    for (const [method, path] of server.app.apiRoutes) expect(html).toContain(`${method} /api/v1${toOpenApiPath(path)}`);
  });
});
