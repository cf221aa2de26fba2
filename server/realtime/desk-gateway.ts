/**
 * The newsroom side of the gateway: `desk:subscribe` follows every document change of channels
 * the handshake's API key may publish to, and receives reader counts each time presence reads
 * them again (every few seconds).
 */
import { z } from 'zod';
import { channelSchema } from '../../shared/index.js';
import { canPublish, type KeyRing } from '../auth/keys.js';
import { AppError } from '../domain/errors.js';
import type { Engine } from '../engine/types.js';
import type { Presence } from '../presence/presence.js';
import { fail, handler } from './handler.js';
import { DESK_ALL, deskRoomOf, type SocketContext, type TickerServer, type TickerSocket } from './socket.js';

export const DESK_EVENTS = ['desk:subscribe'] as const;

export interface DeskGatewayOptions {
  keys: KeyRing;
  engine: Engine;
  /** Reader counts over every process, as presence last read them. */
  presence: Presence;
}

const deskSchema = z.strictObject({ channels: z.array(channelSchema).min(1).max(100) });

/** Sends desk changes and reader counts to the desk rooms. Returns the function that stops it. */
export function startDeskFeed(io: TickerServer, options: DeskGatewayOptions): () => void {
  const off = options.engine.on('desk', (doc) => io.to(deskRoomOf(doc.channel)).emit('desk:change', doc));
  const offReaders = options.presence.on('refreshed', (channels) => {
    if (io.of('/').adapter.rooms.get(DESK_ALL)?.size) io.to(DESK_ALL).emit('desk:readers', { channels });
  });
  return () => {
    off();
    offReaders();
  };
}

const keyOf = (socket: TickerSocket): unknown => (socket.handshake.auth as { key?: unknown } | undefined)?.key;

/** Whether the socket came with a key in its handshake: a desk, or someone trying. Readers do not. */
export const hasDeskKey = (socket: TickerSocket): boolean => typeof keyOf(socket) === 'string';

const withoutKey = () => fail('UNAUTHENTICATED', 'connect with io(url, { auth: { key } })');

/**
 * A desk event from a socket without a key (a reader): validated and refused as the listener
 * would, but with no listener on every reader socket. `args` as Socket.IO delivered them.
 */
export function refuseDeskEvent(ctx: SocketContext, args: unknown[]): void {
  handler(ctx, deskSchema, withoutKey, { event: 'desk:subscribe' })(...args);
}

/** The desk listeners, for sockets with a key in the handshake (see hasDeskKey). */
export function deskHandlers(ctx: SocketContext, options: DeskGatewayOptions): void {
  const { socket } = ctx;
  const { engine } = options;
  socket.on('desk:subscribe', handler(ctx, deskSchema, async ({ channels }) => {
    const key = keyOf(socket);
    const principal = typeof key === 'string' ? await options.keys.resolve(key) : undefined;
    if (!principal) return withoutKey();
    const denied = channels.filter((c) => !canPublish(principal, c));
    if (denied.length) return fail('FORBIDDEN', `the key "${principal.name}" may not publish to ${denied.join(', ')}`);
    socket.data.log = ctx.log().child({ keyName: principal.name });
    for (const channel of channels) await socket.join(deskRoomOf(channel));
    await socket.join(DESK_ALL);
    const lists = await Promise.all(channels.map((c) => engine.deskList(c)));
    const headlines = lists.flat().sort((a, b) => b.versionCreated.localeCompare(a.versionCreated));
    const readers = options.presence.clusterCounts();
    if (!readers) throw new AppError('ENGINE_UNAVAILABLE', 'reader counts could not be read');
    return { data: { channels, headlines, readers } };
  }, { event: 'desk:subscribe', fallback: 'ENGINE_UNAVAILABLE' }));
}
