/**
 * The reader protocol over the SSE stream (`GET /api/v1/stream?channels=…&after=…`), shaped like
 * the few Socket.IO socket calls TickerClient makes (`on`, `off`, `connect`, `disconnect`,
 * `emit`/`timeout().emit` of `channels:subscribe` and `channels:unsubscribe`), so the client keeps
 * one code path for cursors, de-duplication and state. Each subscribe (re)opens one EventSource
 * for every followed channel from its latest cursor; its `channels:subscribed` event is the ack.
 * Any stream error closes it and reports a disconnect: TickerClient retries with its backoff and
 * the new stream resumes from the cursors (the browser's own reconnect is not used).
 */
import { formatCursor, type TickerEvent } from '../../shared/events.js';
import type { Ack, SubscribeRequest, SubscribeResult } from '../../shared/protocol.js';
import { formatStreamId } from '../../shared/stream.js';

type Fn = (arg?: unknown) => void;
type SubAck = (err: Error | null, res?: Ack<{ channels: SubscribeResult[] }>) => void;

export class SseSocket {
  connected = false;
  private es: EventSource | undefined;
  private ls: Record<string, Fn[]> = {};
  /** Followed channels and the cursor each resumes from (null or "": a first visit, left out of the stream id). */
  private readonly chans = new Map<string, string | null | undefined>();
  private acks: SubAck[] = [];

  constructor(private readonly url: string) {}

  on(name: string, fn: Fn): this {
    (this.ls[name] ??= []).push(fn);
    return this;
  }

  off(): this {
    this.ls = {};
    return this;
  }

  private fire(name: string, arg?: unknown): void {
    for (const fn of this.ls[name] ?? []) fn(arg);
  }

  /** Ready for subscribes at once; the stream opens with the first one. */
  connect(): this {
    this.connected = true;
    setTimeout(() => this.connected && this.fire('connect'));
    return this;
  }

  /** Closes the stream; pending acks are dropped (never answered), as the caller left. */
  disconnect(): this {
    this.connected = false;
    this.close();
    return this;
  }

  timeout(ms: number): { emit: (name: string, req: unknown, cb: SubAck) => void } {
    return {
      emit: (name, req, cb) => {
        let done = false;
        // (null, undefined) is a dropped ack: no answer at all.
        const once: SubAck = (err, res) => !done && ((done = true), clearTimeout(timer), (err || res) && cb(err, res));
        const timer = setTimeout(() => once(new Error('timeout')), ms);
        this.send(name, req, once);
      },
    };
  }

  emit(name: string, req: unknown, ack?: (res: unknown) => void): this {
    this.send(name, req, (_err, res) => res && ack?.(res));
    return this;
  }

  private send(name: string, req: unknown, ack: SubAck): void {
    if (name === 'channels:subscribe') {
      for (const { channel, cursor } of (req as SubscribeRequest).channels) this.chans.set(channel, cursor);
      this.acks.push(ack);
    } else {
      const channels = (req as { channels: string[] }).channels;
      for (const c of channels) this.chans.delete(c);
      ack(null, { data: { channels: [] } });
    }
    this.open();
  }

  private close(err: Error | null = null): void {
    this.es?.close();
    this.es = undefined;
    const acks = this.acks;
    this.acks = [];
    for (const ack of acks) ack(err);
  }

  private open(): void {
    if (!this.connected) return;
    this.es?.close();
    this.es = undefined;
    if (!this.chans.size) return this.close();
    const cursors = new Map([...this.chans].filter((e): e is [string, string] => !!e[1]));
    const es = new EventSource(`${this.url}/api/v1/stream?channels=${[...this.chans.keys()].join()}&after=${encodeURIComponent(formatStreamId(cursors))}`);
    this.es = es;
    const on = (name: string, fn: (data: never) => void): void =>
      es.addEventListener(name, (m) => this.es === es && fn(JSON.parse((m as MessageEvent<string>).data) as never));
    on('channel:snapshot', (s: { channel: string; cursor: string }) => {
      if (this.chans.has(s.channel)) this.chans.set(s.channel, s.cursor);
      this.fire('channel:snapshot', s);
    });
    on('headline:event', (e: TickerEvent) => {
      if (this.chans.has(e.channel)) this.chans.set(e.channel, formatCursor(e));
      this.fire('headline:event', e);
    });
    on('channels:subscribed', (data) => {
      const acks = this.acks;
      this.acks = [];
      for (const ack of acks) ack(null, { data });
    });
    on('server:draining', (n) => this.fire('server:draining', n));
    es.onerror = () => {
      if (this.es !== es) return;
      this.connected = false;
      this.close(new Error('stream lost'));
      this.fire('disconnect');
    };
  }
}
