/**
 * Starts N real server processes (`node --import tsx server/main.ts`) on one private Redis, each
 * on a free port; returns them with a cleanup that ends only what it started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { TEST_KEYS } from './app.js';
import { freePort, startRedis, type RedisProcess } from './redis.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ServerProcess {
  url: string;
  port: number;
  proc: ChildProcess;
  /** Everything the process has written to stdout and stderr so far. */
  output(): string;
  /** SIGKILL, as in a crash. */
  kill(): Promise<void>;
}

export interface Cluster {
  redis: RedisProcess;
  servers: ServerProcess[];
  cleanup(): Promise<void>;
}

export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  const proc = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', API_KEYS: JSON.stringify(TEST_KEYS), DUE_INTERVAL_MS: '50', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 120_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('news-ticker listening')) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  // NT_TEST_LOGS=1 shows the servers' logs while debugging a test.
  if (process.env.NT_TEST_LOGS) {
    proc.stdout!.on('data', (c: Buffer) => process.stderr.write(`[${port}] ${c.toString()}`));
    proc.stderr!.on('data', (c: Buffer) => process.stderr.write(`[${port}] ${c.toString()}`));
  }
  proc.stdout!.resume();
  proc.stderr!.resume();
  const kill = () =>
    new Promise<void>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode) return resolve();
      proc.once('exit', () => resolve());
      proc.kill('SIGKILL');
    });
  return { url: `http://127.0.0.1:${port}`, port, proc, kill, output: () => output };
}

export async function startCluster(n: number, options: { appendonly?: boolean } = {}): Promise<Cluster> {
  const redis = await startRedis(options);
  const prefix = `c${randomBytes(4).toString('hex')}`;
  const servers = await Promise.all(Array.from({ length: n }, () => startServerProcess({ REDIS_URL: redis.url, REDIS_PREFIX: prefix })));
  return {
    redis,
    servers,
    async cleanup() {
      await Promise.all(servers.map((s) => s.kill()));
      await redis.stop();
    },
  };
}
