/**
 * Configuration: every option with its default in one place, read from the environment once in
 * main.ts, validated at start-up with a clear message. Nothing else reads process.env.
 */
import { z } from 'zod';
import { isIP } from 'node:net';
import { apiKeySchema, type ApiKey } from './auth/keys.js';

/** A rate limit: `points` requests per `windowSec` seconds, written `120/60s` (or `/1m`, `/1h`); `off` disables it. */
export interface RateRule {
  points: number;
  windowSec: number;
}

export interface Config {
  /** HTTP port. @default 3000 */
  port: number;
  /** NODE_ENV=production: keys required, no development key, no demo headlines. @default false */
  production: boolean;
  /** Interface to listen on. @default '127.0.0.1' in development, '0.0.0.0' in production */
  host: string;
  /** Redis URL; unset means the in-process memory engine (one process). @default undefined */
  redisUrl?: string;
  /** Prefix of every Redis key, so several deployments can share a Redis. @default 'nt' */
  redisPrefix: string;
  /** How long start-up waits for Redis before giving up with a clear message. @default 10000 */
  redisConnectTimeoutMs: number;
  /** API keys; empty means a development key is generated at start-up (refused in production). @default [] */
  apiKeys: ApiKey[];
  /** pino level. @default 'info' */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Human-readable logs (npm run dev). @default false */
  logPretty: boolean;
  /**
   * Origins allowed to call the API from a browser and to open reader sockets. Desk sockets (with
   * a key) are accepted only from the server's own origin or with no Origin. @default '*'
   */
  corsOrigins: string[] | '*';
  /** Servers that `/embed?server=` may name, besides the page's own origin. @default [] */
  embedServers: string[] | '*';
  /**
   * Which proxies' X-Forwarded-For to believe (Express `trust proxy`): false, true, a hop count,
   * or a list of addresses, CIDRs and `loopback` / `linklocal` / `uniquelocal`. @default false
   */
  trustProxy: boolean | number | string[];
  /** Publishes and edits per API key (shared by all processes on one Redis). @default 120/60s */
  rateLimitPublish: RateRule | false;
  /** Public API reads per client address. @default 1200/60s */
  rateLimitRead: RateRule | false;
  /** Socket connections per client address (generous: a carrier NAT hides thousands). @default 3000/60s */
  rateLimitSocket: RateRule | false;
  /** How often due expiries and embargo ends are checked. @default 250 */
  dueIntervalMs: number;
  /** Events kept per channel log (Redis stream length, approximate). @default 10000 */
  logLength: number;
  /** How long SIGTERM waits for in-flight requests. @default 10000 */
  shutdownGraceMs: number;
  /** Largest accepted request body. @default '16kb' */
  bodyLimit: string;
  /** Whether /metrics needs an admin key (when keys are configured). @default true */
  metricsRequireKey: boolean;
  /** Webhook retry delays after each failed attempt (Standard Webhooks schedule, about a day in all). @default [5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h] */
  webhookRetryMs?: number[];
  /** Time one webhook attempt may take. @default 10000 */
  webhookTimeoutMs?: number;
  /** How often an SSE stream gets a heartbeat comment. @default 15000 */
  streamHeartbeatMs: number;
  /** How long a channel with headlines and no readers on this process stays in its memory. @default 60000 */
  hubIdleMs: number;
  /** `max-age` (seconds) of public reads that shared caches and CDNs may keep: the live set, a headline. @default 5 */
  publicMaxAgeS: number;
  /** `stale-while-revalidate` (seconds) of those public reads; a kill reaches cached readers within max-age + this. @default 10 */
  publicStaleS: number;
  /** How long the events after a channel's first one wait to go out as one batch to sockets that take batches; 0 = the end of the current event-loop turn. @default 0 */
  fanoutBatchMs: number;
  /** Packets waiting to be written to a reader at which it is conflated (latest-wins: a snapshot or the missed events once it drains). @default 64 */
  slowReaderQueue: number;
}

