/**
 * The audit trail: an append-only record of every change to a headline, per headline and per
 * channel. Who (the account's name, or "system" for schedules), what, when, from which version
 * to which, and why (the reason of a hold or kill, the edNote of a correction).
 */
import type { DeskStatus } from './headline.js';

export const AUDIT_ACTIONS = ['published', 'corrected', 'expiry-changed', 'held', 'released', 'retracted', 'expired', 'embargo-ended'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** The actor of changes made by the server itself (expiry, end of embargo). */
export const SYSTEM_ACTOR = 'system';

export interface AuditEntry {
  at: string;
  actor: string;
  action: AuditAction;
  uri: string;
  channel: string;
  /** null for the first version. */
  fromVersion: number | null;
  toVersion: number;
  /** The desk status after the change. */
  status: DeskStatus;
  reason?: string;
}
