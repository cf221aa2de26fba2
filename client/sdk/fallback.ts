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
import { SseSocket } from './sse-transport.js';

export interface FallbackOptions {
  /** WebSocket failures in a row before SSE is used. @default 2 */
  failures?: number;
  /** A WebSocket that drops sooner than this after opening counts as a failure. @default 15000 */
  stableMs?: number;
  /** How often a WebSocket is tried again while on SSE. @default 30000 */
  probeMs?: number;
}

type Fn = (arg?: unknown) => void;
type Either = TickerSocket | SseSocket;

export class FallbackSocket {
  private readonly ws: TickerSocket;
  private readonly sse: SseSocket;
  private cur: Either;
  private ls: Record<string, Fn[]> = {};
  private fails = 0;
  private openedAt = 0;
  private probe: ReturnType<typeof setTimeout> | undefined;
  private readonly o: Required<FallbackOptions>;
  /** The WebSocket's handshake auth, the same object (TickerClient adds `batch: true` to it). */
  readonly auth: Record<string, unknown>;

  constructor(url: string, options: FallbackOptions = {}) {
    this.o = { failures: 2, stableMs: 15_000, probeMs: 30_000, ...options };
    this.ws = io(url, { transports: ['websocket'], reconnection: false, autoConnect: false, forceNew: true, auth: (this.auth = {}) });
    this.sse = new SseSocket(url);
    this.cur = this.ws;
    for (const name of ['connect', 'disconnect', 'connect_error', 'server:draining', 'channel:snapshot', 'headline:event', 'headline:events']) {
      // Passed on from the transport in use (before or after this event switched it).
      const from = (src: Either) => (arg?: unknown) => {
        const was = src === this.cur;
        if (src === this.ws) this.watch(name);
        if (was || src === this.cur) for (const fn of this.ls[name] ?? []) fn(arg);
      };
      (this.ws as unknown as SseSocket).on(name, from(this.ws));
      this.sse.on(name, from(this.sse));
    }
  }

  /** Which transport is in use. */
  get transport(): 'websocket' | 'sse' {
    return this.cur === this.ws ? 'websocket' : 'sse';
  }

  get connected(): boolean {
    return this.cur.connected;
  }

  /**
   * WebSocket health: count failures, fall back, or come back from SSE when a probe opens. A
   * WebSocket that never opened fails on each connect error; one that has opened on this page
   * fails only by dropping soon after opening (connect errors then mean the server is away).
   */
  private watch(name: string): void {
    const now = Date.now();
    if (name === 'connect') {
      this.openedAt = now;
      if (this.cur === this.sse) {
        clearTimeout(this.probe);
        this.cur = this.ws;
        this.sse.disconnect();
        this.fails = 0;
      }
      return;
    }
    if (name !== 'disconnect' && name !== 'connect_error') return;
    if (this.cur === this.sse) return this.schedule();
    if (name === 'disconnect') this.fails = now - this.openedAt < this.o.stableMs ? this.fails + 1 : 0;
    else if (!this.openedAt) this.fails++;
    if (this.fails >= this.o.failures) {
      this.cur = this.sse;
      this.fails = 0;
      this.schedule();
    }
  }

  private schedule(): void {
    clearTimeout(this.probe);
    this.probe = setTimeout(() => this.cur === this.sse && this.ws.connect(), this.o.probeMs);
  }

  on(name: string, fn: Fn): this {
    (this.ls[name] ??= []).push(fn);
    return this;
  }

  off(): this {
    this.ls = {};
    return this;
  }

  connect(): this {
    if (this.cur === this.sse) this.schedule();
    this.cur.connect();
    return this;
  }

  disconnect(): this {
    clearTimeout(this.probe);
    this.ws.disconnect();
    this.sse.disconnect();
    return this;
  }

  emit(name: string, req: unknown, ack?: (res: unknown) => void): this {
    (this.cur as SseSocket).emit(name, req, ack);
    return this;
  }

  timeout(ms: number): ReturnType<SseSocket['timeout']> {
    return (this.cur as SseSocket).timeout(ms);
  }
}

/** A SocketFactory for TickerClient: WebSocket, falling back to SSE (see FallbackSocket). */
export const fallbackSocketFactory = (options?: FallbackOptions) => (url: string): TickerSocket =>
  new FallbackSocket(url, options) as unknown as TickerSocket;
