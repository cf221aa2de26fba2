/**
 * The zod schemas of everything that crosses the edge (HTTP bodies, socket payloads). The server
 * parses with them; clients (the dashboard) use only the body types (`*Body`, what a client
 * sends: `z.input`), imported with `import type` so zod stays out of the browser bundles.
 */
import { z } from 'zod';
import { CHANNEL_PATTERN, LIMITS, URGENCY_PRESETS, type UrgencyPreset } from './headline.js';
import { hasLoneSurrogate, hasVisibleCharacter, isHttpUrl, looksLikeMarkup, normalizeText } from './text.js';

export const channelSchema = z.string().regex(CHANNEL_PATTERN, 'a channel is 1–64 of a-z, 0-9 and "-", starting with a letter or digit');

/** A headline id (`uri`): what the server generates, and what clients may send back. */
export const uriSchema = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'not a headline id');

/**
 * Normalised, bounded plain text with at least one visible character (see shared/text.ts): a lone
 * surrogate is refused before normalising; `plain` also refuses what an HTML parser reads as
 * markup (a "<" before a letter, "/", "!" or "?"), while "<" and ">" as text are fine.
 */
export function text(max: number, opts: { plain?: boolean } = {}) {
  return z
    .string()
    .refine((v) => !hasLoneSurrogate(v), { message: 'must be valid Unicode text: it contains a lone surrogate', abort: true })
    .transform((value) => normalizeText(value))
    .pipe(
      z
        .string()
        .min(1, 'must not be empty')
        .max(max, `must be at most ${max} characters`)
        .refine((v) => v.length === 0 || hasVisibleCharacter(v), 'must not be empty: it has no visible character')
        .refine((v) => !opts.plain || !looksLikeMarkup(v), 'must be plain text, not HTML markup ("<" followed by a letter, "/", "!" or "?" starts a tag)'),
    );
}

const isoDate = z.iso.datetime({ offset: true }).transform((v) => new Date(v).toISOString());

const languageSchema = z
  .string()
  .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a BCP 47 language tag such as "ar" or "en-GB"');

const urgencySchema = z.union([
  z.number().int().min(1).max(9),
  z.enum(Object.keys(URGENCY_PRESETS) as [UrgencyPreset, ...UrgencyPreset[]]).transform((p) => URGENCY_PRESETS[p]),
]);

const linkSchema = z.string().max(LIMITS.link).refine(isHttpUrl, 'must be an absolute http(s) URL');

const infoSourceSchema = z.strictObject({ name: text(LIMITS.by), uri: linkSchema.optional() });

/** Body of `POST /api/v1/channels/:channel/headlines`. */
export const publishInputSchema = z.strictObject({
  headline: text(LIMITS.headline, { plain: true }),
  language: languageSchema.optional(),
  urgency: urgencySchema.default(URGENCY_PRESETS.routine),
  pubStatus: z.enum(['usable', 'withheld']).default('usable'),
  link: linkSchema.optional(),
  by: text(LIMITS.by).optional(),
  infoSources: z.array(infoSourceSchema).max(LIMITS.infoSources).optional(),
  section: text(LIMITS.section).optional(),
  edNote: text(LIMITS.edNote).optional(),
  expires: isoDate.optional(),
  embargoedUntil: isoDate.optional(),
});
export type PublishInput = z.infer<typeof publishInputSchema>;
/** What a client sends to publish (presets and defaults not yet applied). */
export type PublishBody = z.input<typeof publishInputSchema>;

/** Body of `PATCH /api/v1/headlines/:id`: a correction; the edNote says what changed. */
export const correctionInputSchema = z.strictObject({
  headline: text(LIMITS.headline, { plain: true }).optional(),
  language: languageSchema.optional(),
  urgency: urgencySchema.optional(),
  link: linkSchema.nullable().optional(),
  by: text(LIMITS.by).nullable().optional(),
  infoSources: z.array(infoSourceSchema).max(LIMITS.infoSources).nullable().optional(),
  section: text(LIMITS.section).nullable().optional(),
  expires: isoDate.nullable().optional(),
  edNote: text(LIMITS.edNote),
});
export type CorrectionInput = z.infer<typeof correctionInputSchema>;
/** What a client sends to correct a headline. */
export type CorrectionBody = z.input<typeof correctionInputSchema>;

/** Body of retract, hold and release calls. */
export const reasonInputSchema = z.strictObject({ reason: text(LIMITS.reason) });
export const optionalReasonInputSchema = z.strictObject({ reason: text(LIMITS.reason).optional() });
export type ReasonBody = z.input<typeof reasonInputSchema>;
export type OptionalReasonBody = z.input<typeof optionalReasonInputSchema>;

/** Body of `PUT /api/v1/headlines/:id/expires`. */
export const expiryInputSchema = z.strictObject({ expires: isoDate.nullable() });
export type ExpiryBody = z.input<typeof expiryInputSchema>;

