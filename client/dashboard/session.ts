/**
 * The signed-in key: kept in sessionStorage (this tab only), never in a URL, checked against
 * GET /api/v1/me. Scope matching mirrors the server's (`admin`, or `publish:GLOB` with `*`).
 */
import { CHANNEL_PATTERN } from '../../shared/headline.js';
import { Api, type Principal } from './api.js';

const KEY_STORE = 'nt-dashboard-key';

export interface Session {
  api: Api;
  key: string;
  principal: Principal;
}

export function storedKey(): string | undefined {
  try {
    return sessionStorage.getItem(KEY_STORE) ?? undefined;
  } catch {
    return undefined;
  }
}

/** Checks the key with the server; on success keeps it for this tab. Throws ApiError. */
export async function signIn(key: string): Promise<Session> {
  const api = new Api(key);
  const principal = await api.me();
  try {
    sessionStorage.setItem(KEY_STORE, key);
  } catch {
    // without session storage the key lives in memory for this page only
  }
  return { api, key, principal };
}

export function signOut(): void {
  try {
    sessionStorage.removeItem(KEY_STORE);
  } catch {
    // nothing stored
  }
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\-]/g, '\\$&')).join('.*')}$`);
}

/** The channel globs a principal may publish to; ['*'] for admin. */
export function publishGlobs(principal: Principal): string[] {
  if (principal.scopes.includes('admin')) return ['*'];
  return principal.scopes.filter((s) => s.startsWith('publish:')).map((s) => s.slice('publish:'.length));
}

export function mayPublish(principal: Principal, channel: string): boolean {
  return publishGlobs(principal).some((glob) => globToRegExp(glob).test(channel));
}

export function isChannelName(name: string): boolean {
  return CHANNEL_PATTERN.test(name);
}
