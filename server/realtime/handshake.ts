/**
 * Socket.IO handshake checks, run before a socket reaches the gateway (`io.use`):
 * - origin: reader sockets from the CORS_ORIGINS allowlist (any origin by default: widgets are
 *   embedded everywhere); desk sockets (a key in `handshake.auth`) only from the server's own
 *   origin (the dashboard) or with no Origin (server-to-server);
 * - the per-address connection limit, the address derived as Express derives `req.ip`.
 * A refused socket gets `connect_error` with `message` = the error code and `data` = { code,
 * message, retryAfter? }, and its connection is closed.
 */
import type { Logger } from 'pino';
import type { Socket } from 'socket.io';
import { ERRORS, type ErrorCode } from '../../shared/index.js';
import { clientAddress, type TrustFn } from '../http/client-address.js';
import { retryAfterSec } from '../limits/http.js';
import type { Limiter } from '../limits/limiter.js';

export interface HandshakeOptions {
  limiter: Limiter;
  /** Express's compiled `trust proxy fn`. */
  trust: () => TrustFn;
  corsOrigins: string[] | '*';
  logger: Logger;
}

interface RefusalData {
  code: ErrorCode;
  message: string;
  retryAfter?: number;
}

type Next = (err?: Error & { data?: RefusalData }) => void;

function refuse(socket: Socket, next: Next, data: RefusalData): void {
  const err: Error & { data?: RefusalData } = new Error(data.code);
  err.data = data;
  next(err);
  // Socket.IO writes the CONNECT_ERROR on the next tick; close the connection once it is out,
  // so a refused client holds nothing on the server.
  setImmediate(() => socket.conn.close());
}

function sameHost(origin: string, host: string | undefined): boolean {
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}

export function handshakeGuard(options: HandshakeOptions): (socket: Socket, next: Next) => Promise<void> {
  const { limiter, corsOrigins } = options;
  const log = options.logger.child({ component: 'handshake' });
  return async (socket, next) => {
    const { origin, host } = socket.handshake.headers;
    const desk = typeof (socket.handshake.auth as { key?: unknown } | undefined)?.key === 'string';
    if (origin !== undefined) {
      const allowed = desk ? sameHost(origin, host) : corsOrigins === '*' || corsOrigins.includes(origin);
      if (!allowed) {
        log.debug({ origin: origin.slice(0, 200), desk }, 'socket origin refused');
        const message = desk ? 'the desk feed is open only to the dashboard on this server' : `${ERRORS.ORIGIN_NOT_ALLOWED.title}: ${origin.slice(0, 200)}`;
        return refuse(socket, next, { code: 'ORIGIN_NOT_ALLOWED', message });
      }
    }
    const address = clientAddress(socket.request, options.trust());
    const d = await limiter.take(`ip:${address}`);
    if (d && !d.allowed) {
      log.debug({ limit: d.policy }, 'socket connection rate limited');
      const retryAfter = retryAfterSec(d);
      return refuse(socket, next, {
        code: 'RATE_LIMITED',
        message: `too many connections from this address: the limit is ${d.rule.points} per ${d.rule.windowSec} s; retry in ${retryAfter} s`,
        retryAfter,
      });
    }
    next();
  };
}
