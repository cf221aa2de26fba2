/**
 * The shipped deploy/nginx.conf in front of two server processes on one Redis (as in
 * docker-compose.yml): WebSocket readers from one address spread over both replicas (a whole NAT
 * is not pinned to one), Socket.IO clients that start with long-polling keep every request of
 * their session on one replica and upgrade, and every reader gets a headline published after.
 */
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientToServerEvents, ServerToClientEvents, TickerEvent } from '../shared/index.js';
import { ADMIN_KEY, apiClient } from './helpers/app.js';
import { startCluster, type Cluster } from './helpers/cluster.js';
import { startNginx, type NginxProcess } from './helpers/nginx.js';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Connects through the proxy, subscribes to `channel` and records every headline it is sent. */
async function reader(url: string, channel: string, transports: string[]) {
  const socket: Client = io(url, { transports, forceNew: true, reconnection: false });
  const texts: string[] = [];
  const waiting = new Map<string, () => void>();
  const record = (text: string) => {
    texts.push(text);
    waiting.get(text)?.();
  };
  socket.on('headline:event', (e: TickerEvent) => void (e.headline && record(e.headline.headline)));
  socket.on('channel:snapshot', (s) => s.headlines.forEach((h) => record(h.headline)));
  const ack = await socket.timeout(10_000).emitWithAck('channels:subscribe', { channels: [{ channel }] });
  if ('error' in ack) throw new Error(ack.error.code);
  /** Resolves when `text` has arrived (at once if it already has). */
  const received = (text: string) => new Promise<void>((resolve) => (texts.includes(text) ? resolve() : waiting.set(text, resolve)));
  return { socket, texts, received };
}

/** Readers of `channel` connected to one process, from its own /metrics. */
async function localReaders(url: string, channel: string): Promise<number> {
  const text = await (await apiClient(url)('/metrics', { key: ADMIN_KEY })).text();
  return Number(text.match(new RegExp(`^ticker_readers\\{channel="${channel}"\\} (\\d+)`, 'm'))?.[1] ?? 0);
}

describe('deploy/nginx.conf in front of two replicas', () => {
  let cluster: Cluster;
  let nginx: NginxProcess;
  const sockets: Client[] = [];

  beforeAll(async () => {
    cluster = await startCluster(2);
    nginx = await startNginx(cluster.servers.map((s) => s.url));
  }, 90_000);
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await nginx?.stop();
    await cluster?.cleanup();
  });

  it('balances WebSocket readers from one address over both replicas, pins polling sessions, and every reader gets the headline', async () => {
    const channel = `nginx-${Date.now().toString(36)}`;
    const api = apiClient(nginx.url);
    // A headline first: public reader counts name only channels that have had one.
    expect((await api(`/api/v1/channels/${channel}/headlines`, { method: 'POST', body: JSON.stringify({ headline: 'Before the readers', language: 'en' }) })).status).toBe(201);

    const ws = [];
    for (let i = 0; i < 12; i++) ws.push(await reader(nginx.url, channel, ['websocket']));
    // Default Socket.IO clients: long-polling first, then the upgrade, which must reach the same process.
    const polling = [];
    for (let i = 0; i < 4; i++) {
      const r = await reader(nginx.url, channel, ['polling', 'websocket']);
      if (r.socket.io.engine.transport.name !== 'websocket') await new Promise((resolve) => r.socket.io.engine.once('upgrade', resolve));
      polling.push(r);
    }
    sockets.push(...[...ws, ...polling].map((r) => r.socket));
    expect(polling.every((r) => r.socket.connected && r.socket.io.engine.transport.name === 'websocket')).toBe(true);

    // /metrics counts each process's own sockets: all sixteen are there, on both replicas.
    const counts = () => Promise.all(cluster.servers.map((s) => localReaders(s.url, channel)));
    await expect.poll(async () => (await counts()).reduce((a, b) => a + b), { timeout: 10_000 }).toBe(16);
    // least_conn over twelve sequential WebSocket readers from one address: both replicas serve some.
    expect(Math.min(...(await counts()))).toBeGreaterThanOrEqual(3);

    expect((await api(`/api/v1/channels/${channel}/headlines`, { method: 'POST', body: JSON.stringify({ headline: 'Through the proxy', language: 'en' }) })).status).toBe(201);
    const all = [...ws, ...polling];
    await Promise.all(all.map((r) => r.received('Through the proxy')));
    for (const r of all) expect(r.texts.filter((t) => t === 'Through the proxy')).toHaveLength(1);
  }, 60_000);
});
