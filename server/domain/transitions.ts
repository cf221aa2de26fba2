/**
 * What each editorial action does to a headline: pure functions from the stored document to a
 * Mutation. No I/O here; the service runs them against an engine with compare-and-set.
 */
import {
  languageOrGuess, publicView, type CorrectionInput, type DeskHeadline, type EventType, type PublishInput,
} from '../../shared/index.js';
import { AppError } from './errors.js';
import type { Mutation } from '../engine/types.js';

const ms = (iso: string | undefined): number | null => (iso ? Date.parse(iso) : null);

function withEvent(m: Omit<Mutation, 'event' | 'live'>, type: EventType, at: string): Mutation {
  const shows = type === 'published' || type === 'corrected' || type === 'released';
  return shows
    ? { ...m, live: 'set', event: { type, headline: publicView(m.doc), at } }
    : { ...m, live: 'delete', event: { type, at } };
}

/** Live, unless embargoed or held; the status a headline gets when it (re)enters the world. */
function enteringStatus(doc: DeskHeadline, now: number): DeskHeadline['status'] {
  if (doc.embargoedUntil && Date.parse(doc.embargoedUntil) > now) return 'embargoed';
  return doc.pubStatus === 'withheld' ? 'held' : 'live';
}

export function publish(uri: string, channel: string, input: PublishInput, now: Date): Mutation {
  const at = now.toISOString();
  if (input.expires && Date.parse(input.expires) <= now.getTime()) {
    throw new AppError('VALIDATION_FAILED', 'expires is in the past', [{ field: 'expires', message: 'must be in the future' }]);
  }
  if (input.expires && input.embargoedUntil && input.expires <= input.embargoedUntil) {
    throw new AppError('VALIDATION_FAILED', 'expires before the embargo ends', [{ field: 'expires', message: 'must be after embargoedUntil' }]);
  }
  const { language, direction } = languageOrGuess(input.language, input.headline);
  const doc: DeskHeadline = {
    uri, channel, version: 1, language, direction,
    headline: input.headline, urgency: input.urgency, pubStatus: input.pubStatus,
    firstCreated: at, versionCreated: at,
    ...(input.embargoedUntil && Date.parse(input.embargoedUntil) > now.getTime() ? { embargoedUntil: input.embargoedUntil } : {}),
    ...(input.expires ? { expires: input.expires } : {}),
    ...(input.link ? { link: input.link } : {}),
    ...(input.by ? { by: input.by } : {}),
    ...(input.infoSources ? { infoSources: input.infoSources } : {}),
    ...(input.section ? { section: input.section } : {}),
    ...(input.edNote ? { edNote: input.edNote } : {}),
    status: 'live', corrected: false,
  };
  doc.status = enteringStatus(doc, now.getTime());
  const base = { uri, channel, expectVersion: null, doc, due: { expire: ms(doc.expires), release: ms(doc.embargoedUntil) } };
  return doc.status === 'live' ? withEvent(base, 'published', at) : { ...base, live: 'keep' };
}

function assertOpen(doc: DeskHeadline): void {
  if (doc.status === 'retracted' || doc.status === 'expired') throw new AppError('HEADLINE_FINAL', `the headline is ${doc.status}`);
}

function next(doc: DeskHeadline, now: Date, changes: Partial<DeskHeadline>): DeskHeadline {
  return { ...doc, ...changes, version: doc.version + 1, versionCreated: now.toISOString() };
}

export function correct(doc: DeskHeadline, input: CorrectionInput, now: Date): Mutation {
  assertOpen(doc);
  if (input.expires && Date.parse(input.expires) <= now.getTime()) {
    throw new AppError('VALIDATION_FAILED', 'expires is in the past', [{ field: 'expires', message: 'must be in the future' }]);
  }
  const { edNote, ...fields } = input;
  const changed: DeskHeadline = next(doc, now, { edNote, corrected: true });
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (value === null) delete (changed as unknown as Record<string, unknown>)[key];
    else (changed as unknown as Record<string, unknown>)[key] = value;
  }
  if (input.headline !== undefined || input.language !== undefined) {
    Object.assign(changed, languageOrGuess(input.language ?? (input.headline === undefined ? doc.language : undefined), changed.headline));
  }
  const base = { uri: doc.uri, channel: doc.channel, expectVersion: doc.version, doc: changed, due: { expire: ms(changed.expires) } };
  return doc.status === 'live' ? withEvent(base, 'corrected', now.toISOString()) : { ...base, live: 'keep' };
}

