/**
 * The HTTP API client of the dashboard: one method per endpoint, the key sent as a Bearer token,
 * RFC 9457 problems turned into ApiError (code, detail, field errors). Network failures become
 * ApiError('NETWORK'). Every state-changing call carries an Idempotency-Key, and a change whose
 * outcome is unknown (OUTCOME_UNKNOWN, or the answer was cut off) is resolved here by sending it
 * again with the same key, so it is applied at most once.
 */
import type { ErrorCode, FieldError, Problem } from '../../shared/errors.js';
import type { DeskHeadline } from '../../shared/headline.js';
import { randomId } from './compose-model.js';
import type { CorrectionBody, ExpiryBody, OptionalReasonBody, PublishBody, ReasonBody } from '../../shared/schemas.js';
import type { Principal } from '../../shared/scopes.js';
import type { IssuedKey, Person, Role } from '../../shared/roles.js';
import type { AuditEntry } from '../../shared/audit.js';
import type { DeliveryAttempt, Webhook } from '../../server/webhooks/schemas.js';

/** A registered webhook as the list shows it: never its secret. */
export type WebhookInfo = Omit<Webhook, 'secret'>;
export type { DeliveryAttempt };

export type { CorrectionBody, PublishBody, Principal };

export type ApiErrorCode = ErrorCode | 'NETWORK';

export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    readonly status: number,
    readonly detail: string,
    readonly errors: FieldError[] = [],
  ) {
    super(detail || code);
    this.name = 'ApiError';
  }

  /** Worth retrying with the same Idempotency-Key: the request may not have been applied. */
  get retryable(): boolean {
    return this.code === 'NETWORK' || this.status >= 500;
  }

  /** The request may or may not have been applied: only a retry with the same key can tell. */
  get outcomeUnknown(): boolean {
    return this.code === 'OUTCOME_UNKNOWN' || this.code === 'NETWORK';
  }
}

/** Sends of one change the server reported OUTCOME_UNKNOWN for, before the dashboard gives up and says so. */
export const UNKNOWN_OUTCOME_ATTEMPTS = 6;

/** How many sends `err` allows: more when the server said the outcome is unknown. */
const attemptsFor = (err: ApiError, base: number): number => (err.code === 'OUTCOME_UNKNOWN' ? Math.max(base, UNKNOWN_OUTCOME_ATTEMPTS) : base);

export interface ActionResult {
  headline: DeskHeadline;
  cursor: string | null;
  replayed: boolean;
}

export class Api {
  constructor(private readonly key: string, private readonly origin = '') {}

