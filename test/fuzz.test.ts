/**
 * Fuzz: a generated corpus of engine.io and Socket.IO packets (every packet type, odd event
 * names and arities, binary attachments, huge and nested payloads, acks on everything, bad
 * namespaces) over raw websockets, then odd `emit`s from socket.io-client. After each case the
 * server must answer a valid request or have closed that connection; after the corpus the
 * process is alive and healthy and a normal reader still gets a published headline.
 * Reproduce a run with FUZZ_SEED=<the printed seed>.
 */
import { randomBytes } from 'node:crypto';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ack } from '../shared/protocol.js';
import { apiClient, useServer, type TickerClientSocket } from './helpers/app.js';
import { startServerProcess, type ServerProcess } from './helpers/cluster.js';
import { Reader } from './helpers/reader.js';
import { startRedis, type RedisProcess } from './helpers/redis.js';
import { generateCorpus } from './fuzz/corpus.js';
import { RawSocket, type ProbeResult } from './fuzz/raw-socket.js';

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : randomBytes(4).readUInt32BE();
const CASES = Number(process.env.FUZZ_CASES ?? 600);

/** A Socket.IO DISCONNECT of the main namespace (with an optional "/," and ack id). */
const LEAVES_NAMESPACE = /^41(\/,?)?\d*$/;

interface Target {
  url: string;
  /** Whether the server process is still running (a crash is observable). */
  alive(): boolean;
}

/** Sends the corpus; returns outcome counts per area. Throws if a probe is left unanswered. */
async function fuzzRaw(target: Target): Promise<{ packets: number; perArea: Record<string, Record<ProbeResult, number>> }> {
  const corpus = generateCorpus(SEED, CASES);
  const perArea: Record<string, Record<ProbeResult, number>> = {};
  let socket: RawSocket | undefined;
  let probeId = 10_000_000;
  let packets = 0;
  for (const c of corpus) {
    if (!socket || socket.closed) socket = await RawSocket.open(target.url);
    for (const frame of c.frames) socket.send(frame);
    packets += c.frames.length;
    let result: ProbeResult;
    try {
      if (c.frames.some((f) => typeof f === 'string' && LEAVES_NAMESPACE.test(f))) await socket.rejoin();
      result = await socket.probe(probeId++);
    } catch (err) {
      throw new Error(`seed ${SEED}, area "${c.area}", frames ${JSON.stringify(c.frames.map((f) => (typeof f === 'string' ? f.slice(0, 200) : `<${f.length} bytes>`)))}: ${String(err)}`);
    }
    (perArea[c.area] ??= { answered: 0, closed: 0 })[result]++;
    expect(target.alive(), `the server died after area "${c.area}" (seed ${SEED})`).toBe(true);
  }
  socket?.close();
  return { packets, perArea };
}

type LooseEmit = (...args: unknown[]) => void;

