/**
 * Key scopes, written once for the server and the dashboard: `admin` (everything), or
 * `publish:GLOB` (publish and edit on channels matching GLOB, `*` matching any run of characters).
 */

/** Who a key belongs to and what it may do: what GET /api/v1/me answers. */
export interface Principal {
  name: string;
  scopes: string[];
  /** The role of a named account (shared/roles.ts); keys from API_KEYS have none and map by scope. */
  role?: 'reporter' | 'editor' | 'admin';
  /** The account's id, for named accounts. */
  id?: string;
}

/** The form of one scope in API_KEYS. */
export const SCOPE_PATTERN = /^(admin|publish:[a-z0-9*-]{1,64})$/;

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\-]/g, '\\$&')).join('.*')}$`);
}

export function isAdmin(principal: Principal): boolean {
  return principal.scopes.includes('admin');
}

/** The channel globs a principal may publish to; ['*'] for admin. */
export function publishGlobs(principal: Principal): string[] {
  if (isAdmin(principal)) return ['*'];
  return principal.scopes.filter((s) => s.startsWith('publish:')).map((s) => s.slice('publish:'.length));
}

/** Whether the principal may publish to and edit headlines of `channel`. */
export function canPublish(principal: Principal, channel: string): boolean {
  return publishGlobs(principal).some((glob) => globToRegExp(glob).test(channel));
}
