/**
 * A reader client written from docs/protocol.md alone, as a stranger would write one: no imports
 * from client/ or shared/, the types below are the doc's. It speaks Socket.IO (socket.io-client),
 * plain HTTP (fetch) and SSE over a raw HTTP response (node:http, parsing `text/event-stream`
 * itself). The conformance tests drive the server through it; what it does on each message is
 * what the doc tells a client to do ("Writing a client").
 */
import { request, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { io, type Socket } from 'socket.io-client';

export interface Headline {
  uri: string;
  channel: string;
  version: number;
  headline: string;
  firstCreated: string;
  [field: string]: unknown;
}

export interface TickerEvent {
  channel: string;
  epoch: string;
  offset: number;
  type: 'published' | 'corrected' | 'released' | 'withheld' | 'retracted' | 'expired';
  uri: string;
  version: number;
  at: string;
  headline?: Headline;
}

export interface Snapshot {
  channel: string;
  cursor: string;
  epoch: string;
  offset: number;
  headlines: Headline[];
  fresh: true;
  reason: 'first-visit' | 'cursor-too-old' | 'epoch-changed' | 'resync';
}

export interface SubscribeResult {
  channel: string;
  mode: 'events' | 'snapshot';
  cursor: string;
}

export type Ack<T> = { data: T } | { error: { code: string; message: string; errors?: { field: string; message: string }[] } };

/** What arrived on a socket, in arrival order (the ack of a subscribe included). */
export type Received =
  | { kind: 'snapshot'; body: Snapshot }
  | { kind: 'event'; body: TickerEvent }
  | { kind: 'ack'; body: Ack<{ channels: SubscribeResult[] }> };

const SHOWING = new Set(['published', 'corrected', 'released']);

/** One channel as the client shows it: the live set and the cursor of what it applied last. */
export class ChannelView {
  readonly live = new Map<string, Headline>();
  cursor: string | undefined;

  constructor(readonly channel: string) {}

  get position(): { epoch: string; offset: number } | undefined {
    if (!this.cursor) return undefined;
    const at = this.cursor.lastIndexOf(':');
    return { epoch: this.cursor.slice(0, at), offset: Number(this.cursor.slice(at + 1)) };
  }

  /** A snapshot replaces whatever was shown. */
  replace(s: Snapshot): void {
    this.live.clear();
    for (const h of s.headlines) this.live.set(h.uri, h);
    this.cursor = s.cursor;
  }

  /** A state the client saved (e.g. in localStorage) when the page closed. */
  restore(cursor: string, headlines: Headline[]): void {
    this.live.clear();
    for (const h of headlines) this.live.set(h.uri, h);
    this.cursor = cursor;
  }

  /** Show on published/corrected/released unless an equal or newer version is shown; remove otherwise. */
  apply(e: TickerEvent): void {
    const shown = this.live.get(e.uri);
    if (SHOWING.has(e.type)) {
      if (e.headline && !(shown && shown.version >= e.version)) this.live.set(e.uri, e.headline);
    } else {
      this.live.delete(e.uri);
    }
    this.cursor = `${e.epoch}:${e.offset}`;
  }

  /** The texts shown, newest first (firstCreated, then uri), as the live set is ordered. */
  texts(): string[] {
    return [...this.live.values()]
      .sort((a, b) => b.firstCreated.localeCompare(a.firstCreated) || b.uri.localeCompare(a.uri))
      .map((h) => h.headline);
  }
}

/** Resolves when `predicate` holds after a notification; rejects after a deadline (a failure, never a pass). */
class Waiters {
  private list: (() => void)[] = [];

  notify(): void {
    const list = this.list;
    this.list = [];
    for (const w of list) w();
  }

  until(predicate: () => boolean, what: string, describe: () => string, timeoutMs = 10_000): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; got ${describe()}`)), timeoutMs);
      const check = (): void => {
        if (predicate()) {
          clearTimeout(timer);
          resolve();
        } else this.list.push(check);
      };
      this.list.push(check);
    });
  }
}

/**
 * A socket reader that follows the doc: applies snapshots and events, checks `offset === last + 1`,
 * ignores repeats, and on a gap (or an event of another epoch) resubscribes the channel with the
 * cursor of the last event it applied.
 */
export class SocketReader {
  readonly received: Received[] = [];
  readonly views = new Map<string, ChannelView>();
  /** Events it applied, in order. */
  readonly applied: TickerEvent[] = [];
  /** Resubscribes it made because of a gap, with the cursor it sent. */
  readonly resubscribes: { channel: string; cursor: string | undefined; seen: string }[] = [];
  /** A test hook: events for which this returns true are dropped as if lost on the way. */
  lose: (e: TickerEvent) => boolean = () => false;
  private readonly socket: Socket;
  private readonly waiters = new Waiters();
  private readonly pending = new Set<string>();

  constructor(url: string) {
    this.socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false });
    this.socket.on('channel:snapshot', (s: Snapshot) => {
      this.received.push({ kind: 'snapshot', body: s });
      this.view(s.channel).replace(s);
      this.waiters.notify();
    });
    this.socket.on('headline:event', (e: TickerEvent) => {
      this.received.push({ kind: 'event', body: e });
      if (!this.lose(e)) this.onEvent(e);
      this.waiters.notify();
    });
  }

  view(channel: string): ChannelView {
    let v = this.views.get(channel);
    if (!v) this.views.set(channel, (v = new ChannelView(channel)));
    return v;
  }

  private onEvent(e: TickerEvent): void {
    const view = this.view(e.channel);
    const at = view.position;
    if (at && e.epoch === at.epoch && e.offset <= at.offset) return; // a repeat: already applied
    const next = at && (e.epoch === at.epoch
      ? e.offset === at.offset + 1
      // A channel that never had a headline is at `empty:0`: its first event (offset 1) brings the epoch.
      : at.epoch === 'empty' && at.offset === 0 && e.offset === 1);
    if (next) {
      view.apply(e);
      this.applied.push(e);
      return;
    }
    // A gap, or another epoch: resubscribe from what was applied; the catch-up fills the rest.
    if (this.pending.has(e.channel)) return;
    this.resubscribes.push({ channel: e.channel, cursor: view.cursor, seen: `${e.epoch}:${e.offset}` });
    void this.follow([e.channel]);
  }

  async connected(): Promise<void> {
    if (this.socket.connected) return;
    await new Promise<void>((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('connect_error', reject);
    });
  }

  /** Sends `channels:subscribe` with any payload; the ack is recorded in `received` too. */
  async subscribe(payload: unknown): Promise<Ack<{ channels: SubscribeResult[] }>> {
    await this.connected();
    return new Promise((resolve) => {
      this.socket.emit('channels:subscribe', payload, (ack: Ack<{ channels: SubscribeResult[] }>) => {
        this.received.push({ kind: 'ack', body: ack });
        this.waiters.notify();
        resolve(ack);
      });
    });
  }

  /** Subscribes each channel from the cursor it holds (none on a first visit). */
  async follow(channels: string[]): Promise<SubscribeResult[]> {
    for (const c of channels) this.pending.add(c);
    try {
      const ack = await this.subscribe({
        channels: channels.map((channel) => {
          const cursor = this.view(channel).cursor;
          return cursor ? { channel, cursor } : { channel };
        }),
      });
      if ('error' in ack) throw new Error(`subscribe refused: ${ack.error.code}`);
      return ack.data.channels;
    } finally {
      for (const c of channels) this.pending.delete(c);
    }
  }

  /** Events and snapshots that arrived after the i-th recorded message. */
  since(i: number): Received[] {
    return this.received.slice(i);
  }

  until(predicate: () => boolean, what: string): Promise<void> {
    return this.waiters.until(predicate, what, () => JSON.stringify(this.received.slice(-5)));
  }

  close(): void {
    this.socket.disconnect();
  }
}

export interface SseMessage {
  id: string | undefined;
  event: string;
  data: unknown;
}

/** An SSE reader over a raw HTTP/1.1 response: parses `text/event-stream` line by line. */
export class SseReader {
  readonly messages: SseMessage[] = [];
  readonly comments: string[] = [];
  /** The last `id:` seen: what a client sends back as Last-Event-ID. */
  lastEventId = '';
  retry: number | undefined;
  status = 0;
  headers: IncomingHttpHeaders = {};
  /** The body of a refused request (problem+json). */
  refusal: unknown;
  ended = false;
  private readonly waiters = new Waiters();
  private res: IncomingMessage | undefined;
  private closeRequest: (() => void) | undefined;

  static open(url: string, headers: Record<string, string> = {}): Promise<SseReader> {
    const reader = new SseReader();
    return new Promise((resolve, reject) => {
      const req = request(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
        reader.res = res;
        reader.status = res.statusCode ?? 0;
        reader.headers = res.headers;
        res.setEncoding('utf8');
        if (reader.status !== 200) {
          let text = '';
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => {
            reader.refusal = JSON.parse(text) as unknown;
            reader.ended = true;
            resolve(reader);
          });
          return;
        }
        let buffer = '';
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            reader.block(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
          }
        });
        const done = (): void => {
          reader.ended = true;
          reader.waiters.notify();
        };
        res.on('end', done);
        res.on('close', done);
        resolve(reader);
      });
      reader.closeRequest = () => req.destroy();
      req.on('error', (err) => (reader.ended ? undefined : reject(err)));
      req.end();
    });
  }

  private block(block: string): void {
    let id: string | undefined;
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === '') this.comments.push(value);
      else if (field === 'id') id = value;
      else if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
      else if (field === 'retry') this.retry = Number(value);
    }
    if (id !== undefined) this.lastEventId = id;
    if (data.length) this.messages.push({ id, event, data: JSON.parse(data.join('\n')) as unknown });
    this.waiters.notify();
  }

  named(event: string): SseMessage[] {
    return this.messages.filter((m) => m.event === event);
  }

  until(predicate: () => boolean, what: string): Promise<void> {
    return this.waiters.until(predicate, what, () => JSON.stringify(this.messages.slice(-5)));
  }

  close(): void {
    this.ended = true;
    this.closeRequest?.();
    this.res?.destroy();
  }
}

export interface HttpAnswer<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/** A GET that parses JSON bodies (problem+json included). */
export async function getJson<T = unknown>(url: string, headers: Record<string, string> = {}): Promise<HttpAnswer<T>> {
  const res = await fetch(url, { headers });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as T };
}
