/**
 * Child processes of the benchmark: every one is registered here and killed (SIGKILL, by PID)
 * when the run ends, however it ends. Targets get an IPC channel for the memory probe; they exit
 * by themselves if this process disappears (see servers/probe.ts).
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FromServer, ToServer } from './ipc.js';
import { freePort } from '../scripts/free-port.js';

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();

export function killAll(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
  children.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Kills one child by PID and resolves when it has exited. */
export function kill(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null || !child.pid) return resolve();
    child.once('exit', () => resolve());
    process.kill(child.pid, signal);
  });
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Rejects after `ms` with a message naming what took too long. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${Math.round(ms / 1000)} s`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** The last lines a child wrote, for error messages. */
export class Tail {
  private lines: string[] = [];
  constructor(child: ChildProcess, private readonly keep = 40) {
    const add = (chunk: Buffer) => {
      this.lines.push(...chunk.toString().split('\n').filter(Boolean));
      if (this.lines.length > this.keep) this.lines.splice(0, this.lines.length - this.keep);
    };
    child.stdout?.on('data', add);
    child.stderr?.on('data', add);
  }
  toString(): string {
    return this.lines.join('\n');
  }
}

export interface ServerProcess {
  name: string;
  url: string;
  child: ChildProcess;
  tail: Tail;
  /** RSS and live heap (after a GC) of the process. */
  mem(): Promise<{ rss: number; heapUsed: number }>;
  /** CPU seconds used so far (user + system), from /proc. */
  cpuSeconds(): number;
}

let probeId = 0;

/** Starts a TypeScript entry as a target server on a free port and waits for /healthz. */
export async function startServer(name: string, entry: string, env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  const child = track(fork(entry, [], {
    // BENCH_TARGET_NODE_OPTIONS adds node flags to the targets, e.g. --cpu-prof (written on SIGTERM, see kill()).
    execArgv: ['--expose-gc', '--import', 'tsx', ...(process.env.BENCH_TARGET_NODE_OPTIONS?.split(' ').filter(Boolean) ?? [])],
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  }));
  const tail = new Tail(child);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${tail}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`${name} did not become healthy:\n${tail}`);
    await delay(100);
  }
  return {
    name, url, child, tail,
    mem: () => withTimeout(new Promise((resolve) => {
      const id = ++probeId;
      const onMessage = (raw: unknown) => {
        const msg = raw as FromServer;
        if (msg?.type === 'mem' && msg.id === id) {
          child.off('message', onMessage);
          resolve({ rss: msg.rss, heapUsed: msg.heapUsed });
        }
      };
      child.on('message', onMessage);
      const req: ToServer = { type: 'mem', id };
      child.send(req);
    }), 10_000, `memory probe of ${name}`),
    cpuSeconds: () => procCpuSeconds(child.pid),
  };
}

/** utime + stime of a process from /proc/PID/stat, in seconds (Linux clock ticks of 1/100 s). */
export function procCpuSeconds(pid: number | undefined): number {
  if (!pid) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

export interface RedisServer {
  url: string;
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** A private redis-server on a free port in a temporary directory, no persistence. */
export async function startRedis(): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'nt-bench-redis-'));
  tempDirs.add(dir);
  const port = await freePort();
  const child = track(spawn('redis-server', [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--protected-mode', 'no',
  ], { stdio: ['ignore', 'pipe', 'pipe'] }));
  const tail = new Tail(child);
  await withTimeout(new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Ready to accept connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited ${code}:\n${tail}`)));
    child.once('error', reject);
  }), 10_000, 'redis-server start');
  return {
    url: `redis://127.0.0.1:${port}`, port, child,
    async stop() {
      await kill(child);
      rmSync(dir, { recursive: true, force: true });
      tempDirs.delete(dir);
    },
  };
}

/** Busy and total CPU seconds of the whole machine so far, from /proc/stat (1/100 s ticks). */
export function machineCpuSeconds(): { busy: number; total: number } {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line.split(/\s+/).slice(1).map(Number);
    const busy = user + nice + system + irq + softirq + steal;
    return { busy: busy / 100, total: (busy + idle + iowait) / 100 };
  } catch {
    return { busy: Number.NaN, total: Number.NaN };
  }
}

/** CPU seconds of the benchmark itself and of every child it has running now. */
export function ownCpuSeconds(): number {
  const self = process.cpuUsage();
  let sum = (self.user + self.system) / 1e6;
  for (const child of children) sum += procCpuSeconds(child.pid) || 0;
  return sum;
}

/** Cores' worth of CPU that processes other than the benchmark's used over `ms`. */
export async function othersCores(ms: number): Promise<number> {
  const m0 = machineCpuSeconds();
  const o0 = ownCpuSeconds();
  await delay(ms);
  return (machineCpuSeconds().busy - m0.busy - (ownCpuSeconds() - o0)) / (ms / 1000);
}
