/**
 * The headline service: runs editorial actions against the engine. Each action reads the
 * document, computes a Mutation and commits it with compare-and-set; on a lost race it reads
 * again (bounded), unless the caller pinned a version with If-Match.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { formatCursor, type CorrectionInput, type DeskHeadline, type PublishInput, type TickerEvent } from '../../shared/index.js';
import { SYSTEM_ACTOR, type AuditAction } from '../../shared/audit.js';
import { auditEntry } from '../audit/entry.js';
import { AppError } from './errors.js';
import * as t from './transitions.js';
import type { Engine, IdempotentReplay, Mutation } from '../engine/types.js';

export interface ActionResult {
  headline: DeskHeadline;
  /** The log cursor of the event this action produced, when it produced one. */
  cursor?: string;
  /** True when an Idempotency-Key matched an earlier request and nothing new happened. */
  replayed: boolean;
}

export interface ServiceOptions {
  engine: Engine;
  logger: Logger;
  /** @default () => new Date() */
  clock?: () => Date;
  /** How long an Idempotency-Key is remembered. @default 24 h */
  idempotencyTtlMs?: number;
  /**
   * Readers of a channel now, over all processes, or undefined when unknown: recorded as a
   * publish's or release's `reach`. Called on the publish path, so it must answer from memory
   * (server/presence). @default () => undefined (reach not recorded)
   */
  readersOf?: (channel: string) => number | undefined;
}

const MAX_ATTEMPTS = 8;

/** An Idempotency-Key as the client sent it, and the key holder it is scoped to. */
export interface IdempotencyInput {
  key: string;
  scope: string;
}

const sha = (text: string): string => createHash('sha256').update(text).digest('base64url');

/** The result of a change that was committed now. */
function applied(headline: DeskHeadline, event: TickerEvent | undefined): ActionResult {
  return { headline, ...(event ? { cursor: formatCursor(event) } : {}), replayed: false };
}

/** The answer to a retried request: what the first one did, if it was the same request. */
function replayed(replay: IdempotentReplay, fingerprint: string): ActionResult {
  if (replay.fingerprint !== fingerprint) throw new AppError('IDEMPOTENCY_KEY_REUSED');
  return { headline: replay.doc, ...(replay.cursor ? { cursor: replay.cursor } : {}), replayed: true };
}

export function newHeadlineId(): string {
  return randomBytes(12).toString('base64url');
}

export class HeadlineService {
  private readonly engine: Engine;
  private readonly logger: Logger;
  private readonly clock: () => Date;
  private readonly idempotencyTtlMs: number;
  private readonly readersOf: (channel: string) => number | undefined;

  constructor(options: ServiceOptions) {
    this.engine = options.engine;
    this.logger = options.logger;
    this.clock = options.clock ?? (() => new Date());
    this.idempotencyTtlMs = options.idempotencyTtlMs ?? 24 * 3600_000;
    this.readersOf = options.readersOf ?? (() => undefined);
  }

  async publish(channel: string, input: PublishInput, idem?: IdempotencyInput, actor = SYSTEM_ACTOR): Promise<ActionResult> {
    const mutation = t.publish(newHeadlineId(), channel, input, this.clock());
    if (idem) mutation.idempotency = this.idempotency(idem, [channel, input]);
    const result = await this.commitNew(mutation, actor);
    if (!result) throw new Error('unexpected commit result for a new headline: conflict');
    return result;
  }

  /**
   * Publishes a headline under an id its source chose (ninjs uri, feed guid), at `at`. Undefined
   * when a headline with that id exists already (another request or process was first).
   */
  publishWithId(id: string, channel: string, input: PublishInput, at: Date, actor: string): Promise<ActionResult | undefined> {
    return this.commitNew(t.publish(id, channel, input, at), actor);
  }

  private async commitNew(mutation: Mutation, actor: string): Promise<ActionResult | undefined> {
    mutation.doc.actor = actor;
    mutation.doc.createdBy = actor;
    if (mutation.event) mutation.doc.reach = this.readersOf(mutation.doc.channel);
    mutation.audit = auditEntry('published', null, mutation.doc);
    const result = await this.engine.commit(mutation);
    switch (result.status) {
      case 'ok':
        return applied(mutation.doc, result.event);
      case 'replay':
        return replayed(result.replay, mutation.idempotency!.fingerprint);
      case 'conflict':
        return undefined;
      default:
        throw new Error(`unexpected commit result for a new headline: ${(result as { status: string }).status}`);
    }
  }

  async get(uri: string): Promise<DeskHeadline> {
    const doc = await this.engine.getDoc(uri);
    if (!doc) throw new AppError('HEADLINE_NOT_FOUND');
    return doc;
  }

