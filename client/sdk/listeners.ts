/**
 * The few Socket.IO socket calls TickerClient makes for listening (`on`, `off()` for all), shared
 * by the socket-shaped transports (SseSocket, FallbackSocket) so the table is written once.
 */
export type Fn = (arg?: unknown) => void;

export class Listeners {
  private _ls: Record<string, Fn[]> = {};

  on(name: string, fn: Fn): this {
    (this._ls[name] ??= []).push(fn);
    return this;
  }

  off(): this {
    this._ls = {};
    return this;
  }

  protected _fire(name: string, arg?: unknown): void {
    for (const fn of this._ls[name] ?? []) fn(arg);
  }
}