export const defaults: Config = {
  port: 3000,
  production: false,
  host: '127.0.0.1',
  redisPrefix: 'nt',
  redisConnectTimeoutMs: 10_000,
  apiKeys: [],
  logLevel: 'info',
  logPretty: false,
  corsOrigins: '*',
  embedServers: [],
  trustProxy: false,
  rateLimitPublish: { points: 120, windowSec: 60 },
  rateLimitRead: { points: 1200, windowSec: 60 },
  rateLimitSocket: { points: 3000, windowSec: 60 },
  dueIntervalMs: 250,
  logLength: 10_000,
  shutdownGraceMs: 10_000,
  bodyLimit: '16kb',
  metricsRequireKey: true,
  streamHeartbeatMs: 15_000,
  hubIdleMs: 60_000,
  publicMaxAgeS: 5,
  publicStaleS: 10,
  fanoutBatchMs: 0,
  slowReaderQueue: 64,
};

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const UNITS = { s: 1, m: 60, h: 3600 } as const;
const rateRule = z
  .string()
  .regex(/^(off|\d{1,9}\/\d{1,5}[smh])$/, 'write it as POINTS/WINDOW such as "120/60s", "10/1m" or "off"')
  .transform((v): RateRule | false => {
    if (v === 'off') return false;
    const [, points, n, unit] = /^(\d+)\/(\d+)([smh])$/.exec(v)!;
    return { points: Number(points), windowSec: Number(n) * UNITS[unit as keyof typeof UNITS] };
  })
  .refine((r) => r === false || (r.points > 0 && r.windowSec > 0), 'points and window must be above 0');

const ORIGIN = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$|^https?:\/\/\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;
const originList = z
  .string()
  .transform((v) => v.split(',').map((s) => s.trim().replace(/\/$/, '')).filter(Boolean))
  .refine((list) => list.every((o) => o === '*' || ORIGIN.test(o)), 'a comma-separated list of origins such as "https://news.example" (or "*")')
  .transform((list): string[] | '*' => (list.includes('*') ? '*' : list));

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];
const trustProxy = z
  .string()
  .transform((v): boolean | number | string[] => {
    if (v === 'true' || v === 'false') return v === 'true';
    if (/^\d{1,2}$/.test(v)) return Number(v);
    return v.split(',').map((s) => s.trim()).filter(Boolean);
  })
  .refine(
    (v) => !Array.isArray(v) || v.every((s) => PROXY_NAMES.includes(s) || isIP(s.split('/')[0] ?? '') !== 0),
    'false, true, a hop count, or a comma-separated list of addresses, CIDRs, loopback, linklocal, uniquelocal',
  );

const envSchema = z.object({
  NODE_ENV: z.string().optional(),
  PORT: int(0, 65535).optional(),
  HOST: z.string().min(1).optional(),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://').optional(),
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]{1,32}$/).optional(),
  API_KEYS: z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: `must be a JSON array of {"name","key","scopes"} and is not valid JSON; for example API_KEYS=${KEYS_EXAMPLE}` });
        return z.NEVER;
      }
    })
    .pipe(z.array(apiKeySchema))
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  LOG_PRETTY: bool.optional(),
  REDIS_CONNECT_TIMEOUT_MS: int(100, 600_000).optional(),
  CORS_ORIGINS: originList.optional(),
  EMBED_SERVERS: originList.optional(),
  TRUST_PROXY: trustProxy.optional(),
  RATE_LIMIT_PUBLISH: rateRule.optional(),
  RATE_LIMIT_READ: rateRule.optional(),
  RATE_LIMIT_SOCKET: rateRule.optional(),
  DUE_INTERVAL_MS: int(10, 60_000).optional(),
  LOG_LENGTH: int(100, 10_000_000).optional(),
  SHUTDOWN_GRACE_MS: int(0, 600_000).optional(),
  BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/).optional(),
  METRICS_REQUIRE_KEY: bool.optional(),
  STREAM_HEARTBEAT_MS: int(100, 600_000).optional(),
  HUB_IDLE_MS: int(0, 3_600_000).optional(),
  PUBLIC_MAX_AGE: int(0, 3600).optional(),
  PUBLIC_STALE_WHILE_REVALIDATE: int(0, 86_400).optional(),
  FANOUT_BATCH_MS: int(0, 1000).optional(),
  SLOW_READER_QUEUE: int(4, 100_000).optional(),
});

