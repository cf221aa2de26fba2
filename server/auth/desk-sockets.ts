/**
 * Keeps open desk sockets honest: when any account changes on any process, every desk socket
 * here re-checks its key; a socket whose key was rotated away or revoked, or that lost a channel
 * it follows, is disconnected (it may reconnect and sign in again with a valid key).
 */
import type { Logger } from 'pino';
import { canPublish } from '../../shared/scopes.js';
import type { AccountDirectory } from './accounts.js';
import type { KeyRing } from './keys.js';

const DESK_ROOM = 'desk:';

/** What this needs of a Socket.IO server: its sockets, their handshake auth and rooms. */
export interface SocketsHost {
  of(name: '/'): { sockets: Map<string, { id: string; handshake: { auth: unknown }; rooms: Set<string>; disconnect(close?: boolean): unknown }> };
}

export function watchDeskSockets(io: SocketsHost, keys: KeyRing, people: AccountDirectory, logger: Logger): () => void {
  let running: Promise<void> | undefined;
  let again = false;
  const recheck = async (): Promise<void> => {
    for (const socket of io.of('/').sockets.values()) {
      const key = (socket.handshake.auth as { key?: unknown } | undefined)?.key;
      const followed = [...socket.rooms].filter((r) => r.startsWith(DESK_ROOM)).map((r) => r.slice(DESK_ROOM.length));
      if (typeof key !== 'string' || followed.length === 0) continue;
      const principal = await keys.resolve(key).catch(() => undefined);
      if (principal && followed.every((c) => canPublish(principal, c))) continue;
      logger.info({ socketId: socket.id, keyName: principal?.name ?? null }, 'desk socket disconnected: key revoked, rotated or narrowed');
      socket.disconnect(true);
    }
  };
  const run = (): void => {
    if (running) {
      again = true;
      return;
    }
    running = recheck()
      .catch((err: unknown) => logger.error({ err }, 'desk socket recheck failed'))
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          run();
        }
      });
  };
  return people.onChange(run);
}
