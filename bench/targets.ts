/**
 * The four targets, each started as its own process(es): the product on the memory engine, the
 * product on Redis with 2 server processes sharing a private redis-server, and the two baselines.
 */
import { fileURLToPath } from 'node:url';
import type { Proto, PublishPath } from './ipc.js';
import { kill, startRedis, startServer, type RedisServer, type ServerProcess } from './procs.js';

export type TargetName = 'raw' | 'socketio' | 'memory' | 'redis';
export const TARGET_NAMES: TargetName[] = ['raw', 'socketio', 'memory', 'redis'];

export const LABELS: Record<TargetName, string> = {
  raw: 'raw ws (baseline)',
  socketio: 'default Socket.IO (baseline)',
  memory: 'product, memory engine',
  redis: 'product, Redis, 2 processes',
};

export const BENCH_KEY = 'bench-admin-key-0123456789abcdef';

export interface Target {
  name: TargetName;
  proto: Proto;
  servers: ServerProcess[];
  redis?: RedisServer;
  /** Readers are spread over these. */
  urls: string[];
  /** Publish on a channel (through the last server, the one that survives the storm). */
  publish(channel: string): PublishPath;
  stop(): Promise<void>;
}

const entry = (file: string): string => fileURLToPath(new URL(`./servers/${file}`, import.meta.url));

function productEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    API_KEYS: JSON.stringify([{ name: 'bench', key: BENCH_KEY, scopes: ['admin'] }]),
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    // Every simulated reader and the publisher come from one address: per-address and per-key
    // limits would measure the limiter, not the fan-out.
    RATE_LIMIT_PUBLISH: 'off',
    RATE_LIMIT_READ: 'off',
    RATE_LIMIT_SOCKET: 'off',
    ...extra,
  };
}

export async function startTarget(name: TargetName): Promise<Target> {
  const servers: ServerProcess[] = [];
  let redis: RedisServer | undefined;
  const stop = async () => {
    // With profiling flags, stop gracefully so node writes the profile; otherwise SIGKILL.
    const signal = process.env.BENCH_TARGET_NODE_OPTIONS ? 'SIGTERM' : 'SIGKILL';
    await Promise.all(servers.map((s) => kill(s.child, signal)));
    await redis?.stop();
  };
  try {
    switch (name) {
      case 'raw':
        servers.push(await startServer(LABELS.raw, entry('raw-ws.ts'), {}));
        break;
      case 'socketio':
        servers.push(await startServer(LABELS.socketio, entry('socketio.ts'), {}));
        break;
      case 'memory':
        servers.push(await startServer(LABELS.memory, entry('product.ts'), productEnv()));
        break;
      case 'redis': {
        redis = await startRedis();
        const env = productEnv({ REDIS_URL: redis.url, REDIS_PREFIX: 'bench' });
        servers.push(await startServer(`${LABELS.redis} #1`, entry('product.ts'), env));
        servers.push(await startServer(`${LABELS.redis} #2`, entry('product.ts'), env));
        break;
      }
    }
  } catch (err) {
    await stop();
    throw err;
  }
  const product = name === 'memory' || name === 'redis';
  const last = servers.at(-1)!;
  return {
    name,
    proto: product ? 'product' : name,
    servers,
    ...(redis ? { redis } : {}),
    urls: servers.map((s) => s.url),
    publish: (channel): PublishPath => product
      ? { url: `${last.url}/api/v1/channels/${channel}/headlines`, headers: { authorization: `Bearer ${BENCH_KEY}` }, api: `${last.url}/api/v1`, channel }
      : { url: `${last.url}/publish/${channel}`, headers: {} as Record<string, string>, channel },
    stop,
  };
}
