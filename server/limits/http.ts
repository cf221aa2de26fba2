/**
 * Rate limits on HTTP: the IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers:
 * `RateLimit-Policy: "read";q=1200;w=60` and `RateLimit: "read";r=1187;t=42`) on every limited
 * response, and `429` problem+json with `Retry-After` when a limit is reached.
 */
import type { Request, RequestHandler, Response } from 'express';
import type { KeyRing } from '../auth/keys.js';
import { sendProblem } from '../http/problem.js';
import type { Decision, Limiter } from './limiter.js';

/** Seconds until a client may retry (at least 1). */
export const retryAfterSec = (d: Decision): number => Math.max(1, Math.ceil(d.resetMs / 1000));

export function setRateLimitHeaders(res: Response, d: Decision): void {
  res.setHeader('RateLimit-Policy', `"${d.policy}";q=${d.rule.points};w=${d.rule.windowSec}`);
  res.setHeader('RateLimit', `"${d.policy}";r=${d.remaining};t=${Math.ceil(d.resetMs / 1000)}`);
}

/** Headers a browser may read on cross-origin answers (CORS `Access-Control-Expose-Headers`). */
export const RATE_LIMIT_HEADERS = ['RateLimit', 'RateLimit-Policy', 'Retry-After'];

async function apply(limiter: Limiter, key: string, req: Request, res: Response): Promise<boolean> {
  const d = await limiter.take(key);
  if (!d) return true;
  setRateLimitHeaders(res, d);
  if (d.allowed) return true;
  const wait = retryAfterSec(d);
  res.setHeader('Retry-After', String(wait));
  req.log.info({ limit: d.policy }, 'rate limited');
  sendProblem(req, res, 'RATE_LIMITED', `the ${d.policy} limit is ${d.rule.points} per ${d.rule.windowSec} s; retry in ${wait} s`);
  return false;
}

/**
 * The API's limits: a change (POST, PATCH, PUT) made with a key counts against the key's publish
 * limit (shared by publishes and edits); every other request counts against the client address's
 * read limit (the address Express derives with `trust proxy`).
 */
export function apiRateLimits(limits: { publish: Limiter; read: Limiter }, keys: KeyRing): RequestHandler {
  return async (req, res, next) => {
    const change = req.method !== 'GET' && req.method !== 'HEAD';
    const principal = change ? await keys.fromRequest(req) : undefined;
    const ok = principal
      ? await apply(limits.publish, `key:${principal.name}`, req, res)
      : await apply(limits.read, `ip:${req.ip ?? 'unknown'}`, req, res);
    if (ok) next();
  };
}
