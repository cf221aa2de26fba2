/**
 * API keys: the key ring, the principal of a request or a socket, the scope checks of routes.
 * Keys come from API_KEYS: [{ name, key, scopes }]; scopes are matched by shared/scopes.ts.
 * Keys are compared as SHA-256 digests in constant time and never logged: requests log the
 * key's name only. Used by both http/ and realtime/.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { z } from 'zod';
import { SCOPE_PATTERN, canPublish, type Principal } from '../../shared/scopes.js';
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

  constructor(keys: ApiKey[]) {
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

  /** Reads the key from `Authorization: Bearer KEY` or `X-API-Key: KEY`. */
  fromRequest(req: Request): Principal | undefined {
    const header = req.get('authorization');
    const bearer = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
    const presented = bearer ?? req.get('x-api-key');
    if (!presented) return undefined;
    const principal = this.find(presented);
    if (!principal) throw new AppError('UNAUTHENTICATED', 'the API key is not valid');
    return principal;
  }

  /** Requires a valid key; scope checks that depend on the resource happen in the route. */
  authenticate(): RequestHandler {
    return (req, _res, next) => {
      const principal = this.fromRequest(req);
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