/** A new expiry: a new version for readers (their clocks drop it at `expires`), not a correction. */
export function setExpiry(doc: DeskHeadline, expires: string | null, now: Date): Mutation {
  assertOpen(doc);
  if (expires && Date.parse(expires) <= now.getTime()) {
    throw new AppError('VALIDATION_FAILED', 'expires is in the past', [{ field: 'expires', message: 'must be in the future' }]);
  }
  const changed = next(doc, now, {});
  if (expires) changed.expires = expires;
  else delete changed.expires;
  const base = { uri: doc.uri, channel: doc.channel, expectVersion: doc.version, doc: changed, due: { expire: ms(changed.expires) } };
  return doc.status === 'live' ? withEvent(base, 'corrected', now.toISOString()) : { ...base, live: 'keep' };
}

export function hold(doc: DeskHeadline, reason: string | undefined, now: Date): Mutation {
  assertOpen(doc);
  if (doc.pubStatus === 'withheld') throw new AppError('INVALID_TRANSITION', 'the headline is already held');
  const changed = next(doc, now, { pubStatus: 'withheld', ...(reason ? { reason } : {}) });
  changed.status = enteringStatus(changed, now.getTime());
  // A hold hides every earlier version from public reads of the log (kill semantics, held).
  const base = { uri: doc.uri, channel: doc.channel, expectVersion: doc.version, doc: changed, hide: true };
  return doc.status === 'live' ? withEvent(base, 'withheld', now.toISOString()) : { ...base, live: 'keep' };
}

export function release(doc: DeskHeadline, now: Date): Mutation {
  assertOpen(doc);
  if (doc.pubStatus !== 'withheld') throw new AppError('INVALID_TRANSITION', 'the headline is not held');
  const changed = next(doc, now, { pubStatus: 'usable' });
  delete changed.reason;
  changed.status = enteringStatus(changed, now.getTime());
  const base = { uri: doc.uri, channel: doc.channel, expectVersion: doc.version, doc: changed };
  return changed.status === 'live' ? withEvent(base, 'released', now.toISOString()) : { ...base, live: 'keep' };
}

export function retract(doc: DeskHeadline, reason: string, now: Date): Mutation {
  assertOpen(doc);
  const changed = next(doc, now, { pubStatus: 'canceled', status: 'retracted', reason });
  // A kill purges every earlier version from public reads of the log, whatever the state.
  const base = { uri: doc.uri, channel: doc.channel, expectVersion: doc.version, doc: changed, due: { expire: null, release: null }, hide: true };
  return doc.status === 'live' ? withEvent(base, 'retracted', now.toISOString()) : { ...base, live: 'delete' };
}

/** Scheduled: the headline's `expires` has passed. */
export function expire(doc: DeskHeadline, now: Date): Mutation {
  const changed = next(doc, now, { status: 'expired' });
  const base = { uri: doc.uri, channel: doc.channel, expectVersion: doc.version, doc: changed, claim: 'expire' as const, due: { release: null } };
  return doc.status === 'live' ? withEvent(base, 'expired', now.toISOString()) : { ...base, live: 'delete' };
}

/** Scheduled: the embargo has ended; the headline goes out (or becomes held). */
export function endEmbargo(doc: DeskHeadline, now: Date): Mutation {
  const changed = next(doc, now, {});
  delete changed.embargoedUntil;
  changed.status = enteringStatus(changed, now.getTime());
  const base = { uri: doc.uri, channel: doc.channel, expectVersion: doc.version, doc: changed, claim: 'release' as const };
  return changed.status === 'live' ? withEvent(base, 'published', now.toISOString()) : { ...base, live: 'keep' };
}
