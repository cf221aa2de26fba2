/**
 * The headline model. Field names follow IPTC ninjs 3.1 where ninjs has the field
 * (uri, version, language, urgency, pubStatus, firstCreated, versionCreated, embargoedUntil,
 * expires, by, infoSources, edNote); `headline`, `link`, `section` and `channel` are ours.
 */
import type { z } from 'zod';
import { directionOf, type Direction } from './text.js';
import type { headlineSchema } from './wire.js';

export const LIMITS = {
  headline: 280,
  /** Length guidance (not a limit) for flash and bulletin headlines. */
  headlineGuidance: 100,
  by: 200,
  section: 100,
  edNote: 1000,
  reason: 500,
  link: 2048,
  infoSources: 5,
} as const;

export const URGENCY_PRESETS = { flash: 1, bulletin: 2, urgent: 3, routine: 5 } as const;
export type UrgencyPreset = keyof typeof URGENCY_PRESETS;

export const PUB_STATUSES = ['usable', 'withheld', 'canceled'] as const;
export type PubStatus = (typeof PUB_STATUSES)[number];

/** Channel names: lowercase letters, digits and dashes, 1–64 characters, starting alphanumeric. */
export const CHANNEL_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** A headline as readers see it (no edNote, no internal fields); fields described in shared/wire.ts. */
export type Headline = z.infer<typeof headlineSchema>;

/** Desk states: what an editor sees. Derived from pubStatus, embargo and expiry. */
export type DeskStatus = 'live' | 'held' | 'embargoed' | 'retracted' | 'expired';

/** A headline as the newsroom sees it: everything, with its edNote and desk status. */
export interface DeskHeadline extends Headline {
  edNote?: string;
  status: DeskStatus;
  corrected: boolean;
  /** Why it was held or retracted. */
  reason?: string;
  /** Readers connected to its channel (all processes) when it went out. */
  reach?: number;
  /** The account that made this version (its name), or "system". */
  actor?: string;
  /** The account that first published it: "own headlines" of a reporter. */
  createdBy?: string;
}

export function publicView(h: DeskHeadline): Headline {
  const { edNote: _e, status: _s, corrected: _c, reason: _r, reach: _n, actor: _a, createdBy: _b, ...rest } = h;
  return rest;
}

export function languageOrGuess(language: string | undefined, headline: string): { language: string; direction: Direction } {
  const direction = directionOf(language, headline);
  return { language: language ?? (direction === 'rtl' ? 'ar' : 'en'), direction };
}

/** The urgency preset name for a value, as the widget labels it (flash, bulletin, urgent, routine). */
export function urgencyName(urgency: number): UrgencyPreset {
  if (urgency <= 1) return 'flash';
  if (urgency === 2) return 'bulletin';
  if (urgency <= 4) return 'urgent';
  return 'routine';
}

/** Our short ids are URL-safe tokens; in ninjs they become URNs, as ninjs wants a URI. */
export const ninjsUri = (id: string): string => `urn:news-ticker:headline:${id}`;
