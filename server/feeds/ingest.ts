/**
 * Feeds in: an admin connects an RSS/Atom/RDF URL to a channel. Each poll fetches it (with
 * ETag / If-Modified-Since), and each item becomes a headline whose id derives from the
 * feed and the item's guid, so the first publish is a compare-and-set: one publish per item
 * whichever process polls, across restarts. An item whose content changed in the feed is
 * corrected; an item that disappears is left alone; an item the desk held or killed is not
 * touched again, and a desk correction stands until the feed itself changes the item.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import { CHANNEL_PATTERN, LIMITS, publishInputSchema, URGENCY_PRESETS, type UrgencyPreset } from '../../shared/index.js';
import type { Engine } from '../engine/types.js';
import { sourcedId, type SourcedPublisher } from '../formats/sourced.js';
import { fetchFeed, FeedFetchError } from './fetch.js';
import { FeedParseError, parseFeed, type FeedItem } from './parse.js';

export const FEEDS_NS = 'feeds';
const STATE_NS = 'feed-state';
const SETTINGS_NS = 'settings';

/** Body of `POST /api/v1/feeds`. */
export const feedInputSchema = z.strictObject({
  channel: z.string().regex(CHANNEL_PATTERN, 'a channel is 1–64 of a-z, 0-9 and "-"'),
  url: z.string().min(1).max(LIMITS.link),
  urgency: z.union([
    z.number().int().min(1).max(9),
    z.enum(Object.keys(URGENCY_PRESETS) as [UrgencyPreset, ...UrgencyPreset[]]).transform((p) => URGENCY_PRESETS[p]),
  ]).default(URGENCY_PRESETS.routine),
  /** Minutes a headline from this feed stays live. */
  expiresAfterMinutes: z.number().int().min(1).max(7 * 24 * 60).default(360),
  pollSeconds: z.number().int().min(1).max(86_400).default(300),
  /** Newest items considered per poll. */
  maxItems: z.number().int().min(1).max(100).default(20),
  /** Only items whose title contains one of these (case-insensitive). */
  include: z.array(z.string().min(1).max(100)).max(20).optional(),
  /** Never items whose title contains one of these (case-insensitive). */
  exclude: z.array(z.string().min(1).max(100)).max(20).optional(),
  /** Overrides the feed's own language. */
  language: z.string().regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/).optional(),
});
export type FeedInput = z.infer<typeof feedInputSchema>;
export type FeedSubscription = FeedInput & { id: string; createdAt: string };

export const feedSettingsSchema = z.strictObject({
  /** Let feed URLs reach loopback and private addresses (a feed inside your own network). */
  allowPrivateAddresses: z.boolean(),
});
export type FeedSettings = z.infer<typeof feedSettingsSchema>;

export interface SkippedItem { guid: string; reason: string }

export interface PollReport {
  status: 'ok' | 'not-modified' | 'error';
  at: string;
  format?: string;
  encoding?: string;
  /** Items in the document. */
  items: number;
  published: number;
  corrected: number;
  unchanged: number;
  skipped: SkippedItem[];
  error?: string;
}

export interface FeedState {
  lastPolledAt?: string;
  etag?: string;
  lastModified?: string;
  lastReport?: PollReport;
}

export interface FeedIngestOptions {
  engine: Engine;
  sourced: SourcedPublisher;
  logger: Logger;
  clock?: () => Date;
}

const hashOf = (value: unknown): string => createHash('sha256').update(JSON.stringify(value)).digest('base64url');

export class FeedIngest {
  private readonly clock: () => Date;

  constructor(private readonly options: FeedIngestOptions) {
    this.clock = options.clock ?? (() => new Date());
  }

  async settings(): Promise<FeedSettings> {
    const raw = await this.options.engine.recordGet(SETTINGS_NS, 'feeds');
    return raw ? (JSON.parse(raw) as FeedSettings) : { allowPrivateAddresses: false };
  }

  async saveSettings(settings: FeedSettings): Promise<void> {
    await this.options.engine.recordPut(SETTINGS_NS, 'feeds', JSON.stringify(settings));
  }

  async create(input: FeedInput): Promise<FeedSubscription> {
    const feed: FeedSubscription = { ...input, id: randomBytes(9).toString('base64url'), createdAt: this.clock().toISOString() };
    await this.options.engine.recordPut(FEEDS_NS, feed.id, JSON.stringify(feed));
    return feed;
  }

  async get(id: string): Promise<FeedSubscription | undefined> {
    const raw = await this.options.engine.recordGet(FEEDS_NS, id);
    return raw ? (JSON.parse(raw) as FeedSubscription) : undefined;
  }

