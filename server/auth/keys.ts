/**
 * API keys: the key ring, the principal of a request or a socket, the scope checks of routes.
 * Keys come from API_KEYS: [{ name, key, scopes }]; scopes are matched by shared/scopes.ts.
 * Named accounts (auth/accounts.ts) are looked up after them; roles are checked by requireAction.
 * Keys are compared as SHA-256 digests in constant time and never logged: requests log the
 * key's name only. Used by both http/ and realtime/.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { z } from 'zod';
import { SCOPE_PATTERN, canPublish, type Principal } from '../../shared/scopes.js';
import { refusal, type ActionContext, type RoleAction } from '../../shared/roles.js';
import type { AccountDirectory } from './accounts.js';
import { AppError } from '../domain/errors.js';

export { canPublish, isAdmin, type Principal } from '../../shared/scopes.js';

export const apiKeySchema = z.strictObject({
  name: z.string().min(1).max(64),
  key: z.string().min(16, 'keys must have at least 16 characters').max(256),
  scopes: z.array(z.string().regex(SCOPE_PATTERN, 'a scope is "admin" or "publish:GLOB"')).min(1),
});
export type ApiKey = z.infer<typeof apiKeySchema>;

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

const digest = (key: string): Buffer => createHash('sha256').update(key).digest();

export class KeyRing {
  private readonly keys: { digest: Buffer; principal: Principal }[];

  constructor(keys: ApiKey[], private readonly accounts?: AccountDirectory) {
    this.keys = keys.map((k) => ({ digest: digest(k.key), principal: { name: k.name, scopes: k.scopes } }));
  }

  get size(): number {
    return this.keys.length;
  }

  find(presented: string): Principal | undefined {
    const d = digest(presented);
    let found: Principal | undefined;
    for (const k of this.keys) if (timingSafeEqual(k.digest, d)) found = k.principal;
    return found;
  }

  /** A configured key's principal, else a named account's (not revoked). */
  async resolve(presented: string): Promise<Principal | undefined> {
    return this.find(presented) ?? (await this.accounts?.find(presented));
  }

  /** Reads the key from `Authorization: Bearer KEY` or `X-API-Key: KEY`. */
  async fromRequest(req: Request): Promise<Principal | undefined> {
    const header = req.get('authorization');
    const bearer = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
    const presented = bearer ?? req.get('x-api-key');
    if (!presented) return undefined;
    const principal = await this.resolve(presented);
    if (!principal) throw new AppError('UNAUTHENTICATED', 'the API key is not valid');
    return principal;
  }

  /** Requires a valid key; scope checks that depend on the resource happen in the route. */
  authenticate(): RequestHandler {
    return async (req, _res, next) => {
      const principal = await this.fromRequest(req);
      if (!principal) throw new AppError('UNAUTHENTICATED', 'send the key as "Authorization: Bearer KEY"');
      req.principal = principal;
      req.log = req.log.child({ keyName: principal.name });
      next();
    };
  }
}

export function requirePublish(req: Request, channel: string): Principal {
  const principal = req.principal;
  if (!principal) throw new AppError('UNAUTHENTICATED');
  if (!canPublish(principal, channel)) throw new AppError('FORBIDDEN', `the key "${principal.name}" may not publish to "${channel}"`);
  return principal;
}

/** Requires the request's principal to be allowed `action` (shared/roles.ts); 403 otherwise. */
export function requireAction(req: Request, action: RoleAction, channel?: string, ctx: ActionContext = {}): Principal {
  const principal = req.principal;
  if (!principal) throw new AppError('UNAUTHENTICATED');
  const refused = refusal(principal, action, channel, ctx);
  if (refused) throw new AppError(refused.code, refused.reason);
  return principal;
}
