/** Starts the real app (createApp) on port 0 with either engine; teardown registered here. */
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll } from 'vitest';
import { createApp, type App } from '../../server/app.js';
import { defaults, type Config } from '../../server/config.js';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/protocol.js';
import { startRedis, type RedisProcess } from './redis.js';

export type EngineKind = 'memory' | 'redis';
export const ENGINES: EngineKind[] = ['memory', 'redis'];

export const ADMIN_KEY = 'test-admin-key-0123456789';
export const AR_KEY = 'test-ar-publisher-key-0123';
export const EN_KEY = 'test-en-publisher-key-0123';

export const TEST_KEYS = [
  { name: 'admin', key: ADMIN_KEY, scopes: ['admin'] },
  { name: 'ar-desk', key: AR_KEY, scopes: ['publish:ar-*'] },
  { name: 'en-desk', key: EN_KEY, scopes: ['publish:en-*'] },
];

/** Limits generous enough for suites that publish and connect a lot from one address; test/limits.test.ts checks the defaults. */
export const TEST_LIMITS = {
  rateLimitPublish: { points: 100_000, windowSec: 60 },
  rateLimitRead: { points: 100_000, windowSec: 60 },
  rateLimitSocket: { points: 100_000, windowSec: 60 },
} satisfies Partial<Config>;

export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    ...defaults, port: 0, host: '127.0.0.1', apiKeys: TEST_KEYS, logLevel: 'silent', dueIntervalMs: 50, shutdownGraceMs: 2000,
    ...TEST_LIMITS, ...overrides,
  };
}

export interface TestServer {
  app: App;
  url: string;
  redis?: RedisProcess;
  /** A fresh channel name for one test, so tests never see each other's headlines. */
  channel(prefix?: string): string;
  publish(channel: string, body: Record<string, unknown>, headers?: Record<string, string>): Promise<Response>;
  api(path: string, init?: RequestInit & { key?: string }): Promise<Response>;
  connect(opts?: { transports?: string[] }): TickerClientSocket;
}

export type TickerClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export function apiClient(url: string) {
  return (path: string, init: RequestInit & { key?: string } = {}) => {
    const { key = ADMIN_KEY, headers, ...rest } = init;
    return fetch(url + path, {
      ...rest,
      headers: { ...(rest.body !== undefined ? { 'content-type': 'application/json' } : {}), ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
    });
  };
}

/** Starts a server for the calling test file (beforeAll/afterAll). Redis gets its own redis-server. */
export function useServer(kind: EngineKind, overrides: Partial<Config> = {}): TestServer {
  const server = {} as TestServer;
  const sockets: TickerClientSocket[] = [];
  beforeAll(async () => {
    const redis = kind === 'redis' ? await startRedis() : undefined;
    const config = testConfig({ ...(redis ? { redisUrl: redis.url, redisPrefix: `t${randomBytes(3).toString('hex')}` } : {}), ...overrides });
    const app = await createApp({ config, logger: pino({ level: 'silent' }) });
    const port = await app.listen(0, '127.0.0.1');
    const url = `http://127.0.0.1:${port}`;
    const api = apiClient(url);
    Object.assign(server, {
      app, url, redis,
      channel: (prefix = 't') => `${prefix}-${randomBytes(4).toString('hex')}`,
      api,
      publish: (channel: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
        api(`/api/v1/channels/${channel}/headlines`, { method: 'POST', body: JSON.stringify(body), headers }),
      connect: (opts: { transports?: string[] } = {}) => {
        const socket: TickerClientSocket = io(url, { transports: opts.transports ?? ['websocket'], forceNew: true, reconnection: false });
        sockets.push(socket);
        return socket;
      },
    });
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await server.app?.close();
    await server.redis?.stop();
  });
  return server;
}
