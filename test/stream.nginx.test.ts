/**
 * The SSE stream through the shipped deploy/nginx.conf (a real nginx, its upstream pointed at a
 * test server on port 0): each event passes at once, and a resume works through the proxy.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../scripts/free-port.js';
import { useServer } from './helpers/app.js';
import { SseClient } from './helpers/sse.js';

describe('SSE through deploy/nginx.conf', () => {
  const server = useServer('memory');
  let nginx: ChildProcess | undefined;
  let dir = '';
  let proxy = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nt-nginx-'));
    const port = await freePort();
    const upstream = new URL(server.url).port;
    const site = readFileSync(new URL('../deploy/nginx.conf', import.meta.url), 'utf8')
      .replace(/server ticker:3000/, `server 127.0.0.1:${upstream}`)
      .replace(/listen 80;/, `listen 127.0.0.1:${port};`);
    expect(site).toContain(`127.0.0.1:${upstream}`);
    const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${dir}/${t};`).join('\n');
    writeFileSync(join(dir, 'nginx.conf'), `worker_processes 1;\npid ${dir}/nginx.pid;\nerror_log ${dir}/error.log;\nevents {}\nhttp {\naccess_log off;\n${temp}\n${site}\n}\n`);
    const proc = spawn('nginx', ['-p', dir, '-e', `${dir}/error.log`, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: 'ignore' });
    nginx = proc;
    proxy = `http://127.0.0.1:${port}`;
    // Ready when it answers.
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`nginx exited: ${readFileSync(join(dir, 'error.log'), 'utf8')}`);
      try {
        if ((await fetch(`${proxy}/healthz`)).ok) break;
      } catch {
        if (Date.now() > deadline) throw new Error('nginx did not answer');
        await new Promise((r) => setTimeout(r, 100)); // polling start-up, not a wait for an event
      }
    }
  });
  afterAll(async () => {
    if (nginx && nginx.exitCode === null) {
      const exited = new Promise((r) => nginx!.once('exit', r));
      nginx.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes every event through at once and resumes with Last-Event-ID', async () => {
    const channel = server.channel();
    const s = await SseClient.open(`${proxy}/api/v1/channels/${channel}/stream`);
    try {
      expect(s.status).toBe(200);
      expect(s.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      await s.ready();
      for (let i = 1; i <= 3; i++) {
        await server.publish(channel, { headline: `through nginx ${i}` });
        // Each event arrives before the next is published: nothing waits in a proxy buffer.
        await s.waitFor(() => s.events.length === i, `event ${i} through the proxy`, 5000);
      }
      const last = s.lastEventId;
      await s.close();
      await server.publish(channel, { headline: 'while away' });
      const resumed = await SseClient.open(`${proxy}/api/v1/channels/${channel}/stream`, { 'last-event-id': last });
      await resumed.ready();
      expect(resumed.events.map((e) => e.headline?.headline)).toEqual(['while away']);
      await resumed.close();
    } finally {
      await s.close();
    }
  });
});
