#!/usr/bin/env node
/**
 * What one publish costs the store: the built product (dist/server/main.js) on a private
 * redis-server, K sequential publishes to one channel, then the Redis commands run per publish
 * (INFO commandstats, the script's inner commands included) and the publish latency.
 * Shows whether the publish path does a store round trip besides its commit (it used to read
 * every process's reader counts to record `reach`).
 *
 *   npm run build && node scripts/profile-publish-redis.mjs --k 500
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort } from './profile-readers/free-port.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const { values: opts } = parseArgs({ options: { k: { type: 'string', default: '500' } } });
const K = Number(opts.k);
const KEY = `profile-${randomBytes(12).toString('hex')}`;

/** Spawns a process and resolves once its output contains `ready`. */
function startProcess(command, args, env, ready) {
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk) => {
      output += chunk;
      if (output.includes(ready)) resolve(child);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${command} exited with ${code}:\n${output}`)));
  });
}

/** Redis commands run so far, by name (INFO commandstats counts the commands a script runs too). */
async function commandStats(port) {
  const out = await new Promise((resolve, reject) => {
    const cli = spawn('redis-cli', ['-p', String(port), 'INFO', 'commandstats']);
    let text = '';
    cli.stdout.on('data', (c) => (text += c));
    cli.once('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`redis-cli exited with ${code}`))));
  });
  const stats = {};
  for (const m of out.matchAll(/^cmdstat_([\w|]+):calls=(\d+)/gm)) stats[m[1]] = Number(m[2]);
  return stats;
}

const dir = mkdtempSync(join(tmpdir(), 'profile-redis-'));
const redisPort = await freePort();
const redis = await startProcess('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], {}, 'Ready to accept connections');
const port = await freePort();
const server = await startProcess(process.execPath, [join(ROOT, 'dist/server/main.js')], {
  PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', NODE_ENV: 'development',
  REDIS_URL: `redis://127.0.0.1:${redisPort}`, REDIS_PREFIX: 'profile',
  API_KEYS: JSON.stringify([{ name: 'profile', key: KEY, scopes: ['admin'] }]),
  RATE_LIMIT_PUBLISH: '1000000/60s', RATE_LIMIT_READ: '1000000/60s',
}, 'news-ticker listening');
try {
  const channel = `profile-${randomBytes(3).toString('hex')}`;
  const publish = async (i) => {
    const t0 = performance.now();
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/channels/${channel}/headlines`, {
      method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ headline: `Profile headline ${i}` }),
    });
    if (res.status !== 201) throw new Error(`publish answered ${res.status}: ${await res.text()}`);
    await res.arrayBuffer();
    return performance.now() - t0;
  };
  for (let i = 0; i < 20; i++) await publish(i); // warm-up
  const before = await commandStats(redisPort);
  const t0 = performance.now();
  const times = [];
  for (let i = 0; i < K; i++) times.push(await publish(i));
  const seconds = (performance.now() - t0) / 1000;
  const after = await commandStats(redisPort);
  times.sort((a, b) => a - b);
  const q = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))].toFixed(2);
  const per = Object.entries(after)
    .map(([name, calls]) => [name, (calls - (before[name] ?? 0)) / K])
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
  console.log(`\n${K} sequential publishes in ${seconds.toFixed(1)} s (one process, the periodic reader reports included)`);
  console.log(`latency ms: p50 ${q(0.5)}, p99 ${q(0.99)}, max ${q(1)}`);
  console.log(`Redis commands per publish: ${per.reduce((n, [, c]) => n + c, 0).toFixed(2)}`);
  for (const [name, n] of per) console.log(`  ${name.padEnd(20)} ${n.toFixed(3)}`);
} finally {
  server.kill('SIGKILL');
  redis.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}
