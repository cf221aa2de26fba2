/**
 * The hub repairs what the fan-out loses: a test double of the fan-out (the real memory engine,
 * with chosen events dropped on their way to the hub) shows that a gap is filled from the log,
 * in order, before later events.
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { HeadlineService } from '../server/domain/service.js';
import { MemoryEngine } from '../server/engine/memory.js';
import type { EngineEvents } from '../server/engine/types.js';
import { ChannelHub } from '../server/realtime/hub.js';
import { correctionInputSchema, publishInputSchema, type TickerEvent } from '../shared/index.js';

const logger = pino({ level: 'silent' });

/** Resolves once the hub has delivered the event at `offset` (now or later). */
function untilOffset(hub: ChannelHub, delivered: number[], offset: number): Promise<void> {
  return new Promise<void>((resolve) => {
    if (delivered.includes(offset)) return resolve();
    const off = hub.on('event', (e) => {
      if (e.offset === offset) {
        off();
        resolve();
      }
    });
  });
}

/** The memory engine, except that its fan-out drops the events whose offsets are listed. */
class LossyFanout extends MemoryEngine {
  readonly dropped = new Set<number>();
  override on<K extends keyof EngineEvents>(name: K, listener: EngineEvents[K]): () => void {
    if (name !== 'event') return super.on(name, listener);
    const inner = listener as unknown as EngineEvents['event'];
    const lossy: EngineEvents['event'] = (e: TickerEvent) => {
      if (!this.dropped.has(e.offset)) inner(e);
    };
    return super.on('event', lossy);
  }
}

describe('channel hub', () => {
  it('repairs a gap in the fan-out from the log and delivers in order, once', async () => {
    const engine = new LossyFanout();
    const hub = new ChannelHub({ engine, logger });
    const service = new HeadlineService({ engine, logger });
    const delivered: number[] = [];
    let repaired = 0;
    hub.on('event', (e) => delivered.push(e.offset));
    hub.on('gapRepaired', (_c, n) => (repaired += n));
    hub.follow('news'); // as a subscribed socket does: the hub holds the channel while followed
    await hub.liveSet('news');
    engine.dropped.add(2).add(3).add(4);
    const publish = (i: number) => service.publish('news', publishInputSchema.parse({ headline: `n${i}` }));
    for (let i = 1; i <= 6; i++) await publish(i);
    await untilOffset(hub, delivered, 6);
    expect(delivered).toEqual([1, 2, 3, 4, 5, 6]);
    expect(repaired).toBe(4);
    expect((await hub.liveSet('news')).map((h) => h.headline).sort()).toEqual(['n1', 'n2', 'n3', 'n4', 'n5', 'n6']);
    hub.close();
  });

  it('serves a reader catch-up from memory and a snapshot when the cursor is too far behind', async () => {
    const engine = new MemoryEngine();
    const hub = new ChannelHub({ engine, logger, maxCatchUp: 5 });
    const service = new HeadlineService({ engine, logger });
    const delivered: number[] = [];
    hub.on('event', (e) => delivered.push(e.offset));
    hub.follow('c');
    await hub.liveSet('c');
    const first = await service.publish('c', publishInputSchema.parse({ headline: 'a' }));
    for (let i = 0; i < 8; i++) await service.publish('c', publishInputSchema.parse({ headline: `b${i}` }));
    await untilOffset(hub, delivered, 9);
    const near = await new Promise<unknown>((resolve) => void hub.attach('c', `${first.cursor!.split(':')[0]}:6`, resolve));
    expect(near).toMatchObject({ mode: 'events', events: [{ offset: 7 }, { offset: 8 }, { offset: 9 }] });
    const far = await new Promise<unknown>((resolve) => void hub.attach('c', first.cursor, resolve));
    expect(far).toMatchObject({ mode: 'snapshot', snapshot: { reason: 'cursor-too-old', offset: 9 } });
    hub.close();
  });

  it('attaches a slow reader from its cursor: the events when they are fewer than the live set, else a slow-reader snapshot', async () => {
    const engine = new MemoryEngine();
    const hub = new ChannelHub({ engine, logger });
    const service = new HeadlineService({ engine, logger });
    const delivered: number[] = [];
    hub.on('event', (e) => delivered.push(e.offset));
    hub.follow('s');
    await hub.liveSet('s');
    const first = await service.publish('s', publishInputSchema.parse({ headline: 'a' }));
    const epoch = first.cursor!.split(':')[0];
    for (let i = 0; i < 3; i++) await service.publish('s', publishInputSchema.parse({ headline: `b${i}` }));
    await untilOffset(hub, delivered, 4);
    expect(hub.position('s')).toBe(`${epoch}:4`);
    const slow = { behind: 'slow-reader', cheapest: true } as const;
    const attach = (cursor: string, options = {}) => new Promise<unknown>((resolve) => void hub.attach('s', cursor, resolve, options));
    // 3 events missed, 4 headlines live: the events are the smaller catch-up.
    expect(await attach(`${epoch}:1`, slow)).toMatchObject({ mode: 'events', events: [{ offset: 2 }, { offset: 3 }, { offset: 4 }] });
    // Corrections change nothing in size but add events: 6 missed, 4 live → the live set.
    const uri = first.headline.uri;
    for (let i = 0; i < 3; i++) await service.correct(uri, correctionInputSchema.parse({ headline: `a${i}`, edNote: 'fix' }));
    await untilOffset(hub, delivered, 7);
    expect(await attach(`${epoch}:1`, slow)).toMatchObject({ mode: 'snapshot', snapshot: { reason: 'slow-reader', offset: 7 } });
    // maxEvents caps a catch-up below the hub's own limit; without options the events are sent.
    expect(await attach(`${epoch}:4`, { ...slow, maxEvents: 2 })).toMatchObject({ mode: 'snapshot', snapshot: { reason: 'slow-reader' } });
    expect(await attach(`${epoch}:1`)).toMatchObject({ mode: 'events', cursor: `${epoch}:7` });
    hub.close();
  });
});
