/** Starts test/helpers/gc-server.ts in a child process; measures its heap after a forced GC. */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TEST_KEYS } from './app.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface GcServer {
  url: string;
  proc: ChildProcess;
  /** heapUsed in bytes, after two full GCs in the child. */
  heapUsed(): Promise<number>;
  alive(): boolean;
  stop(): Promise<void>;
}

export async function startGcServer(env: Record<string, string>): Promise<GcServer> {
  const proc = fork('test/helpers/gc-server.ts', [], {
    cwd: ROOT,
    execArgv: ['--expose-gc', '--import', 'tsx'],
    env: { ...process.env, HOST: '127.0.0.1', LOG_LEVEL: 'warn', API_KEYS: JSON.stringify(TEST_KEYS), ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('gc server did not start')), 60_000);
    proc.once('exit', (code) => reject(new Error(`gc server exited with ${code}`)));
    proc.on('message', (msg: { type?: string; port?: number }) => {
      if (msg.type === 'listening') {
        clearTimeout(timer);
        resolve(msg.port!);
      }
    });
  });
  const alive = () => proc.exitCode === null && proc.signalCode === null;
  return {
    url: `http://127.0.0.1:${port}`,
    proc,
    alive,
    heapUsed: () =>
      new Promise<number>((resolve) => {
        const onMessage = (msg: { type?: string; heapUsed?: number }) => {
          if (msg.type !== 'heap') return;
          proc.off('message', onMessage);
          resolve(msg.heapUsed!);
        };
        proc.on('message', onMessage);
        proc.send({ type: 'heap' });
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (!alive()) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGKILL');
      }),
  };
}
