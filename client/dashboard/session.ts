/**
 * The signed-in key: kept in sessionStorage (this tab only), never in a URL, checked against
 * GET /api/v1/me. Scope matching is the server's own (shared/scopes.ts).
 */
import { CHANNEL_PATTERN } from '../../shared/headline.js';
import type { Principal } from '../../shared/scopes.js';
import { Api } from './api.js';

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

export function isChannelName(name: string): boolean {
  return CHANNEL_PATTERN.test(name);
}
