/**
 * Headlines that come from another system (a CMS sending ninjs, a feed we poll) carry that
 * system's id. The headline's own id is derived from (source, channel, external id), so the
 * first publish is a compare-and-set on a new document: whichever request or process gets
 * there first publishes, every other one sees the document and only corrects what changed.
 * That gives one publish per item across processes and restarts without any extra lock.
 */
import { createHash } from 'node:crypto';
import {
  languageOrGuess, type CorrectionInput, type DeskHeadline, type PubStatus, type PublishInput,
} from '../../shared/index.js';
import { SYSTEM_ACTOR } from '../../shared/audit.js';
import { AppError } from '../domain/errors.js';
import type { ActionResult, HeadlineService } from '../domain/service.js';
import type { Engine } from '../engine/types.js';

export type SourcedAction = 'published' | 'corrected' | 'held' | 'released' | 'retracted';

export interface SourcedResult {
  headline: DeskHeadline;
  /** What was done, in order; empty when the document already said all this. */
  actions: SourcedAction[];
  /** The cursor of the last event produced, if any. */
  cursor?: string;
  created: boolean;
}

/** Our headline id for an external id: stable, URL-safe, 24 characters. */
export function sourcedId(source: string, channel: string, externalId: string): string {
  return createHash('sha256').update(`${source}\n${channel}\n${externalId}`).digest('base64url').slice(0, 24);
}

const CONTENT_FIELDS = ['headline', 'urgency', 'link', 'by', 'infoSources', 'section', 'expires'] as const;

/** The correction that brings `doc` to `input`, or undefined when nothing reader-visible differs. */
export function correctionFor(doc: DeskHeadline, input: PublishInput, edNote: string): CorrectionInput | undefined {
  const changes: Record<string, unknown> = {};
  for (const key of CONTENT_FIELDS) {
    const want = input[key];
    if (JSON.stringify(doc[key] ?? null) !== JSON.stringify(want ?? null)) changes[key] = want ?? null;
  }
  const language = languageOrGuess(input.language, input.headline).language;
  if (language !== doc.language) changes.language = language;
  if (Object.keys(changes).length === 0) return undefined;
  if ('headline' in changes && changes.headline === null) delete changes.headline;
  return { ...changes, edNote } as CorrectionInput;
}

export interface SourcedOptions {
  engine: Engine;
  service: HeadlineService;
  clock?: () => Date;
}

const MAX_STEPS = 8;

function withExpires(input: PublishInput, expires: string | undefined): PublishInput {
  const { expires: _drop, ...rest } = input;
  return expires ? { ...rest, expires } : rest;
}

export class SourcedPublisher {
  private readonly clock: () => Date;
  private last = 0;

  constructor(private readonly deps: SourcedOptions) {
    this.clock = deps.clock ?? (() => new Date());
  }

  /**
   * Brings headline `id` on `channel` to `input` with `status`: publishes it when new, else
   * holds, corrects, releases or retracts it as needed (each a new version), or does nothing.
   */
  async apply(
    id: string, channel: string, input: PublishInput, status: PubStatus, note: string,
    options: { keepExpires?: boolean; actor?: string } = {},
  ): Promise<SourcedResult> {
    // Every version names who made it: the key that sent the ninjs, or the feed.
    const actor = options.actor ?? SYSTEM_ACTOR;
    const actions: SourcedAction[] = [];
    let cursor: string | undefined;
    let created = false;
    for (let step = 0; step < MAX_STEPS; step++) {
      const doc = await this.deps.engine.getDoc(id);
      if (!doc) {
        if (status === 'canceled') throw new AppError('HEADLINE_NOT_FOUND', 'a kill (pubStatus canceled) for a headline never published');
        const result = await this.publishNew(id, channel, { ...input, pubStatus: status }, actor);
        if (!result) continue; // another request or process published it first: look again
        created = true;
        actions.push('published');
        cursor = result.cursor ?? cursor;
        continue;
      }
      if (doc.channel !== channel) throw new AppError('INVALID_TRANSITION', `the headline belongs to channel "${doc.channel}"`);
      const final = doc.status === 'retracted' || doc.status === 'expired';
      if (final) {
        if (status === 'canceled' || actions.length) return { headline: doc, actions, created, ...(cursor ? { cursor } : {}) };
        throw new AppError('HEADLINE_FINAL', `the headline is ${doc.status}`);
      }
      // A source's own expiry policy (feeds: "live for N minutes") is set once, at publish.
      const wanted = options.keepExpires ? withExpires(input, doc.expires) : input;
      const next = this.nextStep(doc, wanted, status, note, actor);
      if (!next) return { headline: doc, actions, created, ...(cursor ? { cursor } : {}) };
      try {
        const result = await next.run(doc.version);
        actions.push(next.action);
        cursor = result.cursor ?? cursor;
      } catch (err) {
        if (err instanceof AppError && err.code === 'VERSION_MISMATCH') continue;
        throw err;
      }
    }
    throw new AppError('VERSION_MISMATCH', 'the headline kept changing; try again');
  }

  /** One step at a time, in an order that never shows readers what should stay hidden. */
  private nextStep(doc: DeskHeadline, input: PublishInput, status: PubStatus, note: string, actor: string):
    { action: SourcedAction; run: (ifMatch: number) => Promise<ActionResult> } | undefined {
    const { service } = this.deps;
    if (status === 'canceled') return { action: 'retracted', run: (v) => service.retract(doc.uri, note, v, undefined, actor) };
    if (status === 'withheld' && doc.pubStatus !== 'withheld') return { action: 'held', run: (v) => service.hold(doc.uri, note, v, undefined, actor) };
    const correction = correctionFor(doc, input, note);
    if (correction) return { action: 'corrected', run: (v) => service.correct(doc.uri, correction, v, undefined, actor) };
    if (status === 'usable' && doc.pubStatus === 'withheld') return { action: 'released', run: (v) => service.release(doc.uri, v, undefined, actor) };
    return undefined;
  }

  private async publishNew(id: string, channel: string, input: PublishInput, actor: string): Promise<{ cursor?: string } | undefined> {
    // Strictly increasing within a process, so items published in one batch keep their order.
    const at = Math.max(this.clock().getTime(), this.last + 1);
    this.last = at;
    const result = await this.deps.service.publishWithId(id, channel, input, new Date(at), actor);
    if (!result) return undefined;
    return result.cursor ? { cursor: result.cursor } : {};
  }
}