  private async call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ data: T; res: Response }> {
    let res: Response;
    try {
      res = await fetch(`${this.origin}/api/v1${path}`, {
        method,
        cache: 'no-store',
        headers: {
          authorization: `Bearer ${this.key}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (err) {
      throw new ApiError('NETWORK', 0, err instanceof Error ? err.message : 'network error');
    }
    let json: unknown;
    try {
      json = await res.json();
    } catch {
      if (res.ok) throw new ApiError('NETWORK', res.status, 'the response was cut off');
      throw new ApiError('INTERNAL', res.status, res.statusText);
    }
    if (!res.ok) {
      const p = json as Partial<Problem>;
      throw new ApiError(p.code ?? 'INTERNAL', res.status, p.detail ?? p.title ?? res.statusText, p.errors ?? []);
    }
    return { data: (json as { data: T }).data, res };
  }

  async me(): Promise<Principal> {
    return (await this.call<Principal>('GET', '/me')).data;
  }

  async publish(channel: string, body: PublishBody, idempotencyKey: string): Promise<ActionResult> {
    const { data, res } = await this.call<{ headline: DeskHeadline; cursor: string | null }>(
      'POST', `/channels/${encodeURIComponent(channel)}/headlines`, body, { 'idempotency-key': idempotencyKey });
    return { ...data, replayed: res.headers.get('idempotent-replayed') === 'true' };
  }

  async correct(uri: string, body: CorrectionBody, version?: number): Promise<ActionResult> {
    return this.action('PATCH', `/headlines/${uri}`, body, version);
  }

  async hold(uri: string, reason?: string): Promise<ActionResult> {
    const body: OptionalReasonBody = reason ? { reason } : {};
    return this.action('POST', `/headlines/${uri}/hold`, body);
  }

  async release(uri: string): Promise<ActionResult> {
    const body: OptionalReasonBody = {};
    return this.action('POST', `/headlines/${uri}/release`, body);
  }

  async retract(uri: string, reason: string): Promise<ActionResult> {
    const body: ReasonBody = { reason };
    return this.action('POST', `/headlines/${uri}/retract`, body);
  }

  async setExpiry(uri: string, expires: string | null): Promise<ActionResult> {
    const body: ExpiryBody = { expires };
    return this.action('PUT', `/headlines/${uri}/expires`, body);
  }

  /** The channels that have had headlines and that this key may publish to. */
  async channels(): Promise<string[]> {
    return (await this.call<{ channels: string[] }>('GET', '/channels')).data.channels;
  }

  /** A headline's versions (the last 50), oldest first, each with its status and edNote. */
  async versions(uri: string): Promise<DeskHeadline[]> {
    return (await this.call<{ uri: string; versions: DeskHeadline[] }>('GET', `/headlines/${uri}/versions`)).data.versions;
  }

  /** People and keys (admin). */
  async people(): Promise<Person[]> {
    return (await this.call<{ people: Person[] }>('GET', '/people')).data.people;
  }

  async createPerson(body: { name: string; role: Role; channels: string[] }): Promise<IssuedKey> {
    return (await this.call<IssuedKey>('POST', '/people', body)).data;
  }

  async rotateKey(id: string): Promise<IssuedKey> {
    return (await this.call<IssuedKey>('POST', `/people/${encodeURIComponent(id)}/rotate`)).data;
  }

  async revokeKey(id: string): Promise<Person> {
    return (await this.call<{ person: Person }>('POST', `/people/${encodeURIComponent(id)}/revoke`)).data.person;
  }

  /** A headline's audit trail, oldest first. */
  async audit(uri: string): Promise<AuditEntry[]> {
    return (await this.call<{ entries: AuditEntry[] }>('GET', `/headlines/${uri}/audit`)).data.entries;
  }

  /** Webhooks (admin): the registered ones, oldest first, without their secrets. */
  async webhooks(): Promise<WebhookInfo[]> {
    return (await this.call<{ webhooks: WebhookInfo[] }>('GET', '/webhooks')).data.webhooks;
  }

  /** A webhook's delivery log (the last 100 attempts), newest first. */
  async webhookDeliveries(id: string): Promise<DeliveryAttempt[]> {
    return (await this.call<{ webhook: string; deliveries: DeliveryAttempt[] }>('GET', `/webhooks/${encodeURIComponent(id)}/deliveries`)).data.deliveries;
  }

  /** One editorial change: one Idempotency-Key for it and every resend of it. */
  private async action(method: string, path: string, body: unknown, version?: number): Promise<ActionResult> {
    const headers: Record<string, string> = { 'idempotency-key': randomId(), ...(version !== undefined ? { 'if-match': `"${version}"` } : {}) };
    const { data, res } = await resolveUnknown(() => this.call<{ headline: DeskHeadline; cursor: string | null }>(method, path, body, headers));
    return { ...data, replayed: res.headers.get('idempotent-replayed') === 'true' };
  }
}

/**
 * Sends a keyed change again while its outcome is unknown (bounded): the server answers the
 * resend with what the first send did, or applies it now. Other errors are final.
 */
export async function resolveUnknown<T>(send: () => Promise<T>, attempts = 4): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (err) {
      if (!(err instanceof ApiError) || !err.outcomeUnknown || attempt >= attemptsFor(err, attempts)) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100 + backoffMs(attempt)));
    }
  }
}

/** Full-jitter backoff (centrifuge-js): a random delay up to min(cap, base·2^attempt). */
export function backoffMs(attempt: number, baseMs = 250, capMs = 4000, random = Math.random): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** attempt));
}

/**
 * Runs `send` until it succeeds, fails for a reason a retry cannot fix, or `attempts` run out.
 * Only safe for calls that carry an Idempotency-Key (or are idempotent by nature).
 */
export async function withRetries<T>(send: () => Promise<T>, onRetry: (attempt: number) => void, attempts = 4): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (err) {
      // An unknown outcome gets more resends (same key) before giving up; "not published" is retried as before.
      if (!(err instanceof ApiError) || !err.retryable || attempt >= attemptsFor(err, attempts)) throw err;
      onRetry(attempt + 1);
      await new Promise((resolve) => setTimeout(resolve, 100 + backoffMs(attempt)));
    }
  }
}
