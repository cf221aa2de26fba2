/**
 * Zod schemas of what the API answers, for the OpenAPI description (requests use the edge
 * schemas themselves). They mirror the types in shared/ and are checked against real answers
 * in test/openapi.test.ts.
 */
import { z } from 'zod';
import { ERRORS, type ErrorCode } from '../../shared/index.js';

const ERROR_CODES = Object.keys(ERRORS) as [ErrorCode, ...ErrorCode[]];

const iso = z.string().describe('ISO 8601 date-time');

export const headlineOut = z.object({
  uri: z.string().describe('The headline id'),
  channel: z.string(),
  version: z.number().int().min(1),
  language: z.string().describe('BCP 47 tag'),
  direction: z.enum(['rtl', 'ltr']),
  headline: z.string(),
  urgency: z.number().int().min(1).max(9),
  pubStatus: z.enum(['usable', 'withheld', 'canceled']),
  firstCreated: iso,
  versionCreated: iso,
  embargoedUntil: iso.optional(),
  expires: iso.optional(),
  link: z.string().optional(),
  by: z.string().optional(),
  infoSources: z.array(z.object({ name: z.string(), uri: z.string().optional() })).optional(),
  section: z.string().optional(),
});

export const deskHeadlineOut = headlineOut.extend({
  edNote: z.string().optional(),
  status: z.enum(['live', 'held', 'embargoed', 'retracted', 'expired']),
  corrected: z.boolean(),
  reason: z.string().optional(),
  reach: z.number().int().optional(),
});

export const eventOut = z.object({
  channel: z.string(),
  epoch: z.string(),
  offset: z.number().int(),
  type: z.enum(['published', 'corrected', 'withheld', 'released', 'retracted', 'expired']),
  uri: z.string(),
  version: z.number().int(),
  headline: headlineOut.optional(),
  at: iso,
});

export const problemOut = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  code: z.enum(ERROR_CODES),
  detail: z.string().optional(),
  instance: z.string().optional(),
  errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
});

export const actionOut = z.object({ data: z.object({ headline: deskHeadlineOut, cursor: z.string().nullable() }) });
export const ninjsActionOut = z.object({
  data: z.object({
    headline: deskHeadlineOut,
    cursor: z.string().nullable(),
    actions: z.array(z.enum(['published', 'corrected', 'held', 'released', 'retracted'])),
  }),
});
