/**
 * The SSE stream through the shipped deploy/nginx.conf (a real nginx, its upstream pointed at a
 * test server on port 0): each event passes at once, and a resume works through the proxy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useServer } from './helpers/app.js';
import { startNginx, type NginxProcess } from './helpers/nginx.js';
import { SseClient } from './helpers/sse.js';

describe('SSE through deploy/nginx.conf', () => {
  const server = useServer('memory');
  let nginx: NginxProcess | undefined;
  let proxy = '';

  beforeAll(async () => {
    nginx = await startNginx([server.url]);
    proxy = nginx.url;
  });
  afterAll(async () => {
    await nginx?.stop();
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
