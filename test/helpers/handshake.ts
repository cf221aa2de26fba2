/** Opens one socket and reports how its handshake ended: connected, or refused with the server's error. */
import { io } from 'socket.io-client';

export interface HandshakeOptions {
  /** Sent as the Origin header (as a browser would). */
  origin?: string;
  /** Sent as X-Forwarded-For (as a proxy would). */
  forwardedFor?: string;
  /** A key in handshake.auth: a desk socket. */
  key?: string;
}

export type HandshakeOutcome =
  | { connected: true }
  | { connected: false; message: string; data?: { code?: string; message?: string; retryAfter?: number } };

export function tryConnect(url: string, options: HandshakeOptions = {}): Promise<HandshakeOutcome> {
  const headers: Record<string, string> = {};
  if (options.origin) headers.origin = options.origin;
  if (options.forwardedFor) headers['x-forwarded-for'] = options.forwardedFor;
  const socket = io(url, {
    transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: headers,
    ...(options.key ? { auth: { key: options.key } } : {}),
  });
  return new Promise((resolve) => {
    socket.once('connect', () => {
      socket.disconnect();
      resolve({ connected: true });
    });
    socket.once('connect_error', (err: Error & { data?: { code?: string; message?: string; retryAfter?: number } }) => {
      socket.disconnect();
      resolve({ connected: false, message: err.message, ...(err.data ? { data: err.data } : {}) });
    });
  });
}
