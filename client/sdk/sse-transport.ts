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
import { Listeners } from './listeners.js';

type SubAck = (err: Error | null, res?: Ack<{ channels: SubscribeResult[] }>) => void;

export class SseSocket extends Listeners {
  connected = false;
  private _es: EventSource | undefined;
  /** Followed channels and the cursor each resumes from (null or "": a first visit, left out of the stream id). */
  private readonly _chans = new Map<string, string | null | undefined>();
  private _acks: SubAck[] = [];

  constructor(private readonly _url: string) {
    super();
  }

  /** Ready for subscribes at once; the stream opens with the first one. */
  connect(): this {
    this.connected = true;
    setTimeout(() => this.connected && this._fire('connect'));
    return this;
  }

  /** Closes the stream; pending acks are dropped (never answered), as the caller left. */
  disconnect(): this {
    this.connected = false;
    this._close();
    return this;
  }

  timeout(ms: number): { emit: (name: string, req: unknown, cb: SubAck) => void } {
    return {
      emit: (name, req, cb) => {
        let done = false;
        // (null, undefined) is a dropped ack: no answer at all.
        const once: SubAck = (err, res) => !done && ((done = true), clearTimeout(timer), (err || res) && cb(err, res));
        const timer = setTimeout(() => once(new Error('timeout')), ms);
        this._send(name, req, once);
      },
    };
  }

  emit(name: string, req: unknown, ack?: (res: unknown) => void): this {
    this._send(name, req, (_err, res) => res && ack?.(res));
    return this;
  }

  private _send(name: string, req: unknown, ack: SubAck): void {
    if (name === 'channels:subscribe') {
      for (const { channel, cursor } of (req as SubscribeRequest).channels) this._chans.set(channel, cursor);
      this._acks.push(ack);
    } else {
      const channels = (req as { channels: string[] }).channels;
      for (const c of channels) this._chans.delete(c);
      ack(null, { data: { channels: [] } });
    }
    this._open();
  }

  private _close(err: Error | null = null): void {
    this._es?.close();
    this._es = undefined;
    const acks = this._acks;
    this._acks = [];
    for (const ack of acks) ack(err);
  }

  private _open(): void {
    if (!this.connected) return;
    this._es?.close();
    this._es = undefined;
    if (!this._chans.size) return this._close();
    const cursors = new Map([...this._chans].filter((e): e is [string, string] => !!e[1]));
    const es = new EventSource(`${this._url}/api/v1/stream?channels=${[...this._chans.keys()].join()}&after=${encodeURIComponent(formatStreamId(cursors))}`);
    this._es = es;
    const on = (name: string, fn: (data: never) => void): void =>
      es.addEventListener(name, (m) => this._es === es && fn(JSON.parse((m as MessageEvent<string>).data) as never));
    on('channel:snapshot', (s: { channel: string; cursor: string }) => {
      if (this._chans.has(s.channel)) this._chans.set(s.channel, s.cursor);
      this._fire('channel:snapshot', s);
    });
    on('headline:event', (e: TickerEvent) => {
      if (this._chans.has(e.channel)) this._chans.set(e.channel, formatCursor(e));
      this._fire('headline:event', e);
    });
    on('channels:subscribed', (data) => {
      const acks = this._acks;
      this._acks = [];
      for (const ack of acks) ack(null, { data });
    });
    on('server:draining', (n) => this._fire('server:draining', n));
    es.onerror = () => {
      if (this._es !== es) return;
      this.connected = false;
      this._close(new Error('stream lost'));
      this._fire('disconnect');
    };
  }
}
