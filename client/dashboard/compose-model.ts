/**
 * The composer's model, free of DOM: form values → request bodies, expiry presets, and the
 * Draft that carries one idempotency key per composed headline. A draft freezes the body it first
 * sent, so a retry (double click, dropped response, flaky network) resends byte-identical JSON
 * with the same key and the server answers with the first result instead of a second headline.
 */
import type { DeskHeadline, UrgencyPreset } from '../../shared/headline.js';
import { LIMITS, URGENCY_PRESETS } from '../../shared/headline.js';
import { directionOf, guessLanguage, normalizeText, type Direction } from '../../shared/text.js';
import type { CorrectionBody, PublishBody } from './api.js';

export const EXPIRY_PRESETS = ['15m', '1h', '6h', '24h', 'none'] as const;
export type ExpiryPreset = (typeof EXPIRY_PRESETS)[number];
const EXPIRY_MS: Record<ExpiryPreset, number | null> = { '15m': 15 * 60_000, '1h': 3600_000, '6h': 6 * 3600_000, '24h': 24 * 3600_000, none: null };

export interface ComposeValues {
  headline: string;
  /** 'auto' (guessed from the script) or a language tag. */
  languageChoice: string;
  channels: string[];
  urgency: UrgencyPreset;
  link: string;
  source: string;
  section: string;
  expiry: ExpiryPreset;
  /** A datetime-local value (local time), or ''. */
  embargo: string;
  /** The correction note (correction mode only). */
  note: string;
}

export function languageOf(v: Pick<ComposeValues, 'headline' | 'languageChoice'>): string {
  return v.languageChoice === 'auto' ? guessLanguage(v.headline) : v.languageChoice;
}

export function directionFor(v: Pick<ComposeValues, 'headline' | 'languageChoice'>): Direction {
  return directionOf(languageOf(v), v.headline);
}

/** Characters as the server counts them: after normalisation (NFC, collapsed spaces). */
export function headlineLength(text: string): number {
  return [...normalizeText(text)].length;
}

/** Whether the length exceeds the guidance for this urgency (flash and bulletin: ~100). */
export function overGuidance(text: string, urgency: UrgencyPreset): boolean {
  return (urgency === 'flash' || urgency === 'bulletin') && headlineLength(text) > LIMITS.headlineGuidance;
}

export function expiresAt(preset: ExpiryPreset, from: Date): string | undefined {
  const ms = EXPIRY_MS[preset];
  return ms === null ? undefined : new Date(from.getTime() + ms).toISOString();
}

/** A datetime-local value read as local time, as ISO; undefined when empty or invalid. */
export function localToIso(value: string): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** An ISO time as a datetime-local value in local time. */
export function isoToLocal(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function publishBody(v: ComposeValues, now: Date): PublishBody {
  const embargoedUntil = localToIso(v.embargo);
  // Expiry counts from when the headline goes out: the embargo end, or now.
  const expires = expiresAt(v.expiry, embargoedUntil ? new Date(embargoedUntil) : now);
  return {
    headline: v.headline,
    language: languageOf(v),
    urgency: v.urgency,
    ...(v.link.trim() ? { link: v.link.trim() } : {}),
    ...(v.source.trim() ? { infoSources: [{ name: v.source.trim() }] } : {}),
    ...(v.section.trim() ? { section: v.section.trim() } : {}),
    ...(expires ? { expires } : {}),
    ...(embargoedUntil ? { embargoedUntil } : {}),
  };
}

/** Only what changed, plus the required note; cleared optional fields are sent as null. */
export function correctionBody(v: ComposeValues, doc: DeskHeadline): CorrectionBody {
  const body: CorrectionBody = { edNote: v.note.trim() };
  if (normalizeText(v.headline) !== doc.headline) body.headline = v.headline;
  const language = languageOf(v);
  if (language !== doc.language) body.language = language;
  if (URGENCY_PRESETS[v.urgency] !== doc.urgency) body.urgency = URGENCY_PRESETS[v.urgency];
  const link = v.link.trim();
  if (link !== (doc.link ?? '')) body.link = link || null;
  const source = v.source.trim();
  if (source !== (doc.infoSources?.[0]?.name ?? '')) body.infoSources = source ? [{ name: source }] : null;
  const section = v.section.trim();
  if (section !== (doc.section ?? '')) body.section = section || null;
  return body;
}

/** The urgency preset a stored urgency maps back to in the composer. */
export function presetOf(urgency: number): UrgencyPreset {
  if (urgency <= 1) return 'flash';
  if (urgency === 2) return 'bulletin';
  if (urgency <= 4) return 'urgent';
  return 'routine';
}

/** A random id that works outside secure contexts too (crypto.randomUUID needs https). */
export function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** One composed headline: its id, the body it first sent, and the channels already done. */
export class Draft {
  readonly id = randomId();
  readonly done = new Map<string, DeskHeadline>();
  private frozen: { fingerprint: string; body: PublishBody } | undefined;

  /** The body to send: the frozen one while the editor has not changed the draft. */
  bodyFor(values: ComposeValues, now: Date): PublishBody {
    const { channels: _channels, note: _note, ...rest } = values;
    const fingerprint = JSON.stringify(rest);
    if (this.frozen?.fingerprint !== fingerprint) this.frozen = { fingerprint, body: publishBody(values, now) };
    return this.frozen.body;
  }

  /** One Idempotency-Key per channel, derived from the draft id. */
  keyFor(channel: string): string {
    return `${this.id}:${channel}`;
  }
}
