/**
 * Zod schemas of what the API answers, for the OpenAPI description (requests use the edge
 * schemas themselves). The reader-facing ones come from shared/wire (the source the shared types
 * are derived from); the desk and action shapes extend them.
 */
import { z } from 'zod';
import { headlineSchema, problemSchema } from '../../shared/index.js';

/** The reader-facing shapes come from shared/wire (also served as JSON Schema). */
export const headlineOut = headlineSchema;

export const deskHeadlineOut = headlineOut.extend({
  edNote: z.string().optional(),
  status: z.enum(['live', 'held', 'embargoed', 'retracted', 'expired']),
  corrected: z.boolean(),
  reason: z.string().optional(),
  reach: z.number().int().optional(),
});

export const problemOut = problemSchema;

export const actionOut = z.object({ data: z.object({ headline: deskHeadlineOut, cursor: z.string().nullable() }) });
export const ninjsActionOut = z.object({
  data: z.object({
    headline: deskHeadlineOut,
    cursor: z.string().nullable(),
    actions: z.array(z.enum(['published', 'corrected', 'held', 'released', 'retracted'])),
  }),
});
