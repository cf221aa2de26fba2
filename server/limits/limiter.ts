/**
 * Rate limits with rate-limiter-flexible: fixed windows counted in Redis (shared by every process
 * on one Redis) or in memory (the memory engine, one process).
 *
 * When Redis cannot answer, a limiter falls back to counting in this process (the library's
 * insurance limiter) rather than refusing: public reads and sockets stay open, each process still
 * bounded; publishes are refused anyway by the store while Redis is down.
 */
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Config, RateRule } from '../config.js';

export type LimitName = 'publish' | 'read' | 'socket';

/** The outcome of one request against one limit: what the RateLimit header fields report. */
export interface Decision {
  allowed: boolean;
  /** The policy name in RateLimit / RateLimit-Policy. */
  policy: LimitName;
  rule: RateRule;
  remaining: number;
  /** Milliseconds until the window resets (and until a refused client may retry). */
  resetMs: number;
}

export class Limiter {
  constructor(
    readonly name: LimitName,
    readonly rule: RateRule | false,
    private readonly limiter: RateLimiterAbstract | undefined,
    private readonly logger: Logger,
  ) {}

  /** Counts one request for `key`; undefined when this limit is off. Never throws. */
  async take(key: string): Promise<Decision | undefined> {
    if (!this.rule || !this.limiter) return undefined;
    const rule = this.rule;
    const decide = (allowed: boolean, res: RateLimiterRes): Decision => ({
      allowed, policy: this.name, rule, remaining: Math.max(0, res.remainingPoints), resetMs: Math.max(0, res.msBeforeNext),
    });
    try {
      return decide(true, await this.limiter.consume(key));
    } catch (err) {
      if (err instanceof RateLimiterRes) return decide(false, err);
      // Both the store and the insurance failed: fail open, and say so.
      this.logger.warn({ limit: this.name, err: (err as Error).message }, 'rate limiter unavailable; allowing');
      return undefined;
    }
  }
}

export interface Limiters {
  publish: Limiter;
  read: Limiter;
  socket: Limiter;
  close(): Promise<void>;
}

/**
 * Builds the three limiters. On Redis they use their own connection that never queues commands
 * while disconnected (a limiter answers at once, from memory, instead of waiting).
 */
export async function createLimiters(config: Config, logger: Logger): Promise<Limiters> {
  const log = logger.child({ component: 'limits' });
  let redis: Redis | undefined;
  if (config.redisUrl) {
    redis = new Redis(config.redisUrl, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: 1_000,
      connectionName: 'news-ticker:limits',
      retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 5), 1000),
    });
    redis.on('error', (err: Error) => log.warn({ err: err.message }, 'limits redis connection error'));
    // The engine has just reached this Redis; if this connection cannot, count in memory meanwhile.
    await redis.connect().catch((err: Error) => log.warn({ err: err.message }, 'limits redis not connected; counting in memory'));
  }
  const make = (name: LimitName, rule: RateRule | false): Limiter => {
    if (!rule) return new Limiter(name, false, undefined, log);
    const base = { points: rule.points, duration: rule.windowSec, keyPrefix: `${config.redisPrefix}:rl:${name}` };
    const memory = new RateLimiterMemory(base);
    const limiter = redis
      ? new RateLimiterRedis({
          ...base,
          storeClient: redis,
          rejectIfRedisNotReady: true,
          insuranceLimiter: memory,
          // A key over its limit is refused from memory until its window ends: a flood costs Redis nothing.
          inMemoryBlockOnConsumed: rule.points + 1,
        })
      : memory;
    return new Limiter(name, rule, limiter, log);
  };
  return {
    publish: make('publish', config.rateLimitPublish),
    read: make('read', config.rateLimitRead),
    socket: make('socket', config.rateLimitSocket),
    async close() {
      await redis?.quit().catch(() => redis?.disconnect());
    },
  };
}
