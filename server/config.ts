/**
 * Configuration: every option with its default in one place, read from the environment once in
 * main.ts, validated at start-up with a clear message. Nothing else reads process.env.
 */
import { z } from 'zod';
import { apiKeySchema, type ApiKey } from './http/auth.js';

export interface Config {
  /** HTTP port. @default 3000 */
  port: number;
  /** Interface to listen on. @default '0.0.0.0' */
  host: string;
  /** Redis URL; unset means the in-process memory engine (one process). @default undefined */
  redisUrl?: string;
  /** Prefix of every Redis key, so several deployments can share a Redis. @default 'nt' */
  redisPrefix: string;
  /** API keys; empty means a development key is generated at start-up. @default [] */
  apiKeys: ApiKey[];
  /** pino level. @default 'info' */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Human-readable logs (npm run dev). @default false */
  logPretty: boolean;
  /** Origins allowed to open sockets and call the API from a browser. @default '*' */
  corsOrigins: string[] | '*';
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
  /** How often an SSE stream gets a heartbeat comment. @default 15000 */
  streamHeartbeatMs: number;
  /** `max-age` (seconds) of public reads that shared caches and CDNs may keep: the live set, a headline. @default 5 */
  publicMaxAgeS: number;
  /** `stale-while-revalidate` (seconds) of those public reads; a kill reaches cached readers within max-age + this. @default 10 */
  publicStaleS: number;
}

export const defaults: Config = {
  port: 3000,
  host: '0.0.0.0',
  redisPrefix: 'nt',
  apiKeys: [],
  logLevel: 'info',
  logPretty: false,
  corsOrigins: '*',
  dueIntervalMs: 250,
  logLength: 10_000,
  shutdownGraceMs: 10_000,
  bodyLimit: '16kb',
  metricsRequireKey: true,
  streamHeartbeatMs: 15_000,
  publicMaxAgeS: 5,
  publicStaleS: 10,
};

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const envSchema = z.object({
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
        ctx.addIssue({ code: 'custom', message: 'must be a JSON array of {"name","key","scopes"}' });
        return z.NEVER;
      }
    })
    .pipe(z.array(apiKeySchema))
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  LOG_PRETTY: bool.optional(),
  CORS_ORIGINS: z.string().min(1).optional(),
  DUE_INTERVAL_MS: int(10, 60_000).optional(),
  LOG_LENGTH: int(100, 10_000_000).optional(),
  SHUTDOWN_GRACE_MS: int(0, 600_000).optional(),
  BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/).optional(),
  METRICS_REQUIRE_KEY: bool.optional(),
  STREAM_HEARTBEAT_MS: int(100, 600_000).optional(),
  PUBLIC_MAX_AGE: int(0, 3600).optional(),
  PUBLIC_STALE_WHILE_REVALIDATE: int(0, 86_400).optional(),
});

export class ConfigError extends Error {}

/** Reads and validates configuration from an environment; throws ConfigError naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const origins = e.CORS_ORIGINS?.split(',').map((s) => s.trim()).filter(Boolean);
  return {
    ...defaults,
    ...(e.PORT !== undefined ? { port: e.PORT } : {}),
    ...(e.HOST ? { host: e.HOST } : {}),
    ...(e.REDIS_URL ? { redisUrl: e.REDIS_URL } : {}),
    ...(e.REDIS_PREFIX ? { redisPrefix: e.REDIS_PREFIX } : {}),
    ...(e.API_KEYS ? { apiKeys: e.API_KEYS } : {}),
    ...(e.LOG_LEVEL ? { logLevel: e.LOG_LEVEL } : {}),
    ...(e.LOG_PRETTY !== undefined ? { logPretty: e.LOG_PRETTY } : {}),
    ...(origins && !origins.includes('*') ? { corsOrigins: origins } : {}),
    ...(e.DUE_INTERVAL_MS !== undefined ? { dueIntervalMs: e.DUE_INTERVAL_MS } : {}),
    ...(e.LOG_LENGTH !== undefined ? { logLength: e.LOG_LENGTH } : {}),
    ...(e.SHUTDOWN_GRACE_MS !== undefined ? { shutdownGraceMs: e.SHUTDOWN_GRACE_MS } : {}),
    ...(e.BODY_LIMIT ? { bodyLimit: e.BODY_LIMIT } : {}),
    ...(e.METRICS_REQUIRE_KEY !== undefined ? { metricsRequireKey: e.METRICS_REQUIRE_KEY } : {}),
    ...(e.STREAM_HEARTBEAT_MS !== undefined ? { streamHeartbeatMs: e.STREAM_HEARTBEAT_MS } : {}),
    ...(e.PUBLIC_MAX_AGE !== undefined ? { publicMaxAgeS: e.PUBLIC_MAX_AGE } : {}),
    ...(e.PUBLIC_STALE_WHILE_REVALIDATE !== undefined ? { publicStaleS: e.PUBLIC_STALE_WHILE_REVALIDATE } : {}),
  };
}
