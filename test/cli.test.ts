/** The CLI end to end: real processes (`node cli/bin.mjs`) against a real server. */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { visualOrder } from '../cli/bidi.js';
import { ADMIN_KEY, AR_KEY, EN_KEY, useServer } from './helpers/app.js';
import { waitFor } from './helpers/feed-server.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BIN = fileURLToPath(new URL('../cli/bin.mjs', import.meta.url));
const SEED = 'إعلام سوري: الطيران الإسرائيلي يستهدف مطار حماة العسكري بـ 3 غارات';

describe('news-ticker CLI', () => {
  const server = useServer('memory');
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  });

  const run = (args: string[], env: Record<string, string> = {}) =>
    promisify(execFile)(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, NEWS_TICKER_URL: server.url, NEWS_TICKER_KEY: AR_KEY, ...env } })
      .then((r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }))
      .catch((err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }));

  it('publishes, corrects and kills with the key and URL from the environment', async () => {
    const channel = server.channel('ar');
    const published = await run(['--json', 'publish', '--channel', channel, '--urgency', 'flash', '--section', 'العالم', SEED]);
    expect(published.code, published.stderr).toBe(0);
    const { headline } = JSON.parse(published.stdout);
    expect(headline).toMatchObject({ channel, headline: SEED, urgency: 1, direction: 'rtl', section: 'العالم', status: 'live' });

    const corrected = await run(['--json', 'correct', headline.uri, 'إعلام سوري: 4 غارات', '--note', 'عدد الغارات']);
    expect(corrected.code, corrected.stderr).toBe(0);
    expect(JSON.parse(corrected.stdout).headline).toMatchObject({ version: 2, headline: 'إعلام سوري: 4 غارات' });

    const killed = await run(['kill', headline.uri, '--reason', 'wrong airport']);
    expect(killed.code, killed.stderr).toBe(0);
    expect(killed.stdout).toMatch(/\tretracted\tv3/);
    const live = await (await server.api(`/api/v1/channels/${channel}/headlines`, { key: '' })).json();
    expect(live.data.headlines).toEqual([]);
  }, 180_000);

  it('reports API refusals with their problem code and exit code 1', async () => {
    const refused = await run(['publish', '--channel', server.channel('ar'), 'x'], { NEWS_TICKER_KEY: EN_KEY });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('FORBIDDEN');
    const invalid = await run(['publish', '--channel', server.channel('ar'), '<b>x</b>']);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/VALIDATION_FAILED[\s\S]*headline/);
  }, 180_000);

  it('takes flags over the environment, and explains usage errors', async () => {
    const viaFlag = await run(['--key', ADMIN_KEY, '--json', 'keys', 'whoami'], { NEWS_TICKER_KEY: EN_KEY });
    expect(JSON.parse(viaFlag.stdout)).toEqual({ name: 'admin', scopes: ['admin'] });
    const usage = await run(['publish', 'no channel']);
    expect(usage.code).not.toBe(0);
    expect(usage.stderr).toContain('--channel');
  }, 180_000);

  it('tails a channel live from a cursor, printing Arabic in visual order for terminals without bidi', async () => {
    const channel = server.channel('ar');
    const first = (await (await server.publish(channel, { headline: 'قبل المتابعة' })).json()).data.cursor as string;
    await server.publish(channel, { headline: 'عاجل: 3 غارات على المطار' });
    const tail = spawn(process.execPath, [BIN, '--bidi', 'visual', 'tail', '--channel', channel, '--cursor', first], {
      cwd: ROOT, env: { ...process.env, NEWS_TICKER_URL: server.url }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(tail);
    let out = '';
    tail.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    // Missed since the cursor: only the second headline.
    await waitFor(async () => (out.includes(visualOrder('عاجل: 3 غارات على المطار')) ? true : undefined), 'the missed headline', 120_000);
    await server.publish(channel, { headline: 'Live: English stays as it is' });
    await waitFor(async () => (out.includes('Live: English stays as it is') ? true : undefined), 'the live headline', 60_000);
    expect(out).not.toContain(visualOrder('قبل المتابعة'));
    expect(out.split('\n')[0]).toMatch(/^published/);
    tail.kill('SIGTERM');
    expect(visualOrder('عاجل 3 غارات (سو-57)')).toBe('(57-وس) تاراغ 3 لجاع');
  }, 180_000);
});
