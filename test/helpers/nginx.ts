/**
 * A real nginx running the shipped deploy/nginx.conf on a free port, its upstreams pointed at test
 * servers instead of Docker's `ticker:3000`. Debian's nginx (1.22) predates the `resolve`
 * parameter (1.27.3), and a literal address needs no resolving, so it is dropped here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../scripts/free-port.js';

export interface NginxProcess {
  url: string;
  stop(): Promise<void>;
}

export async function startNginx(upstreams: string[]): Promise<NginxProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'nt-nginx-'));
  const port = await freePort();
  const servers = upstreams.map((u) => `server 127.0.0.1:${new URL(u).port}`).join(' max_fails=1 fail_timeout=5s;\n  ');
  const shipped = readFileSync(new URL('../../deploy/nginx.conf', import.meta.url), 'utf8');
  const site = shipped.replace(/server ticker:3000 resolve/g, servers).replace(/listen 80;/, `listen 127.0.0.1:${port};`);
  if (site.includes('ticker:3000') || !site.includes(`127.0.0.1:${port}`)) throw new Error('deploy/nginx.conf changed shape: update test/helpers/nginx.ts');
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${dir}/${t};`).join('\n');
  writeFileSync(join(dir, 'nginx.conf'), `worker_processes 1;\npid ${dir}/nginx.pid;\nerror_log ${dir}/error.log;\nevents {}\nhttp {\naccess_log off;\n${temp}\n${site}\n}\n`);
  const proc: ChildProcess = spawn('nginx', ['-p', dir, '-e', `${dir}/error.log`, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (proc.exitCode === null && !proc.signalCode) {
      proc.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (proc.exitCode !== null) {
      const log = readFileSync(join(dir, 'error.log'), 'utf8');
      await stop();
      throw new Error(`nginx exited: ${log}`);
    }
    try {
      if ((await fetch(`${url}/healthz`)).ok) return { url, stop };
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error('nginx did not answer');
      }
      await new Promise((r) => setTimeout(r, 100)); // polling start-up, not a wait for an event
    }
  }
}
