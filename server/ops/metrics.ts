/** Prometheus metrics (prom-client), one registry per app so tests can run several apps. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  events: Counter<'type'>;
  publishToEmit: Histogram;
  redisErrors: Counter;
  redisReconnects: Counter;
  gapsRepaired: Counter;
  slowReaders: Counter;
  readers: Gauge<'channel'>;
  hubChannels: Gauge;
}

/**
 * `readers` must return only channels that have had a headline: a label per name a client
 * makes up would let anyone grow the metrics without bound. `hubChannels` is the number of
 * channels this process holds in memory.
 */
export function createMetrics(readers: () => Record<string, number>, hubChannels: () => number = () => 0): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'ticker_' });
  return {
    registry,
    events: new Counter({ name: 'ticker_events_total', help: 'Channel log events emitted by this process, by type', labelNames: ['type'], registers: [registry] }),
    publishToEmit: new Histogram({
      name: 'ticker_publish_to_emit_seconds', help: 'Time from commit to emit to this process\'s sockets',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [registry],
    }),
    redisErrors: new Counter({ name: 'ticker_redis_errors_total', help: 'Redis connection errors', registers: [registry] }),
    redisReconnects: new Counter({ name: 'ticker_redis_reconnects_total', help: 'Redis fan-out reconnects (each followed by a log repair)', registers: [registry] }),
    gapsRepaired: new Counter({ name: 'ticker_log_gaps_repaired_total', help: 'Log gaps repaired from the channel log', registers: [registry] }),
    slowReaders: new Counter({
      name: 'ticker_slow_readers_total', help: 'Times a reader fell behind and was conflated (latest-wins: a snapshot or the missed events once it drains)', registers: [registry],
    }),
    readers: new Gauge({
      name: 'ticker_readers', help: 'Readers connected to this process, by channel', labelNames: ['channel'], registers: [registry],
      collect() {
        this.reset();
        for (const [channel, n] of Object.entries(readers())) this.set({ channel }, n);
      },
    }),
    hubChannels: new Gauge({
      name: 'ticker_hub_channels', help: 'Channels held in this process\'s memory (followed, read or recently idle)', registers: [registry],
      collect() {
        this.set(hubChannels());
      },
    }),
  };
}
