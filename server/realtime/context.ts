/**
 * What a gateway's handlers get for one socket: its logger (made on first use) and the strike
 * counter that closes a socket past its budget of bad events. A class, so `log` and `strike` live
 * on the prototype: a connected reader costs one small object here, not two closures and their
 * scope (thousands of idle readers per process make that count).
 */
import type { Logger } from 'pino';
import { ERRORS, type ErrorCode } from '../../shared/index.js';
import type { SocketContext, TickerSocket } from './socket.js';

/** Tells the client why (`connection:closing`), then closes. Once. */
export function closeSocket(socket: TickerSocket, code: ErrorCode): void {
  if (socket.data.closing) return;
  socket.data.closing = true;
  socket.emit('connection:closing', { code, message: ERRORS[code].title });
  socket.disconnect(true);
}

export class GatewayContext implements SocketContext {
  constructor(
    readonly socket: TickerSocket,
    private readonly logger: Logger,
  ) {}

  log(): Logger {
    return (this.socket.data.log ??= this.logger.child({ socketId: this.socket.id }));
  }

  strike(reason: string): void {
    const { data } = this.socket;
    if (data.closing) return;
    // Debug only: a flood of bad events must not become a flood of log lines.
    if (this.logger.isLevelEnabled('debug')) this.log().debug({ reason }, 'bad socket event');
    if (!data.budget.strike()) return;
    this.log().info({ badEvents: data.budget.strikes }, 'closing a socket that sent too many unknown or invalid events');
    closeSocket(this.socket, 'TOO_MANY_BAD_EVENTS');
  }
}
