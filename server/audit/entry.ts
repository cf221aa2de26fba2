/** An audit entry for a committed change: who, what, when, from which version to which, why. */
import type { AuditAction, AuditEntry } from '../../shared/audit.js';
import { SYSTEM_ACTOR } from '../../shared/audit.js';
import type { DeskHeadline } from '../../shared/headline.js';

export function auditEntry(action: AuditAction, before: DeskHeadline | null, after: DeskHeadline): AuditEntry {
  const reason = action === 'corrected' ? after.edNote : action === 'held' || action === 'retracted' ? after.reason : undefined;
  return {
    at: after.versionCreated,
    actor: after.actor ?? SYSTEM_ACTOR,
    action,
    uri: after.uri,
    channel: after.channel,
    fromVersion: before ? before.version : null,
    toVersion: after.version,
    status: after.status,
    ...(reason ? { reason } : {}),
  };
}
