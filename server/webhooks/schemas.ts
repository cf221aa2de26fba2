/** Webhook registration: the zod schema of `POST /api/v1/webhooks` and the stored record. */
import { z } from 'zod';
import { CHANNEL_PATTERN, EVENT_TYPES, LIMITS, type EventType } from '../../shared/index.js';

export const webhookInputSchema = z.strictObject({
  channel: z.string().regex(CHANNEL_PATTERN, 'a channel is 1–64 of a-z, 0-9 and "-"'),
  url: z.string().min(1).max(LIMITS.link).refine((v) => /^https?:\/\//i.test(v), 'must be an absolute http(s) URL'),
  /** Event types to deliver. @default every type */
  events: z.array(z.enum(EVENT_TYPES)).min(1).max(EVENT_TYPES.length).optional(),
  description: z.string().max(200).optional(),
});
export type WebhookInput = z.infer<typeof webhookInputSchema>;

export interface Webhook {
  id: string;
  channel: string;
  url: string;
  events: EventType[];
  description?: string;
  /** `whsec_` + base64 key (Standard Webhooks). Shown once, at registration. */
  secret: string;
  createdAt: string;
}

/** What one attempt did, newest first in the delivery log. */
export interface DeliveryAttempt {
  deliveryId: string;
  eventType: string;
  attempt: number;
  at: string;
  ok: boolean;
  /** The endpoint's HTTP status; 0 when there was none (timeout, refused). */
  status: number;
  durationMs: number;
  error?: string;
  /** When the next attempt is due; absent after success or the last attempt. */
  nextAttemptAt?: string;
}
