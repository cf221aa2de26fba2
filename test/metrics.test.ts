/** GET /metrics scraped from a real server on both engines: the metrics issue 5 names, with sensible values. */
import { describe, expect, it } from 'vitest';
import { ADMIN_KEY, AR_KEY, ENGINES, useServer } from './helpers/app.js';
import { Reader } from './helpers/reader.js';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the Prometheus text format (the sample lines; comments give the types). */
function parseMetrics(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) types.set(type[1]!, type[2]!);
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[k!] = v!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return { samples, types };
}

const SEED = 'إعلام سوري: الطيران الإسرائيلي يستهدف مطار حماة العسكري بـ 3 غارات';

describe.each(ENGINES)('GET /metrics on the %s engine', (kind) => {
  const server = useServer(kind);

  it('needs an admin key: 401 without one, 403 with a publisher key', async () => {
    const anonymous = await server.api('/metrics', { key: '' });
    expect(anonymous.status).toBe(401);
    expect((await anonymous.json()).code).toBe('UNAUTHENTICATED');
    const publisher = await server.api('/metrics', { key: AR_KEY });
    expect(publisher.status).toBe(403);
    expect((await publisher.json()).code).toBe('FORBIDDEN');
  });

  it('reports readers by channel, events by type, publish-to-emit latency, Redis and log-repair counters, event-loop lag and process metrics', async () => {
    const channel = server.channel('ar');
    const reader = new Reader(server.url, [channel]);
    try {
      await reader.subscribe();
      const res = await server.publish(channel, { headline: SEED, urgency: 'flash' });
      expect(res.status).toBe(201);
      const { data } = await res.json();
      await reader.waitFor(() => reader.eventsOf(data.headline.uri).length === 1, 'the published event');

      const scrape = await server.api('/metrics', { key: ADMIN_KEY });
      expect(scrape.status).toBe(200);
      expect(scrape.headers.get('content-type')).toMatch(/^text\/plain/);
      const { samples, types } = parseMetrics(await scrape.text());
      const one = (name: string, labels: Record<string, string> = {}): number | undefined =>
        samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

      expect(one('ticker_readers', { channel })).toBe(1);
      expect(one('ticker_events_total', { type: 'published' })).toBeGreaterThanOrEqual(1);

      expect(types.get('ticker_publish_to_emit_seconds')).toBe('histogram');
      expect(one('ticker_publish_to_emit_seconds_count')).toBeGreaterThanOrEqual(1);
      expect(one('ticker_publish_to_emit_seconds_bucket', { le: '+Inf' })).toBe(one('ticker_publish_to_emit_seconds_count'));
      const sum = one('ticker_publish_to_emit_seconds_sum');
      expect(sum).toBeGreaterThanOrEqual(0);
      expect(sum).toBeLessThan(10); // seconds, not milliseconds

      for (const name of ['ticker_redis_errors_total', 'ticker_redis_reconnects_total', 'ticker_log_gaps_repaired_total']) {
        expect(types.get(name), name).toBe('counter');
        expect(one(name), name).toBeGreaterThanOrEqual(0);
      }

      expect(one('ticker_nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
      expect(one('ticker_nodejs_eventloop_lag_p99_seconds')).toBeGreaterThanOrEqual(0);
      expect(one('ticker_process_resident_memory_bytes')).toBeGreaterThan(10 * 2 ** 20);
      expect(one('ticker_process_cpu_seconds_total')).toBeGreaterThan(0);
      expect(one('ticker_nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    } finally {
      reader.disconnect();
    }
  });
});
