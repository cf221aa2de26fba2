/**
 * Bounded hub memory, through public behaviour: a process holds a channel only while someone
 * reads it. A channel that never had a headline is dropped the moment its last reader leaves; one
 * with headlines after HUB_IDLE_MS. A reader that comes back later, with its cursor, gets exactly
 * what it missed (the hub reloads the channel), on both engines.
 */
import { describe, expect, it } from 'vitest';
import type { TickerEvent } from '../shared/index.js';
import { ENGINES, useServer } from './helpers/app.js';

describe.each(ENGINES)('hub eviction (%s)', (kind) => {
  const server = useServer(kind, { hubIdleMs: 300 });
  const hubChannels = async () => Number(/^ticker_hub_channels (\d+)/m.exec(await (await server.api('/metrics')).text())?.[1]);

  it('drops an empty channel at once and a quiet one after the idle time; a returning reader catches up from its cursor', async () => {
    const news = server.channel('news');
    const empty = server.channel('empty');
    expect((await server.publish(news, { headline: 'First', language: 'en' })).status).toBe(201);
    const base = await hubChannels();

    const socket = server.connect();
    const events: TickerEvent[] = [];
    socket.on('headline:event', (e) => events.push(e));
    const ack = await socket.emitWithAck('channels:subscribe', { channels: [{ channel: news }, { channel: empty }] });
    if ('error' in ack) throw new Error(ack.error.code);
    const cursor = ack.data.channels.find((c) => c.channel === news)!.cursor;
    expect(await hubChannels()).toBe(base + 2);

    await socket.emitWithAck('channels:unsubscribe', { channels: [empty] });
    expect(await hubChannels()).toBe(base + 1); // never had a headline: nothing to keep

    await socket.emitWithAck('channels:unsubscribe', { channels: [news] });
    await expect.poll(hubChannels, { timeout: 10_000 }).toBe(base); // quiet for HUB_IDLE_MS: dropped

    // Published while no process holds the channel; the reader comes back with its cursor.
    expect((await server.publish(news, { headline: 'While away', language: 'en' })).status).toBe(201);
    const back = await socket.emitWithAck('channels:subscribe', { channels: [{ channel: news, cursor }] });
    if ('error' in back) throw new Error(back.error.code);
    expect(back.data.channels[0]).toMatchObject({ mode: 'events' });
    expect(events.map((e) => e.headline?.headline)).toEqual(['While away']);
    expect(await hubChannels()).toBe(base + 1);
    socket.disconnect();
  });
});
