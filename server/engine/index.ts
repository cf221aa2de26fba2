import type { Logger } from 'pino';
import type { Config } from '../config.js';
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
  await engine.start();
  return engine;
}
