/**
 * A headline's versions: what the channel's public log says happened to it (every published,
 * corrected, withheld, released, retracted and expired event still retained), merged with the
 * versions this desk saw itself (which add edNotes and the changes made while it was off air).
 */
import type { EventType, TickerEvent } from '../../shared/events.js';
import type { DeskHeadline } from '../../shared/headline.js';
import type { Api } from './api.js';

export interface VersionEntry {
  version: number;
  at: string;
  /** The log event of this version, when it produced one. */
  event?: EventType;
  headline?: string;
  direction?: 'rtl' | 'ltr';
  language?: string;
  edNote?: string;
  status?: DeskHeadline['status'];
}

const PAGE = 1000;
const MAX_PAGES = 20;

/** Every retained log event of one headline, oldest first (pages through the channel's log). */
export async function loadHistory(api: Api, channel: string, uri: string): Promise<TickerEvent[]> {
  const mine: TickerEvent[] = [];
  let after: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await api.events(channel, after, PAGE);
    mine.push(...res.events.filter((e) => e.uri === uri));
    if (res.events.length < PAGE || res.cursor === res.head) break;
    after = res.cursor;
  }
  return mine;
}

/** Log events and seen documents, one entry per version, newest first. */
export function mergeVersions(events: TickerEvent[], seen: DeskHeadline[]): VersionEntry[] {
  const byVersion = new Map<number, VersionEntry>();
  for (const e of events) {
    byVersion.set(e.version, {
      version: e.version, at: e.at, event: e.type,
      ...(e.headline ? { headline: e.headline.headline, direction: e.headline.direction, language: e.headline.language } : {}),
    });
  }
  for (const d of seen) {
    const entry = byVersion.get(d.version) ?? { version: d.version, at: d.versionCreated };
    Object.assign(entry, {
      headline: d.headline, direction: d.direction, language: d.language, status: d.status,
      ...(d.edNote ? { edNote: d.edNote } : {}),
    });
    byVersion.set(d.version, entry);
  }
  return [...byVersion.values()].sort((a, b) => b.version - a.version);
}
