/**
 * Key rotation and revocation across two servers on one private Redis: the change made on one is
 * in force on the other within 1 s, for HTTP requests and for open desk sockets. Run against two
 * server processes (helpers/cluster.ts) and against two apps in this process, each with its own
 * Redis connections and caches (helpers/dashboard.ts useCluster), which start fast on a loaded machine.
 */
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientToServerEvents, ServerToClientEvents } from '../shared/index.js';
import { apiClient } from './helpers/app.js';
import { startCluster, type Cluster } from './helpers/cluster.js';
import { useCluster } from './helpers/dashboard.js';
import { createPerson, peopleCall } from './helpers/people.js';

type DeskSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const status = async (url: string, key: string): Promise<number> => (await apiClient(url)('/api/v1/me', { key })).status;

/** Milliseconds until `key` is refused (401) on `url`; measured by asking, up to 3 s. */
async function msUntilRefused(url: string, key: string, since: number): Promise<number> {
  while (Date.now() - since < 3000) {
    if ((await status(url, key)) === 401) return Date.now() - since;
  }
  return Infinity;
}

async function openDesk(url: string, key: string, channel: string): Promise<DeskSocket> {
  const socket: DeskSocket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false, auth: { key } });
  const ack = await socket.emitWithAck('desk:subscribe', { channels: [channel] });
  if ('error' in ack) throw new Error(ack.error.message);
  return socket;
}

const disconnected = (socket: DeskSocket): Promise<number> =>
  new Promise((resolve) => socket.once('disconnect', () => resolve(Date.now())));

async function rotationAndRevocation(a: { url: string }, b: { url: string }, sockets: DeskSocket[]): Promise<void> {
  const issued = await createPerson(a.url, { name: 'Eli Editor', role: 'editor', channels: ['ar-*'] });
  expect(await status(b.url, issued.key)).toBe(200);
  const publish = await apiClient(b.url)('/api/v1/channels/ar-keys/headlines', { method: 'POST', key: issued.key, body: JSON.stringify({ headline: 'Keyed' }) });
  expect(publish.status).toBe(201);
  const desk = await openDesk(b.url, issued.key, 'ar-keys');
  sockets.push(desk);
  const gone = disconnected(desk);

  // The clock starts when the rotation is acknowledged (committed); under a loaded machine the
  // call itself may be slow, which is not what is measured.
  const rotated = await peopleCall(a.url, `/${issued.person.id}/rotate`);
  const t0 = Date.now();
  expect(rotated.status).toBe(200);
  const { key: newKey } = ((await rotated.json()) as { data: { key: string } }).data;
  expect(newKey).not.toBe(issued.key);

  expect(await msUntilRefused(b.url, issued.key, t0)).toBeLessThan(1000);
  expect((await gone) - t0).toBeLessThan(1000);
  expect(await status(b.url, newKey)).toBe(200);
  // The new key opens a desk; the old one is refused there too.
  sockets.push(await openDesk(b.url, newKey, 'ar-keys'));
  await expect(openDesk(b.url, issued.key, 'ar-keys')).rejects.toThrow();

  // Revocation on the other process: refused on the first within 1 s, its desk socket closed.
  const deskA = await openDesk(a.url, newKey, 'ar-keys');
  sockets.push(deskA);
  const goneA = disconnected(deskA);
  const revoked = await peopleCall(b.url, `/${issued.person.id}/revoke`);
  const t1 = Date.now();
  expect(revoked.status).toBe(200);
  expect(((await revoked.json()) as { data: { person: { revokedAt?: string } } }).data.person.revokedAt).toBeTypeOf('string');
  expect(await msUntilRefused(a.url, newKey, t1)).toBeLessThan(1000);
  expect((await goneA) - t1).toBeLessThan(1000);
  const refused = await apiClient(a.url)('/api/v1/channels/ar-keys/headlines', { method: 'POST', key: newKey, body: JSON.stringify({ headline: 'After revoke' }) });
  expect(refused.status).toBe(401);
}

describe('keys across two processes', () => {
  let cluster: Cluster;
  const sockets: DeskSocket[] = [];
  beforeAll(async () => {
    cluster = await startCluster(2);
  }, 130_000);
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await cluster?.cleanup();
  });

  it('a rotation on one process refuses the old key on the other within 1 s and closes its desk socket; so does a revocation', async () => {
    await rotationAndRevocation(cluster.servers[0]!, cluster.servers[1]!, sockets);
  }, 60_000);

  it('logs name people, never their keys', async () => {
    const [a] = cluster.servers;
    const issued = await createPerson(a!.url, { name: 'Logged Person', role: 'reporter', channels: ['en-*'] });
    await peopleCall(a!.url, `/${issued.person.id}/rotate`);
    await apiClient(a!.url)('/api/v1/me', { key: issued.key });
    for (const s of cluster.servers) expect(s.output()).not.toContain(issued.key);
    expect(a!.output()).toContain('Logged Person');
  });
});

describe('keys across two apps on one Redis (in this process)', () => {
  const cluster = useCluster(2);
  const sockets: DeskSocket[] = [];
  afterAll(() => {
    for (const s of sockets) s.disconnect();
  });

  it('a rotation on one app refuses the old key on the other within 1 s and closes its desk socket; so does a revocation', async () => {
    await rotationAndRevocation({ url: cluster.urls[0]! }, { url: cluster.urls[1]! }, sockets);
  }, 60_000);
});
