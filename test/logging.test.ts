/** Logs: JSON lines with a request id and the key's name, never a key. */
import { Writable } from 'node:stream';
import pino from 'pino';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../server/app.js';
import { REDACT } from '../server/logger.js';
import { ADMIN_KEY, AR_KEY, apiClient, testConfig } from './helpers/app.js';

describe('logging', () => {
  const lines: string[] = [];
  let app: App;
  let url: string;

  beforeAll(async () => {
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(...chunk.toString().split('\n').filter(Boolean)); done(); } });
    const logger = pino({ level: 'debug', redact: { paths: REDACT, censor: '[redacted]' } }, sink);
    app = await createApp({ config: testConfig(), logger });
    url = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}`;
  });
  afterAll(() => app.close());

  it('never writes a key, valid or not, and names the key instead', async () => {
    const api = apiClient(url);
    await api('/api/v1/channels/ar-logs/headlines', { method: 'POST', key: AR_KEY, body: JSON.stringify({ headline: 'مرحبا' }) });
    await api('/api/v1/channels/en-logs/headlines', { method: 'POST', key: AR_KEY, body: JSON.stringify({ headline: 'x' }) });
    await api('/api/v1/channels/ar-logs/headlines', { method: 'POST', key: 'wrong-key-but-secret-000', body: JSON.stringify({ headline: 'x' }) });
    await api('/api/v1/channels/ar-logs/headlines', { method: 'POST', key: '', headers: { 'x-api-key': ADMIN_KEY }, body: '{bad json' });
    const socket = io(url, { transports: ['websocket'], auth: { key: ADMIN_KEY }, forceNew: true });
    await new Promise<void>((resolve) => socket.emit('desk:subscribe', { channels: ['ar-logs'] }, () => resolve()));
    socket.disconnect();
    const text = lines.join('\n');
    expect(text).toContain('"keyName":"ar-desk"');
    expect(text).toContain('"reqId"');
    expect(text).toContain('"socketId"');
    for (const secret of [AR_KEY, ADMIN_KEY, 'wrong-key-but-secret-000']) expect(text).not.toContain(secret);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('logs 4xx at info and carries the request id back in X-Request-Id', async () => {
    const res = await fetch(`${url}/api/v1/nothing`, { headers: { 'x-request-id': 'trace-123' } });
    expect(res.headers.get('x-request-id')).toBe('trace-123');
    const line = lines.map((l) => JSON.parse(l)).find((l) => l.reqId === 'trace-123' && l.status === 404);
    expect(line).toMatchObject({ level: 30, path: '/api/v1/nothing' });
  });
});