const KEYS_EXAMPLE = `'[{"name":"desk","key":"<at least 16 random characters>","scopes":["admin"]}]'`;

/** A start-up problem the operator must fix; main.ts prints the message (never a stack) and exits with `exitCode`. */
export class ConfigError extends Error {
  /** @param exitCode 78 (EX_CONFIG) for a bad setting, 69 (EX_UNAVAILABLE) for an unreachable service. */
  constructor(message: string, readonly exitCode = 78) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Reads and validates configuration from an environment; throws ConfigError naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  if (production && !e.API_KEYS?.length) {
    throw new ConfigError(
      'API_KEYS is required when NODE_ENV=production (no development key is made in production).\n' +
        `  Set API_KEYS to a JSON array of keys, for example API_KEYS=${KEYS_EXAMPLE}\n` +
        '  (make a key with: openssl rand -base64 32), or unset NODE_ENV to run in development.',
    );
  }
  return {
    ...defaults,
    production,
    host: e.HOST ?? (production ? '0.0.0.0' : defaults.host),
    ...(e.PORT !== undefined ? { port: e.PORT } : {}),
    ...(e.REDIS_URL ? { redisUrl: e.REDIS_URL } : {}),
    ...(e.REDIS_PREFIX ? { redisPrefix: e.REDIS_PREFIX } : {}),
    ...(e.API_KEYS ? { apiKeys: e.API_KEYS } : {}),
    ...(e.LOG_LEVEL ? { logLevel: e.LOG_LEVEL } : {}),
    ...(e.LOG_PRETTY !== undefined ? { logPretty: e.LOG_PRETTY } : {}),
    ...(e.REDIS_CONNECT_TIMEOUT_MS !== undefined ? { redisConnectTimeoutMs: e.REDIS_CONNECT_TIMEOUT_MS } : {}),
    ...(e.CORS_ORIGINS !== undefined ? { corsOrigins: e.CORS_ORIGINS } : {}),
    ...(e.EMBED_SERVERS !== undefined ? { embedServers: e.EMBED_SERVERS } : {}),
    ...(e.TRUST_PROXY !== undefined ? { trustProxy: e.TRUST_PROXY } : {}),
    ...(e.RATE_LIMIT_PUBLISH !== undefined ? { rateLimitPublish: e.RATE_LIMIT_PUBLISH } : {}),
    ...(e.RATE_LIMIT_READ !== undefined ? { rateLimitRead: e.RATE_LIMIT_READ } : {}),
    ...(e.RATE_LIMIT_SOCKET !== undefined ? { rateLimitSocket: e.RATE_LIMIT_SOCKET } : {}),
    ...(e.DUE_INTERVAL_MS !== undefined ? { dueIntervalMs: e.DUE_INTERVAL_MS } : {}),
    ...(e.LOG_LENGTH !== undefined ? { logLength: e.LOG_LENGTH } : {}),
    ...(e.SHUTDOWN_GRACE_MS !== undefined ? { shutdownGraceMs: e.SHUTDOWN_GRACE_MS } : {}),
    ...(e.BODY_LIMIT ? { bodyLimit: e.BODY_LIMIT } : {}),
    ...(e.METRICS_REQUIRE_KEY !== undefined ? { metricsRequireKey: e.METRICS_REQUIRE_KEY } : {}),
    ...(e.STREAM_HEARTBEAT_MS !== undefined ? { streamHeartbeatMs: e.STREAM_HEARTBEAT_MS } : {}),
    ...(e.HUB_IDLE_MS !== undefined ? { hubIdleMs: e.HUB_IDLE_MS } : {}),
    ...(e.PUBLIC_MAX_AGE !== undefined ? { publicMaxAgeS: e.PUBLIC_MAX_AGE } : {}),
    ...(e.PUBLIC_STALE_WHILE_REVALIDATE !== undefined ? { publicStaleS: e.PUBLIC_STALE_WHILE_REVALIDATE } : {}),
    ...(e.FANOUT_BATCH_MS !== undefined ? { fanoutBatchMs: e.FANOUT_BATCH_MS } : {}),
    ...(e.SLOW_READER_QUEUE !== undefined ? { slowReaderQueue: e.SLOW_READER_QUEUE } : {}),
  };
}
