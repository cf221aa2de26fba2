/**
 * API keys and scopes. Keys come from API_KEYS: [{ name, key, scopes }]. Scopes:
 * `publish:GLOB` (publish and edit on channels matching GLOB, `*` matches any run of characters)
 * and `admin` (everything, including /metrics). Keys are compared as SHA-256 digests in
 * constant time and never logged: requests log the key's name only.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { z } from 'zod';
import { AppError } from '../domain/errors.js';

export const apiKeySchema = z.strictObject({
  name: z.string().min(1).max(64),
  key: z.string().min(16, 'keys must have at least 16 characters').max(256),
  scopes: z.array(z.string().regex(/^(admin|publish:[a-z0-9*-]{1,64})$/, 'a scope is "admin" or "publish:GLOB"')).min(1),
});
export type ApiKey = z.infer<typeof apiKeySchema>;

export interface Principal {
  name: string;
  scopes: string[];
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

const digest = (key: string): Buffer => createHash('sha256').update(key).digest();

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\-]/g, '\\$&')).join('.*')}$`);
}

export function canPublish(principal: Principal, channel: string): boolean {
  return principal.scopes.some((s) => s === 'admin' || (s.startsWith('publish:') && globToRegExp(s.slice(8)).test(channel)));
}

export function isAdmin(principal: Principal): boolean {
  return principal.scopes.includes('admin');
}

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
