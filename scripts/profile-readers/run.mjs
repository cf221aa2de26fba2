#!/usr/bin/env node
/**
 * Where the bytes and the CPU go per connected reader: the built product (dist/server/main.js,
 * memory engine) against a default Socket.IO server, in the same run.
 *
 *   npm run build && node scripts/profile-readers/run.mjs --n 3000
 *   node scripts/profile-readers/run.mjs --n 2000 --snapshot     # plus a heap diff by constructor
 *
 * For each target: start it (with --expose-gc and probe.mjs), read memory after a full GC,
 * connect N socket.io-client readers to one channel (100 handshakes in flight), read memory
 * again; per reader = difference / N (and the server's CPU time during the ramp / N: the
 * handshake, the subscribe and its catch-up). Then publish `--burst` headlines and count the server
 * process's CPU time per delivery (utime + stime from /proc). Every reader must get every
 * headline, or the run says so. The readers live in this process; the servers in their own.
 *
 * Flags: --n N (default 3000), --targets product,socketio, --burst K (default 20), --repeat R
 * (runs each target R times, interleaved, and reports the median of each figure),
 * --snapshot (heap snapshots before and after the readers, summarised per reader; writing a
 * snapshot grows the process, so take RSS figures from a run without it),
 * --node-options "…" (extra node flags for the product only), e.g.
 * --node-options="--cpu-prof --cpu-prof-dir=/tmp/prof" (the product is stopped with SIGTERM, so it is written).
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort } from './free-port.mjs';
import { io } from 'socket.io-client';
import { diff, summarise } from './heap-summary.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PROBE = pathToFileURL(fileURLToPath(new URL('./probe.mjs', import.meta.url))).href;
const KEY = `profile-${randomBytes(12).toString('hex')}`;

const { values: opts } = parseArgs({
  options: {
    n: { type: 'string', default: '3000' },
    targets: { type: 'string', default: 'product,socketio' },
    burst: { type: 'string', default: '20' },
    repeat: { type: 'string', default: '1' },
    snapshot: { type: 'boolean', default: false },
    'node-options': { type: 'string', default: '' },
  },
});
const N = Number(opts.n);
const BURST = Number(opts.burst);

const TARGETS = {
  product: {
    label: 'product (memory engine)',
    script: join(ROOT, 'dist/server/main.js'),
    nodeArgs: () => opts['node-options'].split(' ').filter(Boolean),
    env: () => ({
      HOST: '127.0.0.1', LOG_LEVEL: 'info', NODE_ENV: 'development',
      API_KEYS: JSON.stringify([{ name: 'profile', key: KEY, scopes: ['admin'] }]),
      RATE_LIMIT_SOCKET: '1000000/60s', RATE_LIMIT_READ: '1000000/60s', RATE_LIMIT_PUBLISH: '1000000/60s',
    }),
    ready: 'news-ticker listening',
    subscribe: (socket, channel) => new Promise((resolve, reject) =>
      socket.emit('channels:subscribe', { channels: [{ channel }] }, (res) => (res?.data ? resolve() : reject(new Error(JSON.stringify(res)))))),
    publish: async (url, channel, i) => {
      const res = await fetch(`${url}/api/v1/channels/${channel}/headlines`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ headline: `Profile headline ${i}: ${'x'.repeat(200)}` }),
      });
      if (res.status !== 201) throw new Error(`publish answered ${res.status}: ${await res.text()}`);
    },
  },
  socketio: {
    label: 'default Socket.IO',
    script: fileURLToPath(new URL('./socketio-server.mjs', import.meta.url)),
    nodeArgs: () => [],
    env: () => ({}),
    ready: 'listening',
    subscribe: (socket, channel) => new Promise((resolve) => socket.emit('join', channel, () => resolve())),
    publish: async (url, channel, i) => {
      // An event of the product's shape and about its size.
      const at = new Date().toISOString();
      const event = { channel, epoch: 'abcdefghij', offset: i, type: 'published', at, headline: { uri: `urn:x:${i}`, channel, headline: `Profile headline ${i}: ${'x'.repeat(200)}`, urgency: 5, language: 'en', direction: 'ltr', versionCreated: at, firstCreated: at, version: 1 } };
      const res = await fetch(`${url}/publish/${channel}`, { method: 'POST', body: JSON.stringify(event) });
      if (res.status !== 204) throw new Error(`publish answered ${res.status}`);
    },
  },
};

/** Starts a target process with the probe; resolves once it says it listens. */
async function start(target) {
  const port = await freePort();
  const child = fork(target.script, [], {
    cwd: ROOT,
    execArgv: ['--expose-gc', '--import', PROBE, ...target.nodeArgs()],
    env: { ...process.env, PORT: String(port), ...target.env() },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  await new Promise((resolve, reject) => {
    const onData = (chunk) => {
      output += chunk;
      if (output.includes(target.ready)) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${target.label} exited with ${code}:\n${output}`)));
  });
  let next = 0;
  const ask = (msg) => new Promise((resolve) => {
    const id = next++;
    const onMessage = (m) => {
      if (m?.id !== id) return;
      child.off('message', onMessage);
      resolve(m);
    };
    child.on('message', onMessage);
    child.send({ ...msg, id });
  });
  return { child, url: `http://127.0.0.1:${port}`, ask, output: () => output };
}

/** Server CPU time so far, in microseconds (user + system, from /proc). */
function cpuMicros(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100; // clock ticks at 100 Hz
}

async function connectAll(target, url, channel) {
  const readers = [];
  let failed = 0;
  const one = async () => {
    const socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false });
    const reader = { socket, got: 0 };
    socket.on('headline:event', () => reader.got++);
    await new Promise((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    await target.subscribe(socket, channel);
    readers.push(reader);
  };
  let started = 0;
  const lane = async () => {
    while (started < N) {
      started++;
      await one().catch(() => failed++);
    }
  };
  await Promise.all(Array.from({ length: 100 }, lane));
  return { readers, failed };
}

async function snapshotSummary(server, tag) {
  const file = join(tmpdir(), `profile-readers-${process.pid}-${tag}.heapsnapshot`);
  await server.ask({ type: 'snapshot', file });
  const rows = summarise(file);
  rmSync(file, { force: true });
  return rows;
}

const kb = (bytes) => (bytes / 1024).toFixed(2);

async function run(name) {
  const target = TARGETS[name];
  const server = await start(target);
  const channel = `profile-${randomBytes(3).toString('hex')}`;
  try {
    // The product lists reader counts only for channels with a headline; and a channel's state
    // is part of the "before", not of the readers.
    await target.publish(server.url, channel, 0);
    const before = await server.ask({ type: 'mem' });
    const heapBefore = opts.snapshot ? await snapshotSummary(server, `${name}-before`) : undefined;
    const t0 = Date.now();
    const rampCpu0 = cpuMicros(server.child.pid);
    const { readers, failed } = await connectAll(target, server.url, channel);
    const rampCpu = cpuMicros(server.child.pid) - rampCpu0;
    const rampS = (Date.now() - t0) / 1000;
    await new Promise((r) => setTimeout(r, 1000)); // let the last handshakes' garbage settle before the GC
    const after = await server.ask({ type: 'mem' });
    const heapAfter = opts.snapshot ? await snapshotSummary(server, `${name}-after`) : undefined;

    const cpu0 = cpuMicros(server.child.pid);
    const b0 = Date.now();
    for (let i = 1; i <= BURST; i++) await target.publish(server.url, channel, i);
    const want = readers.length * BURST;
    const deadline = Date.now() + 60_000;
    let got = 0;
    while (Date.now() < deadline) {
      got = readers.reduce((n, r) => n + r.got, 0);
      if (got >= want) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const burstS = (Date.now() - b0) / 1000;
    const cpu = cpuMicros(server.child.pid) - cpu0;
    for (const r of readers) r.socket.disconnect();
    const n = readers.length;
    return {
      name, label: target.label, n, failed, rampS, cpuPerConnect: rampCpu / Math.max(1, n),
      rss: (after.rss - before.rss) / n, heap: (after.heapUsed - before.heapUsed) / n, external: (after.external - before.external) / n,
      rssAfterMb: after.rss / 2 ** 20,
      delivered: got, want, burstS, cpuPerDelivery: cpu / Math.max(1, got),
      heapRows: heapBefore && heapAfter ? diff(heapBefore, heapAfter) : undefined,
    };
  } finally {
    // SIGTERM first, so a product run with --cpu-prof writes its profile as it exits.
    const exited = new Promise((resolve) => server.child.once('exit', resolve));
    server.child.kill('SIGTERM');
    const timer = setTimeout(() => server.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}

/** The median of each figure over a target's runs (RSS moves with the allocator: one run is noisy). */
function median(runs) {
  const mid = (k) => {
    const sorted = runs.map((r) => r[k]).sort((a, b) => a - b);
    return sorted[Math.floor((sorted.length - 1) / 2)];
  };
  const out = { ...runs[0] };
  for (const k of ['rampS', 'cpuPerConnect', 'rss', 'heap', 'external', 'rssAfterMb', 'burstS', 'cpuPerDelivery']) out[k] = mid(k);
  out.failed = Math.max(...runs.map((r) => r.failed));
  out.delivered = Math.min(...runs.map((r) => r.delivered));
  return out;
}

const names = opts.targets.split(',');
for (const name of names) if (!TARGETS[name]) throw new Error(`unknown target ${name}; known: ${Object.keys(TARGETS).join(', ')}`);
const runs = Object.fromEntries(names.map((name) => [name, []]));
for (let i = 0; i < Number(opts.repeat); i++) for (const name of names) runs[name].push(await run(name)); // interleaved
const results = names.map((name) => median(runs[name]));
const sio = results.find((r) => r.name === 'socketio');
const ratio = (r, k) => (sio && r !== sio ? `${(r[k] / sio[k]).toFixed(2)}×` : '');
console.log(`\nN = ${N} readers, one channel; per reader after a full GC; ${BURST} headlines for the CPU figure; median of ${opts.repeat} run(s) per target\n`);
console.log('| target | readers | failed | ramp s | CPU µs / connect + subscribe | ×SIO | RSS / reader KB | ×SIO | heap / reader KB | ×SIO | external / reader KB | RSS after MB | delivered | CPU µs / delivery | ×SIO |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of results) {
  console.log(`| ${r.label} | ${r.n} | ${r.failed} | ${r.rampS.toFixed(1)} | ${r.cpuPerConnect.toFixed(0)} | ${ratio(r, 'cpuPerConnect')} | ${kb(r.rss)} | ${ratio(r, 'rss')} | ${kb(r.heap)} | ${ratio(r, 'heap')} | ${kb(r.external)} | ${r.rssAfterMb.toFixed(1)} | ${r.delivered}/${r.want} | ${r.cpuPerDelivery.toFixed(2)} | ${ratio(r, 'cpuPerDelivery')} |`);
}
for (const r of results) {
  if (!r.heapRows) continue;
  console.log(`\nHeap growth per reader by constructor, ${r.label} (self sizes, bytes; count per reader)\n`);
  console.log('| what | bytes / reader | objects / reader |');
  console.log('| --- | ---: | ---: |');
  for (const row of r.heapRows.slice(0, 30)) console.log(`| ${row.key.replace(/\|/g, '\\|').slice(0, 60)} | ${(row.size / r.n).toFixed(1)} | ${(row.count / r.n).toFixed(2)} |`);
}
const incomplete = results.filter((r) => r.delivered < r.want || r.failed);
if (incomplete.length) {
  console.error(`\nincomplete: ${incomplete.map((r) => r.label).join(', ')}`);
  process.exitCode = 1;
}
process.exit();
