/**
 * The production build: `npm run build` (run by `npm test` first) leaves plain JavaScript in
 * dist/ that `node` runs without a transpiler, importing only production dependencies; the
 * bundles are served precompressed (br, gzip) by negotiation, from the sources and from the build.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseCoding, packageRoot } from '../server/http/static.js';
import { TEST_KEYS, useServer } from './helpers/app.js';
import { freePort } from './helpers/redis.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const DIST = join(ROOT, 'dist');
const MAIN = join(DIST, 'server', 'main.js');

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A GET (or HEAD) that sends exactly the headers given and returns the bytes as sent (fetch would decode them). */
function raw(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Starts `node dist/server/main.js` (no tsx, no loader) on a free port; ends it after the file. */
function useBuiltServer(): { url: string; output(): string } {
  const fixture = { url: '', output: () => '' };
  let proc: ChildProcess | undefined;
  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` (npm test does)`);
    const port = await freePort();
    proc = spawn(process.execPath, [MAIN], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', API_KEYS: JSON.stringify(TEST_KEYS) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    fixture.output = () => output;
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('news-ticker listening')) resolve();
      };
      proc!.stdout!.on('data', onData);
      proc!.stderr!.on('data', onData);
      proc!.once('exit', (code) => reject(new Error(`the built server exited with ${code}:\n${output}`)));
    });
    fixture.url = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    if (!proc || proc.exitCode !== null || proc.signalCode) return;
    const exited = new Promise((resolve) => proc!.once('exit', resolve));
    proc.kill('SIGTERM');
    await exited;
  });
  return fixture;
}

/** Every .js file under `dir`. */
function jsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return jsFiles(path);
    return name.endsWith('.js') ? [path] : [];
  });
}

describe('the production build', () => {
  const built = useBuiltServer();

  it('runs with plain node: /healthz answers and the demo page and bundle are served', async () => {
    const health = await fetch(`${built.url}/healthz`);
    expect(health.status).toBe(200);
    const page = await fetch(`${built.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const embed = await raw(`${built.url}/embed.js`);
    expect(embed.status).toBe(200);
    expect(embed.headers['content-type']).toContain('javascript');
    expect(embed.body.equals(readFileSync(join(DIST, 'client', 'embed.js')))).toBe(true);
    expect(built.output()).not.toMatch(/tsx|ExperimentalWarning/);
  });

  it('imports only node built-ins, its own files and production dependencies (no tsx, esbuild or other devDependencies)', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    expect(Object.keys(pkg.dependencies)).not.toEqual(expect.arrayContaining(['tsx']));
    expect(Object.keys(pkg.devDependencies)).toEqual(expect.arrayContaining(['tsx', 'esbuild', 'typescript']));
    const builtins = new Set(builtinModules);
    const files = [...jsFiles(join(DIST, 'server')), ...jsFiles(join(DIST, 'shared'))];
    expect(files.length).toBeGreaterThan(10);
    const specifiers = new Set<string>();
    for (const file of files) {
      const source = readFileSync(file, 'utf8');
      for (const m of source.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) specifiers.add(m[1] ?? m[2]!);
      expect(source, file).not.toMatch(/\.ts['"]/); // every relative import points at emitted .js
    }
    const packages = [...specifiers].filter((s) => !s.startsWith('.') && !s.startsWith('node:') && !builtins.has(s)).map((s) => s.split('/').slice(0, s.startsWith('@') ? 2 : 1).join('/'));
    expect(packages.length).toBeGreaterThan(3);
    for (const name of new Set(packages)) expect(pkg.dependencies, `dist imports ${name}`).toHaveProperty([name]);
  });

  it('finds the package root from the sources and from the build alike', () => {
    expect(packageRoot()).toBe(ROOT.replace(/\/$/, ''));
    expect(packageRoot(join(DIST, 'server', 'http'))).toBe(ROOT.replace(/\/$/, ''));
  });
});

describe('Accept-Encoding negotiation', () => {
  it.each([
    ['br', 'br'], ['gzip', 'gzip'], ['gzip, deflate, br, zstd', 'br'], ['br;q=0, gzip', 'gzip'], ['gzip;q=1, br;q=0.5', 'gzip'],
    ['*', 'br'], ['*;q=0', 'identity'], ['deflate', 'identity'], ['identity', 'identity'], ['', 'identity'], [undefined, 'identity'],
    ['BR;Q=0.8, GZIP;q=0.9', 'gzip'], ['gzip;q=nonsense, br;q=0', 'identity'],
  ] as const)('%j → %s', (header, coding) => {
    expect(chooseCoding(header)).toBe(coding);
  });
});

const sources = (): { url: string } => useServer('memory');

describe.each([
  ['sources (createApp)', sources],
  ['build (node dist/server/main.js)', useBuiltServer],
])('bundles served compressed from the %s', (_name, start) => {
  const server = start();

  it.each(['embed.js', 'dashboard.js'])('%s: br and gzip decode to the plain file; identity when neither is accepted', async (file) => {
    const plain = readFileSync(join(DIST, 'client', file));
    const cases: [string | undefined, string | undefined, (b: Buffer) => Buffer][] = [
      ['br', 'br', brotliDecompressSync],
      ['gzip', 'gzip', gunzipSync],
      ['gzip, deflate, br, zstd', 'br', brotliDecompressSync], // what Chromium sends: br is smaller
      ['br;q=0, gzip', 'gzip', gunzipSync],
      ['identity', undefined, (b) => b],
      [undefined, undefined, (b) => b],
    ];
    for (const [accept, encoding, decode] of cases) {
      const res = await raw(`${server.url}/${file}`, accept === undefined ? {} : { 'accept-encoding': accept });
      const what = `${file} with Accept-Encoding ${accept}`;
      expect(res.status, what).toBe(200);
      expect(res.headers['content-encoding'], what).toBe(encoding);
      expect(String(res.headers.vary), what).toMatch(/accept-encoding/i);
      expect(res.headers['content-type'], what).toBe('text/javascript; charset=utf-8');
      expect(res.headers['access-control-allow-origin'], what).toBe('*');
      expect(Number(res.headers['content-length']), what).toBe(res.body.length);
      if (encoding) expect(res.body.length, what).toBeLessThan(plain.length / 2);
      expect(decode(res.body).equals(plain), what).toBe(true);
    }
  });

  it('answers HEAD with the compressed length and no body, and leaves other paths alone', async () => {
    const head = await raw(`${server.url}/embed.js`, { 'accept-encoding': 'br' }, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-encoding']).toBe('br');
    expect(Number(head.headers['content-length'])).toBe(readFileSync(join(DIST, 'client', 'embed.js.br')).length);
    expect(head.body.length).toBe(0);
    const missing = await raw(`${server.url}/nothing-here.js`, { 'accept-encoding': 'br' });
    expect(missing.status).toBe(404);
    expect(missing.headers['content-encoding']).toBeUndefined();
    const escape = await raw(`${server.url}/..%2Fpackage.json`, { 'accept-encoding': 'br, gzip' });
    expect(escape.status).toBe(404);
  });
});