async function connectClient(url: string): Promise<TickerClientSocket> {
  const socket: TickerClientSocket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

/**
 * socket.io-client emits with odd names and arguments. Each is answered with an error ack, or
 * (a name the Socket.IO parser itself refuses, like an object) the server closes the connection.
 */
async function fuzzClient(url: string): Promise<Record<'answered' | 'closed', number>> {
  const cases: unknown[][] = [
    [1], [0], [1.5], [{ not: 'a name' }], [['array']], [null], ['channels:subscribe'], ['channels:subscribe', 1, 2, 3],
    ['channels:subscribe', { channels: [{ channel: 'ok' }] }, 'extra', 3], ['channels:subscribe', Buffer.from([1, 2, 3])],
    ['channels:subscribe', { channels: [{ channel: Buffer.from('x') }] }], ['channels:subscribe', { channels: [{ channel: 'ok', cursor: Buffer.alloc(10) }] }],
    ['desk:subscribe', null], ['desk:subscribe', { channels: ['ok'] }, { channels: ['ok'] }], ['channels:unsubscribe', () => undefined],
    ['__proto__', {}], ['constructor'], ['toString', 'x'], ['error', new Error('x').message], ['headline:publish', { channel: 'ok', headline: 'x' }],
  ];
  const counts = { answered: 0, closed: 0 };
  let socket = await connectClient(url);
  for (const args of cases) {
    if (!socket.connected) socket = await connectClient(url);
    const current = socket;
    const outcome = await new Promise<Ack<unknown> | 'closed'>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ack and no close for emit ${JSON.stringify(args)}`)), 5000);
      current.once('disconnect', () => resolve('closed'));
      current.once('disconnect', () => clearTimeout(timer));
      (current.emit.bind(current) as unknown as LooseEmit)(...args, (res: Ack<unknown>) => {
        clearTimeout(timer);
        resolve(res);
      });
    });
    if (outcome === 'closed') counts.closed++;
    else {
      counts.answered++;
      expect(outcome, JSON.stringify(args)).toMatchObject({ error: { code: expect.stringMatching(/^(UNKNOWN_EVENT|VALIDATION_FAILED)$/) } });
    }
  }
  if (!socket.connected) socket = await connectClient(url);
  // No ack at all, and a non-function "ack": nothing to answer; the socket still works after.
  (socket.emit.bind(socket) as unknown as LooseEmit)(2);
  (socket.emit.bind(socket) as unknown as LooseEmit)('channels:subscribe', { channels: 'x' }, 'not a function');
  const ok = await new Promise<Ack<unknown>>((resolve) => socket.emit('channels:unsubscribe', { channels: ['ok'] }, resolve));
  expect(ok).toEqual({ data: { channels: ['ok'] } });
  socket.disconnect();
  return counts;
}

/** A normal reader subscribes and receives a headline published over HTTP. */
async function readerStillServed(url: string, publishUrl = url): Promise<void> {
  expect((await fetch(`${url}/healthz`)).status).toBe(200);
  const channel = `fuzz-after-${randomBytes(3).toString('hex')}`;
  const reader = new Reader(url, [channel]);
  await reader.subscribe();
  const res = await apiClient(publishUrl)(`/api/v1/channels/${channel}/headlines`, { method: 'POST', body: JSON.stringify({ headline: 'still here' }) });
  expect(res.status).toBe(201);
  await reader.waitFor(() => reader.events.some((e) => e.headline?.headline === 'still here'), 'the headline after the fuzz');
  reader.disconnect();
}

function report(label: string, r: { packets: number; perArea: Record<string, Record<ProbeResult, number>> }, emits: Record<ProbeResult, number>): void {
  const rows = Object.entries(r.perArea).map(([area, n]) => `  ${area.padEnd(42)} answered ${n.answered}, closed ${n.closed}`);
  rows.push(`  ${'socket.io-client odd emits'.padEnd(42)} answered ${emits.answered}, closed ${emits.closed}`);
  process.stdout.write(`\nfuzz [${label}] seed ${SEED}: ${CASES} cases, ${r.packets} packets\n${rows.join('\n')}\n`);
}

// The memory engine in this process (a crash fails the run); Redis in a server process below.
describe.each(['memory'] as const)('fuzz, in process, %s engine', (kind) => {
  const server = useServer(kind);

  it(`survives ${CASES} generated cases and still serves readers`, async () => {
    const result = await fuzzRaw({ url: server.url, alive: () => true });
    const emits = await fuzzClient(server.url);
    report(kind, result, emits);
    expect(result.packets).toBeGreaterThanOrEqual(500);
    await readerStillServed(server.url);
  }, 180_000);
});

describe('fuzz, a server process on Redis', () => {
  let redis: RedisProcess;
  let proc: ServerProcess;
  beforeAll(async () => {
    redis = await startRedis();
    proc = await startServerProcess({ REDIS_URL: redis.url, REDIS_PREFIX: `f${randomBytes(3).toString('hex')}` }, 80_000);
  }, 90_000);
  afterAll(async () => {
    await proc?.kill();
    await redis?.stop();
  });

  it(`stays up through ${CASES} generated cases, logs no error, and still serves readers`, async () => {
    const alive = () => proc.proc.exitCode === null && proc.proc.signalCode === null;
    const result = await fuzzRaw({ url: proc.url, alive });
    const emits = await fuzzClient(proc.url);
    report('process, redis', result, emits);
    await readerStillServed(proc.url);
    expect(alive()).toBe(true);
    // Nothing reached the process guard or a handler's catch-all (pino levels 50 error, 60 fatal).
    const bad = proc.output().split('\n').filter((l) => /"level":(50|60)/.test(l));
    expect(bad).toEqual([]);
  }, 180_000);
});
