import type { Logger } from 'pino';
import { ConfigError, type Config } from '../config.js';
import type { Metrics } from '../ops/metrics.js';
import { MemoryEngine } from './memory.js';
import { RedisEngine } from './redis.js';
import type { Engine } from './types.js';

export type { Engine } from './types.js';
export { MemoryEngine } from './memory.js';
export { RedisEngine } from './redis.js';

/** The Redis engine when REDIS_URL is set, else the in-process memory engine. */
export async function createEngine(config: Config, logger: Logger, metrics?: Metrics): Promise<Engine> {
  if (!config.redisUrl) return new MemoryEngine({ logLength: config.logLength });
  const engine = new RedisEngine({ url: config.redisUrl, prefix: config.redisPrefix, logLength: config.logLength, logger, metrics });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${config.redisConnectTimeoutMs} ms`)), config.redisConnectTimeoutMs);
  });
  try {
    await Promise.race([engine.start(), timeout]);
  } catch (err) {
    await engine.close().catch(() => undefined);
    const reason = (err as { code?: string; message?: string }).code ?? (err as Error).message;
    throw new ConfigError(
      `REDIS_URL: cannot reach Redis at ${redactUrl(config.redisUrl)} (${reason}). ` +
        'Start Redis or fix REDIS_URL (REDIS_CONNECT_TIMEOUT_MS bounds the wait), or unset REDIS_URL to run one process on the memory engine.',
      69,
    );
  } finally {
    clearTimeout(timer);
  }
  return engine;
}

/** The URL without its password, for messages. */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'the configured URL';
  }
}
