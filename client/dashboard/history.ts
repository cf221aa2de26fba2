/**
 * A headline's versions for the desk: the ones the server keeps (GET /headlines/:uri/versions,
 * the last 50, each with its status and edNote) merged with the versions this desk saw live since,
 * and what each version changed compared with the one before it.
 */
import type { EventType } from '../../shared/events.js';
import type { DeskHeadline } from '../../shared/headline.js';

/** What a version did: a log event's name, or `expiry` for a new expiry (not a correction). */
export type VersionChange = EventType | 'expiry';

export interface VersionEntry {
  doc: DeskHeadline;
  /** Known when the version before it is known too. */
  change?: VersionChange;
  /** The edNote or reason, when this version set it (later versions carry it along). */
  note?: string;
  reason?: string;
}

/** The fields a correction edits; a version that changes none of them but `expires` is an expiry change. */
const EDITED = ['headline', 'language', 'urgency', 'link', 'by', 'infoSources', 'section', 'edNote'] as const;

export function changeOf(doc: DeskHeadline, before: DeskHeadline | undefined): VersionChange {
  if (!before) return 'published';
  if (doc.status === 'retracted' || doc.status === 'expired') return doc.status;
  if (doc.pubStatus !== before.pubStatus) return doc.pubStatus === 'withheld' ? 'withheld' : 'released';
  if (before.status === 'embargoed' && doc.status !== 'embargoed') return 'published';
  const edited = EDITED.some((k) => JSON.stringify(doc[k]) !== JSON.stringify(before[k]));
  return !edited && doc.expires !== before.expires ? 'expiry' : 'corrected';
}

/** The server's versions and the ones seen live, one entry per version, newest first. */
export function versionEntries(fetched: readonly DeskHeadline[], seen: readonly DeskHeadline[]): VersionEntry[] {
  const byVersion = new Map<number, DeskHeadline>();
  for (const doc of [...fetched, ...seen]) byVersion.set(doc.version, doc);
  const docs = [...byVersion.values()].sort((a, b) => a.version - b.version);
  return docs.map((doc, i): VersionEntry => {
    const before = docs[i - 1]?.version === doc.version - 1 ? docs[i - 1] : undefined;
    const known = doc.version === 1 || before;
    return {
      doc,
      ...(known ? { change: changeOf(doc, before) } : {}),
      ...(doc.edNote && doc.edNote !== before?.edNote ? { note: doc.edNote } : {}),
      ...(doc.reason && doc.reason !== before?.reason ? { reason: doc.reason } : {}),
    };
  }).reverse();
}
