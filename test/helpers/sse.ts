/**
 * A test SSE client over fetch: parses `text/event-stream` as the spec says (id, event, data,
 * comments), applies snapshots and events like a reader, and records everything so tests can
 * count duplicates and gaps. Waits are on conditions, never on time.
 */
import { applyEvent, compareNewestFirst, type TickerEvent } from '../../shared/events.js';
import type { Headline } from '../../shared/headline.js';
import type { Snapshot, SubscribeResult } from '../../shared/protocol.js';
import { Conditions } from './conditions.js';

export interface SseMessage {
  id?: string;
  event: string;
  data: string;
}

export class SseClient {
  readonly messages: SseMessage[] = [];
  readonly comments: string[] = [];
  readonly events: TickerEvent[] = [];
  readonly snapshots: Snapshot[] = [];
  readonly subscribed: SubscribeResult[][] = [];
  readonly live = new Map<string, Headline>();
  readonly anomalies: string[] = [];
  /** Everything received, as text (to prove what never arrived). */
  raw = '';
  lastEventId = '';
  status = 0;
  headers = new Headers();
  ended = false;
  retry: number | undefined;
  private readonly cursors = new Map<string, string>();
  private readonly abort = new AbortController();
  private readonly conditions = new Conditions();
  private done!: Promise<void>;

  private constructor(readonly url: string) {}

  /** Opens a stream; resolves once the response headers arrived. */
  static async open(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const client = new SseClient(url);
    const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: client.abort.signal });
    client.status = res.status;
    client.headers = res.headers;
    if (!res.ok || !res.body) {
      client.raw = await res.text();
      client.ended = true;
      return client;
    }
    client.done = client.read(res.body).catch(() => undefined).finally(() => {
      client.ended = true;
      client.notify();
    });
    return client;
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    const reader = body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const text = decoder.decode(value, { stream: true });
      this.raw += text;
      buffer += text;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        this.block(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
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
    if (data.length) this.dispatch({ ...(id !== undefined ? { id } : {}), event, data: data.join('\n') });
    this.notify();
  }

  private dispatch(m: SseMessage): void {
    this.messages.push(m);
    const payload = JSON.parse(m.data) as unknown;
    if (m.event === 'channel:snapshot') {
      const s = payload as Snapshot;
      this.snapshots.push(s);
      for (const [uri, h] of this.live) if (h.channel === s.channel) this.live.delete(uri);
      for (const h of s.headlines) this.live.set(h.uri, h);
      this.cursors.set(s.channel, s.cursor);
    } else if (m.event === 'headline:event') {
      const e = payload as TickerEvent;
      const prev = this.cursors.get(e.channel);
      const expected = prev && prev.startsWith(`${e.epoch}:`) ? Number(prev.split(':')[1]) + 1 : undefined;
      if (expected !== undefined && e.offset !== expected) this.anomalies.push(`${e.channel}: got ${e.offset}, expected ${expected}`);
      this.events.push(e);
      applyEvent(this.live, e);
      this.cursors.set(e.channel, `${e.epoch}:${e.offset}`);
    } else if (m.event === 'channels:subscribed') {
      this.subscribed.push((payload as { channels: SubscribeResult[] }).channels);
    }
  }

  private notify(): void {
    this.conditions.poke();
  }

  /** Resolves when the predicate holds; rejects with `what` after the deadline. */
  waitFor(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    return this.conditions.until(predicate, what, timeoutMs, () => this.raw.slice(-2000));
  }


  /** Waits for the catch-up of every channel (`channels:subscribed`). */
  ready(): Promise<void> {
    return this.waitFor(() => this.subscribed.length > 0, 'channels:subscribed');
  }

  liveOf(channel: string): string[] {
    return [...this.live.values()].filter((h) => h.channel === channel).sort(compareNewestFirst).map((h) => h.headline);
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.done;
  }
}