  async list(): Promise<FeedSubscription[]> {
    return Object.values(await this.options.engine.recordList(FEEDS_NS))
      .map((raw) => JSON.parse(raw) as FeedSubscription)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async remove(id: string): Promise<boolean> {
    await this.options.engine.recordDelete(STATE_NS, id);
    return this.options.engine.recordDelete(FEEDS_NS, id);
  }

  async state(id: string): Promise<FeedState> {
    const raw = await this.options.engine.recordGet(STATE_NS, id);
    return raw ? (JSON.parse(raw) as FeedState) : {};
  }

  /** Whether the feed is due for a poll now. */
  async isDue(feed: FeedSubscription): Promise<boolean> {
    const { lastPolledAt } = await this.state(feed.id);
    return !lastPolledAt || Date.parse(lastPolledAt) + feed.pollSeconds * 1000 <= this.clock().getTime();
  }

  /** Fetches and ingests one feed; never throws for the feed's own faults (they go in the report). */
  async poll(feed: FeedSubscription): Promise<PollReport> {
    const state = await this.state(feed.id);
    const at = this.clock().toISOString();
    const report: PollReport = { status: 'ok', at, items: 0, published: 0, corrected: 0, unchanged: 0, skipped: [] };
    const next: FeedState = { ...state, lastPolledAt: at };
    try {
      const { allowPrivateAddresses } = await this.settings();
      const res = await fetchFeed(feed.url, {
        allowPrivate: allowPrivateAddresses,
        ...(state.etag ? { etag: state.etag } : {}),
        ...(state.lastModified ? { lastModified: state.lastModified } : {}),
      });
      if (res.status === 304) {
        report.status = 'not-modified';
      } else {
        const parsed = parseFeed(res.body!, { url: res.url, ...(res.contentType ? { contentType: res.contentType } : {}) });
        Object.assign(report, { format: parsed.format, encoding: parsed.encoding, items: parsed.items.length });
        const language = feed.language ?? (parsed.language && /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(parsed.language) ? parsed.language : undefined);
        const source = parsed.title ? { name: parsed.title.slice(0, LIMITS.by), ...(parsed.link ? { uri: parsed.link } : {}) } : undefined;
        // Oldest first, so the newest item is also the newest headline.
        for (const item of parsed.items.slice(0, feed.maxItems).reverse()) {
          await this.ingestItem(feed, item, language, source, report);
        }
        if (res.etag) next.etag = res.etag;
        else delete next.etag;
        if (res.lastModified) next.lastModified = res.lastModified;
        else delete next.lastModified;
      }
    } catch (err) {
      if (!(err instanceof FeedFetchError || err instanceof FeedParseError)) this.options.logger.error({ err, feed: feed.id }, 'feed ingest failed');
      report.status = 'error';
      report.error = err instanceof Error ? err.message : String(err);
    }
    next.lastReport = report;
    await this.options.engine.recordPut(STATE_NS, feed.id, JSON.stringify(next));
    this.options.logger.info({ feed: feed.id, channel: feed.channel, ...report, skipped: report.skipped.length }, 'feed polled');
    return report;
  }

  private async ingestItem(
    feed: FeedSubscription, item: FeedItem, language: string | undefined, source: { name: string; uri?: string } | undefined, report: PollReport,
  ): Promise<void> {
    const skip = (reason: string) => void report.skipped.push({ guid: item.guid, reason });
    if (!item.title) return skip('no title');
    const lower = item.title.toLowerCase();
    if (feed.include?.length && !feed.include.some((w) => lower.includes(w.toLowerCase()))) return skip('filtered out (include)');
    if (feed.exclude?.some((w) => lower.includes(w.toLowerCase()))) return skip('filtered out (exclude)');
    const { engine, sourced } = this.options;
    const id = sourcedId(`feed:${feed.id}`, feed.channel, item.guid);
    const seenNs = `feed-items:${feed.id}`;
    const headline = item.title.length > LIMITS.headline ? `${item.title.slice(0, LIMITS.headline - 1)}…` : item.title;
    const content = hashOf([headline, item.link ?? null, language ?? null, feed.urgency]);
    const doc = await engine.getDoc(id);
    if (doc && (await engine.recordGet(seenNs, item.guid)) === content) return void report.unchanged++;
    if (doc && (doc.status === 'retracted' || doc.status === 'expired' || doc.pubStatus === 'withheld')) {
      report.unchanged++;
      return;
    }
    const expires = doc ? doc.expires : new Date(this.clock().getTime() + feed.expiresAfterMinutes * 60_000).toISOString();
    const parsed = publishInputSchema.safeParse({
      headline, urgency: feed.urgency,
      ...(language ? { language } : {}),
      ...(item.link ? { link: item.link } : {}),
      ...(source ? { infoSources: [source] } : {}),
      ...(expires ? { expires } : {}),
    });
    if (!parsed.success) return skip(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const result = await sourced.apply(id, feed.channel, parsed.data, 'usable', `updated by the feed ${feed.url}`, { keepExpires: true, actor: `feed:${feed.id}` });
    if (result.actions.includes('published')) report.published++;
    else if (result.actions.includes('corrected')) report.corrected++;
    else report.unchanged++;
    await engine.recordPut(seenNs, item.guid, content);
  }
}

/** Polls due feeds on every process; a lease per feed keeps it to one poll at a time. */
export function startFeedPoller(ingest: FeedIngest, engine: Engine, processId: string, logger: Logger, tickMs = 250): () => void {
  let running = false;
  let stopped = false;
  const tick = async () => {
    if (running || stopped) return;
    running = true;
    try {
      for (const feed of await ingest.list()) {
        if (stopped) break;
        if (!(await engine.lease(`feed:${feed.id}`, processId, 30_000))) continue;
        try {
          // Due is read after the lease is taken, so a poll another process just finished counts.
          if (await ingest.isDue(feed)) await ingest.poll(feed);
        } finally {
          await engine.leaseRelease(`feed:${feed.id}`, processId);
        }
      }
    } catch (err) {
      logger.warn({ err }, 'feed poller tick failed');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), tickMs);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
