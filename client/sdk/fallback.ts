/**
 * WebSocket first, SSE when it cannot be had: a socket-shaped switch between a Socket.IO socket and
 * an SseSocket, so TickerClient keeps one path for cursors, de-duplication and state events.
 *
 * After `failures` WebSocket attempts in a row that fail to open (before any opened on this page)
 * or drop within `stableMs` of opening (a proxy that breaks WebSockets), the next connect uses
 * the SSE stream. A server that is away (connect errors after the WebSocket has worked) is
 * waited for on the WebSocket. While on SSE, a WebSocket
 * is tried every `probeMs`; when one opens, the SSE stream is closed and the client resubscribes
 * over the WebSocket from its cursors (`connect` again, no drop in between: repeats are ignored).
 */
import { io } from 'socket.io-client';
import type { TickerSocket } from './client.js';
import { Listeners } from './listeners.js';
import { SseSocket } from './sse-transport.js';

export interface FallbackOptions {
  /** WebSocket failures in a row before SSE is used. @default 2 */
  failures?: number;
  /** A WebSocket that drops sooner than this after opening counts as a failure. @default 15000 */
  stableMs?: number;
  /** How often a WebSocket is tried again while on SSE. @default 30000 */
  probeMs?: number;
}

type Either = TickerSocket | SseSocket;

export class FallbackSocket extends Listeners {
  private readonly _ws: TickerSocket;
  private readonly _sse: SseSocket;
  private _cur: Either;
  private _fails = 0;
  private _openedAt = 0;
  private _probe: ReturnType<typeof setTimeout> | undefined;
  private readonly _o: Required<FallbackOptions>;
  /** The WebSocket's handshake auth, the same object (TickerClient adds `batch: true` to it). */
  readonly auth: Record<string, unknown>;

  constructor(url: string, options: FallbackOptions = {}) {
    super();
    this._o = { failures: 2, stableMs: 15_000, probeMs: 30_000, ...options };
    this._ws = io(url, { transports: ['websocket'], reconnection: false, autoConnect: false, forceNew: true, auth: (this.auth = {}) });
    this._sse = new SseSocket(url);
    this._cur = this._ws;
    for (const name of ['connect', 'disconnect', 'connect_error', 'server:draining', 'channel:snapshot', 'headline:event', 'headline:events']) {
      // Passed on from the transport in use (before or after this event switched it).
      const from = (src: Either) => (arg?: unknown) => {
        const was = src === this._cur;
        if (src === this._ws) this._watch(name);
        if (was || src === this._cur) this._fire(name, arg);
      };
      (this._ws as unknown as SseSocket).on(name, from(this._ws));
      this._sse.on(name, from(this._sse));
    }
  }

  /** Which transport is in use. */
  get transport(): 'websocket' | 'sse' {
    return this._cur === this._ws ? 'websocket' : 'sse';
  }

  get connected(): boolean {
    return this._cur.connected;
  }

  /**
   * WebSocket health: count failures, fall back, or come back from SSE when a probe opens. A
   * WebSocket that never opened fails on each connect error; one that has opened on this page
   * fails only by dropping soon after opening (connect errors then mean the server is away).
   */
  private _watch(name: string): void {
    const now = Date.now();
    if (name === 'connect') {
      this._openedAt = now;
      if (this._cur === this._sse) {
        clearTimeout(this._probe);
        this._cur = this._ws;
        this._sse.disconnect();
        this._fails = 0;
      }
      return;
    }
    if (name !== 'disconnect' && name !== 'connect_error') return;
    if (this._cur === this._sse) return this._schedule();
    if (name === 'disconnect') this._fails = now - this._openedAt < this._o.stableMs ? this._fails + 1 : 0;
    else if (!this._openedAt) this._fails++;
    if (this._fails >= this._o.failures) {
      this._cur = this._sse;
      this._fails = 0;
      this._schedule();
    }
  }

  private _schedule(): void {
    clearTimeout(this._probe);
    this._probe = setTimeout(() => this._cur === this._sse && this._ws.connect(), this._o.probeMs);
  }

  connect(): this {
    if (this._cur === this._sse) this._schedule();
    this._cur.connect();
    return this;
  }

  disconnect(): this {
    clearTimeout(this._probe);
    this._ws.disconnect();
    this._sse.disconnect();
    return this;
  }

  emit(name: string, req: unknown, ack?: (res: unknown) => void): this {
    (this._cur as SseSocket).emit(name, req, ack);
    return this;
  }

  timeout(ms: number): ReturnType<SseSocket['timeout']> {
    return (this._cur as SseSocket).timeout(ms);
  }
}

/** A SocketFactory for TickerClient: WebSocket, falling back to SSE (see FallbackSocket). */
export const fallbackSocketFactory = (options?: FallbackOptions) => (url: string): TickerSocket =>
  new FallbackSocket(url, options) as unknown as TickerSocket;
