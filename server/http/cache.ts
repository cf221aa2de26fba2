/**
 * Shared caching of public reads (the live set, a public headline, log pages): a strong ETag of
 * the exact bytes, `Cache-Control: public, max-age=N, stale-while-revalidate=M` and 304 for a
 * matching `If-None-Match`. Nothing public is `immutable`: a kill or hold strips text from every
 * public surface at read time, including log pages far behind the head, so every answer may
 * change and is kept at most N + M seconds by a cache (the bound stated in docs/protocol.md).
 */
import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';

export interface CachePolicy {
  /** Seconds a shared cache may serve the answer without asking. */
  maxAgeS: number;
  /** Seconds past that it may serve it while it revalidates. */
  staleS: number;
}

export const cacheControl = (p: CachePolicy): string => `public, max-age=${p.maxAgeS}, stale-while-revalidate=${p.staleS}`;

/** A strong ETag of a representation's bytes. */
export const strongEtag = (body: string): string => `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;

/** Whether `If-None-Match` names this ETag (weak comparison, as RFC 9110 says for If-None-Match). */
export function notModified(req: Request, etag: string): boolean {
  const header = req.get('if-none-match');
  if (!header) return false;
  if (header.trim() === '*') return true;
  const bare = (t: string): string => t.trim().replace(/^W\//, '');
  return header.split(',').some((t) => bare(t) === bare(etag));
}

/** Sends `body` as a public, shortly cacheable answer: ETag, Cache-Control, 304 when unchanged. */
export function sendPublic(req: Request, res: Response, body: string, type: string, policy: CachePolicy, etag = strongEtag(body)): void {
  res.setHeader('ETag', etag).setHeader('Cache-Control', cacheControl(policy)).setHeader('Vary', 'Accept-Encoding, Authorization');
  if (notModified(req, etag)) return void res.status(304).end();
  res.type(type).send(body);
}