  correct(uri: string, input: CorrectionInput, ifMatch?: number, idem?: IdempotencyInput, actor = SYSTEM_ACTOR): Promise<ActionResult> {
    return this.change('corrected', uri, (doc, now) => t.correct(doc, input, now), { ifMatch, idem, actor, request: ['correct', uri, input] });
  }

  setExpiry(uri: string, expires: string | null, ifMatch?: number, idem?: IdempotencyInput, actor = SYSTEM_ACTOR): Promise<ActionResult> {
    return this.change('expiry-changed', uri, (doc, now) => t.setExpiry(doc, expires, now), { ifMatch, idem, actor, request: ['expires', uri, expires] });
  }

  /** A headline's versions, oldest first. */
  async versions(uri: string): Promise<DeskHeadline[]> {
    await this.get(uri);
    return this.engine.versions(uri);
  }

  hold(uri: string, reason?: string, ifMatch?: number, idem?: IdempotencyInput, actor = SYSTEM_ACTOR): Promise<ActionResult> {
    return this.change('held', uri, (doc, now) => t.hold(doc, reason, now), { ifMatch, idem, actor, request: ['hold', uri, reason ?? null] });
  }

  release(uri: string, ifMatch?: number, idem?: IdempotencyInput, actor = SYSTEM_ACTOR): Promise<ActionResult> {
    return this.change('released', uri, (doc, now) => t.release(doc, now), { ifMatch, idem, actor, request: ['release', uri], measureReach: true });
  }

  retract(uri: string, reason: string, ifMatch?: number, idem?: IdempotencyInput, actor = SYSTEM_ACTOR): Promise<ActionResult> {
    return this.change('retracted', uri, (doc, now) => t.retract(doc, reason, now), { ifMatch, idem, actor, request: ['retract', uri, reason] });
  }

  /** Runs due expiries and embargo ends. Safe to run on every process at once: each runs once. */
  async runDue(limit = 100): Promise<number> {
    const now = this.clock();
    let done = 0;
    for (const entry of await this.engine.due(now.getTime(), limit)) {
      const doc = await this.engine.getDoc(entry.uri);
      if (!doc) continue;
      const final = doc.status === 'retracted' || doc.status === 'expired';
      const mutation = final ? undefined : entry.kind === 'expire' ? t.expire(doc, now) : t.endEmbargo(doc, now);
      if (!mutation) continue;
      mutation.doc.actor = SYSTEM_ACTOR;
      if (entry.kind === 'release' && mutation.event) mutation.doc.reach = this.readersOf(doc.channel);
      mutation.audit = auditEntry(entry.kind === 'expire' ? 'expired' : 'embargo-ended', doc, mutation.doc);
      const result = await this.engine.commit(mutation);
      if (result.status === 'ok') done++;
      if (result.status === 'conflict') this.logger.debug({ uri: entry.uri, kind: entry.kind }, 'due entry raced a change; retried next tick');
    }
    return done;
  }

  /** The scoped, hashed key and the request's fingerprint: one key, one request. */
  private idempotency(idem: IdempotencyInput, request: unknown[]): NonNullable<Mutation['idempotency']> {
    return { key: sha(`${idem.scope}\n${idem.key}`), fingerprint: sha(JSON.stringify(request)), ttlMs: this.idempotencyTtlMs };
  }

  private async change(
    what: AuditAction,
    uri: string,
    action: (doc: DeskHeadline, now: Date) => Mutation,
    opts: { ifMatch?: number | undefined; idem?: IdempotencyInput | undefined; request: unknown[]; measureReach?: boolean; actor?: string },
  ): Promise<ActionResult> {
    const { ifMatch, measureReach = false, actor = SYSTEM_ACTOR } = opts;
    const idempotency = opts.idem ? this.idempotency(opts.idem, opts.request) : undefined;
    if (idempotency) {
      // A retry of a change that was applied: answer as then, before If-Match or the state refuse it.
      const hit = await this.engine.idempotent(idempotency.key);
      if (hit) return replayed(hit, idempotency.fingerprint);
    }
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const doc = await this.get(uri);
      if (ifMatch !== undefined && doc.version !== ifMatch) {
        throw new AppError('VERSION_MISMATCH', `the headline is at version ${doc.version}, not ${ifMatch}`);
      }
      const mutation = action(doc, this.clock());
      mutation.doc.actor = actor;
      if (measureReach && mutation.event) mutation.doc.reach = this.readersOf(doc.channel);
      if (idempotency) mutation.idempotency = idempotency;
      mutation.audit = auditEntry(what, doc, mutation.doc);
      const result = await this.engine.commit(mutation);
      if (result.status === 'ok') return applied(mutation.doc, result.event);
      if (result.status === 'replay' && idempotency) return replayed(result.replay, idempotency.fingerprint);
      if (result.status !== 'conflict') throw new Error(`unexpected commit result: ${result.status}`);
    }
    throw new AppError('VERSION_MISMATCH', 'the headline kept changing; try again');
  }
}
