/**
 * Webhooks out. Each log event of a channel is claimed by one process (a lease per webhook
 * and event) and stored as a pending delivery; a worker on every process sends due ones,
 * signed the Standard Webhooks way, and retries failures on a schedule of about a day.
 * Pending deliveries live in the engine, so a crash loses none (at least once), and the
 * `webhook-id` stays the same on every retry for the receiver to deduplicate. Enqueueing is
 * a listener on the engine's events and sending happens on a timer: a slow or dead endpoint
 * never delays fan-out to readers.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { Logger } from 'pino';
import { formatCursor, type TickerEvent } from '../../shared/index.js';
import type { Engine } from '../engine/types.js';
import { guardedLookup } from '../feeds/fetch.js';
import { newSecret, sign } from './sign.js';
import type { DeliveryAttempt, Webhook, WebhookInput } from './schemas.js';

const HOOKS_NS = 'webhooks';
const PENDING_NS = 'webhook-pending';
const LOG_KEPT = 200;
/** Standard Webhooks' suggested schedule: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (about 28 h). */
export const DEFAULT_RETRY_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];

interface Pending {
  deliveryId: string;
  webhookId: string;
  eventType: string;
  body: string;
  attempt: number;
  nextAt: number;
}

export interface DispatcherOptions {
  engine: Engine;
  logger: Logger;
  processId: string;
  /** Whether endpoints may be on private or loopback addresses (the admin's outbound setting). */
  allowPrivate: () => Promise<boolean>;
  retryMs?: number[];
  timeoutMs?: number;
  tickMs?: number;
}

export class WebhookDispatcher {
  private readonly retryMs: number[];
  private readonly timeoutMs: number;
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<string>();
  private readonly off: () => void;
  private stopped = false;

  constructor(private readonly options: DispatcherOptions) {
    this.retryMs = options.retryMs ?? DEFAULT_RETRY_MS;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.off = options.engine.on('event', (e) => void this.enqueue(e).catch((err) => options.logger.warn({ err }, 'webhook enqueue failed')));
    this.timer = setInterval(() => void this.tick(), options.tickMs ?? 200);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    this.off();
    clearInterval(this.timer);
  }

  async register(input: WebhookInput): Promise<Webhook> {
    const hook: Webhook = {
      id: `wh_${randomBytes(9).toString('base64url')}`, channel: input.channel, url: input.url,
      events: input.events ?? ['published', 'corrected', 'withheld', 'released', 'retracted', 'expired'],
      ...(input.description ? { description: input.description } : {}),
      secret: newSecret(), createdAt: new Date().toISOString(),
    };
    await this.options.engine.recordPut(HOOKS_NS, hook.id, JSON.stringify(hook));
    return hook;
  }

