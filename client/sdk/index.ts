/** The browser SDK: one shared TickerClient per server on a page. */
import { TickerClient, type SocketFactory, type TickerClientOptions } from './client.js';
import { fallbackSocketFactory } from './fallback.js';
import { defaultStorage, webStorageStore } from './storage.js';

export { TickerClient } from './client.js';
export type { ConnectionStatus, SocketFactory, TickerClientEvents, TickerClientOptions, TickerSocket } from './client.js';
export { ChannelState } from './channel-state.js';
export { backoff } from './backoff.js';
export type { Clock } from './clock.js';
export { memoryStore, webStorageStore, type CursorStore } from './storage.js';

export { FallbackSocket, fallbackSocketFactory, type FallbackOptions } from './fallback.js';

/**
 * WebSocket, falling back to the SSE stream when WebSockets cannot be had (fallback.ts); no
 * built-in reconnection (TickerClient retries with its own backoff).
 */
export const defaultSocketFactory: SocketFactory = fallbackSocketFactory();

const clients = new Map<string, TickerClient>();

/** The page's client for a server (created on first use): every widget of that server shares it. */
export function sharedClient(url: string, options: Partial<TickerClientOptions> = {}): TickerClient {
  const key = new URL(url, globalThis.location?.href).origin;
  let client = clients.get(key);
  if (!client) {
    client = new TickerClient({ url: key, socketFactory: defaultSocketFactory, store: webStorageStore(defaultStorage(), key), ...options });
    clients.set(key, client);
    const saving = client;
    globalThis.addEventListener?.('pagehide', () => saving.persist());
  }
  return client;
}
