/**
 * A raw engine.io v4 websocket client: no socket.io-client in the way, so the fuzz suite can
 * send any frame. It answers the server's pings and can probe whether the server still answers.
 */
import WebSocket from 'ws';
import type { Frame } from './corpus.js';

export type ProbeResult = 'answered' | 'closed';

export class RawSocket {
  private readonly waiters = new Set<() => void>();
  private readonly received: string[] = [];
  closed = false;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const text = data.toString();
      if (text === '2') ws.send('3'); // engine.io ping → pong
      this.received.push(text);
      this.notify();
    });
    ws.on('close', () => {
      this.closed = true;
      this.notify();
    });
    ws.on('error', () => undefined); // a close follows
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Opens the websocket and connects to the main namespace. */
  static async open(baseUrl: string): Promise<RawSocket> {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`);
    const raw = new RawSocket(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    await raw.until((m) => m.startsWith('0{'), 5000);
    ws.send('40');
    await raw.until((m) => m.startsWith('40{'), 5000);
    return raw;
  }

  /** Resolves when a message matching `match` arrived (true) or the socket closed (false). */
  until(match: (m: string) => boolean, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const hit = this.received.findIndex(match);
        if (hit >= 0) {
          this.received.splice(0, hit + 1);
          done();
          resolve(true);
        } else if (this.closed) {
          done();
          resolve(false);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no answer and no close within ${timeoutMs} ms; last messages: ${this.received.slice(-3).join(' | ')}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Messages received so far (and not consumed by `until`). */
  messages(): string[] {
    return [...this.received];
  }

  send(frame: Frame): void {
    if (!this.closed && this.ws.readyState === WebSocket.OPEN) this.ws.send(frame);
  }

  /**
   * Sends a valid, acknowledged request; the server must either answer it or have closed the
   * connection — never leave it hanging.
   */
  async probe(id: number, timeoutMs = 5000): Promise<ProbeResult> {
    this.send(`42${id}["channels:unsubscribe",{"channels":["fuzz-probe"]}]`);
    return (await this.until((m) => m.startsWith(`43${id}[`), timeoutMs)) ? 'answered' : 'closed';
  }

  /**
   * After a case that left the main namespace (a DISCONNECT packet), joins it again: the
   * connection itself stays open by design, and the server ignores events for a left namespace.
   */
  async rejoin(): Promise<void> {
    this.send('40');
    await this.until((m) => m.startsWith('40{'), 5000);
  }

  close(): void {
    this.ws.terminate();
  }
}