  async list(): Promise<Webhook[]> {
    return Object.values(await this.options.engine.recordList(HOOKS_NS)).map((raw) => JSON.parse(raw) as Webhook)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async get(id: string): Promise<Webhook | undefined> {
    const raw = await this.options.engine.recordGet(HOOKS_NS, id);
    return raw ? (JSON.parse(raw) as Webhook) : undefined;
  }

  remove(id: string): Promise<boolean> {
    return this.options.engine.recordDelete(HOOKS_NS, id);
  }

  async deliveries(id: string, limit = 100): Promise<DeliveryAttempt[]> {
    return (await this.options.engine.listRange(`webhook-log:${id}`, limit)).map((raw) => JSON.parse(raw) as DeliveryAttempt);
  }

  /** Every process hears every event; the first to claim (webhook, event) stores the delivery. */
  private async enqueue(e: TickerEvent): Promise<void> {
    if (this.stopped) return;
    const hooks = (await this.list()).filter((h) => h.channel === e.channel && h.events.includes(e.type));
    for (const hook of hooks) {
      const deliveryId = `msg_${hook.id.slice(3)}_${e.epoch}_${e.offset}`;
      if (!(await this.options.engine.lease(`webhook-claim:${deliveryId}`, this.options.processId, 48 * 3600_000))) continue;
      const timestamp = Math.floor(Date.parse(e.at) / 1000);
      const body = JSON.stringify({
        type: `headline.${e.type}`,
        timestamp: new Date(timestamp * 1000).toISOString(),
        data: { channel: e.channel, cursor: formatCursor(e), event: e },
      });
      const pending: Pending = { deliveryId, webhookId: hook.id, eventType: e.type, body, attempt: 1, nextAt: Date.now() };
      await this.options.engine.recordPut(PENDING_NS, deliveryId, JSON.stringify(pending));
      void this.tick();
    }
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    let pending: Pending[];
    try {
      pending = Object.values(await this.options.engine.recordList(PENDING_NS)).map((raw) => JSON.parse(raw) as Pending);
    } catch {
      return;
    }
    const now = Date.now();
    for (const p of pending) {
      if (p.nextAt > now || this.inFlight.has(p.deliveryId)) continue;
      this.inFlight.add(p.deliveryId);
      void this.attempt(p)
        .catch((err) => this.options.logger.warn({ err, deliveryId: p.deliveryId }, 'webhook attempt failed; retried next tick'))
        .finally(() => this.inFlight.delete(p.deliveryId));
    }
  }

  private async attempt(p: Pending): Promise<void> {
    const { engine, processId, logger } = this.options;
    const leaseName = `webhook-send:${p.deliveryId}`;
    if (!(await engine.lease(leaseName, processId, this.timeoutMs + 5_000).catch(() => false))) return;
    try {
      // Read again under the lease: another process may have sent it meanwhile.
      const raw = await engine.recordGet(PENDING_NS, p.deliveryId);
      if (!raw) return;
      const current = JSON.parse(raw) as Pending;
      if (current.nextAt > Date.now()) return;
      const hook = await this.get(current.webhookId);
      if (!hook) return void (await engine.recordDelete(PENDING_NS, p.deliveryId));
      const started = Date.now();
      const result = await this.send(hook, current);
      const entry: DeliveryAttempt = {
        deliveryId: current.deliveryId, eventType: current.eventType, attempt: current.attempt, at: new Date(started).toISOString(),
        ok: result.ok, status: result.status, durationMs: Date.now() - started, ...(result.error ? { error: result.error } : {}),
      };
      const delay = this.retryMs[current.attempt - 1];
      if (result.ok || delay === undefined) {
        await engine.recordDelete(PENDING_NS, current.deliveryId);
        if (!result.ok) logger.warn({ webhook: hook.id, deliveryId: current.deliveryId }, 'webhook delivery gave up');
      } else {
        // Full jitter on the last tenth, so retries of many deliveries spread out.
        const nextAt = Date.now() + Math.round(delay * (0.9 + Math.random() * 0.1));
        entry.nextAttemptAt = new Date(nextAt).toISOString();
        await engine.recordPut(PENDING_NS, current.deliveryId, JSON.stringify({ ...current, attempt: current.attempt + 1, nextAt }));
      }
      await engine.listPush(`webhook-log:${hook.id}`, JSON.stringify(entry), LOG_KEPT);
    } finally {
      await engine.leaseRelease(leaseName, processId).catch(() => undefined);
    }
  }

  private async send(hook: Webhook, p: Pending): Promise<{ ok: boolean; status: number; error?: string }> {
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'news-ticker webhooks',
      'webhook-id': p.deliveryId,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': sign(hook.secret, p.deliveryId, timestamp, p.body),
    };
    const allowPrivate = await this.options.allowPrivate().catch(() => false);
    let url: URL;
    try {
      url = new URL(hook.url);
    } catch {
      return { ok: false, status: 0, error: 'invalid URL' };
    }
    return new Promise((resolve) => {
      const client = url.protocol === 'https:' ? https : http;
      const req = client.request(url, { method: 'POST', agent: false, lookup: guardedLookup(allowPrivate), timeout: this.timeoutMs, headers }, (res) => {
        res.resume();
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          resolve({ ok: status >= 200 && status < 300, status, ...(status >= 300 ? { error: `HTTP ${status}` } : {}) });
        });
        res.on('error', (err) => resolve({ ok: false, status: res.statusCode ?? 0, error: err.message }));
      });
      req.on('timeout', () => req.destroy(new Error(`no answer in ${this.timeoutMs} ms`)));
      req.on('error', (err) => resolve({ ok: false, status: 0, error: err.message }));
      req.end(p.body);
    });
  }
}
