/**
 * Start-up through the real process entry (server/main.ts): production refuses to run without
 * keys, bad settings and an unreachable Redis stop with one clear line naming the setting, and
 * no key is ever printed in production.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TEST_KEYS } from './helpers/app.js';
import { freePort } from './helpers/redis.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment of a clean shell: none of this machine's or the test runner's settings. */
function cleanEnv(env: Record<string, string>): Record<string, string> {
  const { PATH = '', HOME = '' } = process.env;
  return { PATH, HOME, ...env };
}

/**
 * Runs the server until it exits, or until it says it is listening: then `whileUp` runs against
 * it and the server is stopped with SIGTERM.
 */
function run(env: Record<string, string>, whileUp: () => Promise<void> = async () => undefined): Promise<Run & { listening: boolean }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { cwd: ROOT, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let listening = false;
  proc.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
    if (!listening && stdout.includes('news-ticker listening')) {
      listening = true;
      void whileUp().finally(() => proc.kill('SIGTERM'));
    }
  });
  proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => proc.once('close', (code) => resolve({ code, stdout, stderr, listening })));
}

describe('start-up', () => {
  it('NODE_ENV=production without API_KEYS: refuses with exit code 78, names the setting, prints no key', async () => {
    const r = await run({ NODE_ENV: 'production', PORT: String(await freePort()) });
    expect(r.listening).toBe(false);
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('API_KEYS is required when NODE_ENV=production');
    expect(r.stderr).toContain('API_KEYS=');
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.stdout + r.stderr).not.toMatch(/dev_[A-Za-z0-9_-]{10,}/);
    expect(r.stdout).not.toContain('development key');
  }, 60_000);

  it('NODE_ENV=production with keys: listens on all interfaces, prints no key and publishes no demo headline', async () => {
    const port = await freePort();
    const live: number[] = [];
    const r = await run({ NODE_ENV: 'production', PORT: String(port), API_KEYS: JSON.stringify(TEST_KEYS) }, async () => {
      for (const channel of ['ar-breaking', 'en-breaking', 'en-world']) {
        const res = await fetch(`http://127.0.0.1:${port}/api/v1/channels/${channel}/headlines`);
        live.push((await res.json()).data.headlines.length);
      }
    });
    expect(r.listening).toBe(true);
    expect(live).toEqual([0, 0, 0]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('"host":"0.0.0.0"');
    for (const k of TEST_KEYS) expect(r.stdout + r.stderr).not.toContain(k.key);
    expect(r.stdout).not.toMatch(/dev_[A-Za-z0-9_-]{10,}/);
  }, 60_000);

  it('development without keys: prints a development key once, listens on 127.0.0.1 only, publishes the demo headlines', async () => {
    const port = await freePort();
    const demo: Record<string, number> = {};
    const r = await run({ PORT: String(port) }, async () => {
      // Both demo pages' banners (/ar: ar-breaking, /en: en-breaking) and the English list's second channel.
      for (const channel of ['ar-breaking', 'en-breaking', 'en-world']) {
        demo[channel] = (await (await fetch(`http://127.0.0.1:${port}/api/v1/channels/${channel}/headlines`)).json()).data.headlines.length;
      }
    });
    expect(r.listening).toBe(true);
    expect(demo).toEqual({ 'ar-breaking': 3, 'en-breaking': 1, 'en-world': 1 });
    expect(r.stdout.match(/dev_[A-Za-z0-9_-]{20,}/g)?.length).toBe(2); // the key, and the curl line that uses it
    expect(r.stdout).toContain('"host":"127.0.0.1"');
  }, 60_000);

  it('bad API_KEYS JSON: exit code 78, names API_KEYS, does not echo the value', async () => {
    const r = await run({ API_KEYS: '[{"name":"desk","key":"s3cr3t-value-0123456789"', PORT: String(await freePort()) });
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/API_KEYS: must be a JSON array .* not valid JSON/);
    expect(r.stderr).not.toContain('s3cr3t-value');
  }, 60_000);

  it('unreachable REDIS_URL: one clear line naming REDIS_URL, no stack trace, non-zero exit within the bound', async () => {
    const deadPort = await freePort();
    const started = Date.now();
    const r = await run({
      REDIS_URL: `redis://user:hunter2-password@127.0.0.1:${deadPort}`, REDIS_CONNECT_TIMEOUT_MS: '2000',
      API_KEYS: JSON.stringify(TEST_KEYS), PORT: String(await freePort()),
    });
    expect(r.listening).toBe(false);
    expect(r.code).toBe(69);
    expect(Date.now() - started).toBeLessThan(30_000);
    const lines = r.stderr.trim().split('\n');
    expect(lines.at(-1)).toMatch(new RegExp(`^news-ticker: REDIS_URL: cannot reach Redis at redis://user:\\*\\*\\*@127\\.0\\.0\\.1:${deadPort}`));
    expect(r.stderr).not.toContain('hunter2');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});
