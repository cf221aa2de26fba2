/**
 * Roles and what each may do, written once for the server and the dashboard.
 *
 * - reporter: publish routine and urgent (urgency 3 and above), correct and re-time own headlines.
 * - editor: everything on its channels' headlines: flash and bulletin, correct, hold, release, kill any.
 * - admin: everything on every channel, plus people and keys.
 *
 * A role applies on the channels of the account (globs, as in `publish:GLOB`). Keys from
 * API_KEYS keep working: `admin` is an admin, `publish:GLOB` is an editor on GLOB.
 */
import { URGENCY_PRESETS } from './headline.js';
import { canPublish, isAdmin, type Principal } from './scopes.js';

export const ROLES = ['reporter', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Actions checked per role; `people` is managing accounts and keys. */
export type RoleAction = 'publish' | 'correct' | 'hold' | 'release' | 'retract' | 'expires' | 'people';

/** The most urgent value a reporter may give a headline: urgent (3). */
export const REPORTER_MIN_URGENCY = URGENCY_PRESETS.urgent;

export function roleOf(principal: Principal): Role {
  return principal.role ?? (isAdmin(principal) ? 'admin' : 'editor');
}

export interface ActionContext {
  /** The urgency the headline would have after the action (publish, correct). */
  urgency?: number;
  /** Who created the headline (its `createdBy`), for "own headlines". */
  owner?: string;
}

export type Refusal = { code: 'FORBIDDEN' | 'ROLE_FORBIDS'; reason: string };

/** Why `principal` may not do `action` on `channel`, or undefined when it may. */
export function refusal(principal: Principal, action: RoleAction, channel: string | undefined, ctx: ActionContext = {}): Refusal | undefined {
  const role = roleOf(principal);
  if (action === 'people') {
    return role === 'admin' ? undefined : { code: 'ROLE_FORBIDS', reason: `only an admin manages people and keys; "${principal.name}" is ${role}` };
  }
  if (channel !== undefined && !canPublish(principal, channel)) {
    return { code: 'FORBIDDEN', reason: `"${principal.name}" may not work on "${channel}"` };
  }
  if (role !== 'reporter') return undefined;
  if (action === 'hold' || action === 'release' || action === 'retract') {
    return { code: 'ROLE_FORBIDS', reason: `a reporter may not ${action === 'retract' ? 'kill' : action} headlines; ask an editor` };
  }
  if (ctx.urgency !== undefined && ctx.urgency < REPORTER_MIN_URGENCY) {
    return { code: 'ROLE_FORBIDS', reason: 'a reporter may publish routine and urgent only; flash and bulletin need an editor' };
  }
  if ((action === 'correct' || action === 'expires') && ctx.owner !== principal.name) {
    return { code: 'ROLE_FORBIDS', reason: 'a reporter may correct only own headlines' };
  }
  return undefined;
}

export function may(principal: Principal, action: RoleAction, channel: string | undefined, ctx: ActionContext = {}): boolean {
  return refusal(principal, action, channel, ctx) === undefined;
}

/** A named account, as the people API shows it (never its key or digest). */
export interface Person {
  id: string;
  name: string;
  role: Role;
  /** Channel globs the role applies on ("*" for all). */
  channels: string[];
  createdAt: string;
  createdBy: string;
  /** When its current key was issued. */
  keyIssuedAt: string;
  revokedAt?: string;
}

/** What creating a person or rotating a key answers: the key, shown this once. */
export interface IssuedKey {
  person: Person;
  key: string;
}
