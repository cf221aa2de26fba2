/**
 * Reader counts as the desk sees them, on both engines: the `desk:subscribe` ack and the periodic
 * `desk:readers` count the readers of this process at once (sockets and SSE streams alike), and
 * a reader's socket (no key in its handshake, so no desk listener) still gets the desk's answers.
 */
import { io } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import type { ReaderCounts } from '../shared/protocol.js';
import { ADMIN_KEY, ENGINES, useServer, type TickerClientSocket } from './helpers/app.js';
import { Reader } from './helpers/reader.js';
import { SseClient } from './helpers/sse.js';

describe.each(ENGINES)('desk reader counts on the %s engine', (kind) => {
  const server = useServer(kind);

  const openDesk = async (): Promise<TickerClientSocket> => {
    const socket: TickerClientSocket = io(server.url, { transports: ['websocket'], forceNew: true, reconnection: false, auth: { key: ADMIN_KEY } });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    return socket;
  };

  it('counts socket and SSE readers in the desk:subscribe ack at once, and in desk:readers', async () => {
    const channel = server.channel('desk');
    const reader = new Reader(server.url, [channel]);
    const sse = await SseClient.open(`${server.url}/api/v1/channels/${channel}/stream`);
    const desk = await openDesk();
    try {
      await reader.subscribe();
      await sse.ready();
      const ack = await desk.emitWithAck('desk:subscribe', { channels: [channel] });
      expect('data' in ack && ack.data.readers[channel]).toBe(2);

      // desk:readers comes each time the counts are read again (every 2 s): wait for one that
      // shows the reader gone (an event, with a deadline).
      const zero = new Promise<ReaderCounts>((resolve) => desk.on('desk:readers', (c) => c.channels[channel] === undefined && resolve(c)));
      const one = new Promise<ReaderCounts>((resolve) => desk.on('desk:readers', (c) => c.channels[channel] === 1 && resolve(c)));
      reader.disconnect();
      expect((await one).channels[channel]).toBe(1);
      await sse.close();
      expect((await zero).channels[channel]).toBeUndefined();
    } finally {
      reader.disconnect();
      desk.disconnect();
    }
  });

  it('answers desk:subscribe from a reader socket (no key) as before: validated, then UNAUTHENTICATED', async () => {
    const socket = server.connect();
    const valid = await socket.emitWithAck('desk:subscribe', { channels: ['ok'] });
    expect(valid).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    const invalid = await (socket.emitWithAck as (event: string, payload: unknown) => Promise<unknown>)('desk:subscribe', { channels: 'ok' });
    expect(invalid).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    // The same socket still reads.
    const read = await socket.emitWithAck('channels:subscribe', { channels: [{ channel: server.channel() }] });
    expect(read).toMatchObject({ data: { channels: [{ mode: 'snapshot' }] } });
  });
});
