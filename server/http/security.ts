/**
 * Security headers (helmet) per kind of answer, CORS for the API (the `cors` package, from
 * CORS_ORIGINS), and the `/embed?server=` allowlist.
 *
 * - The dashboard holds admin keys: a strict CSP (only this origin's scripts, styles and
 *   connections), never framed (`frame-ancestors 'none'`, `X-Frame-Options: DENY`), no referrer.
 * - `/embed` is meant to be framed by any site: no `frame-ancestors`, no `X-Frame-Options`; its
 *   CSP allows connections only to this origin and EMBED_SERVERS.
 * - Demo pages and other files: a strict CSP, framed only by this origin.
 * - The API (and health, metrics): `default-src 'none'`, never framed.
 */
import cors from 'cors';
import type { Request, RequestHandler } from 'express';
import helmet from 'helmet';
import type { Config } from '../config.js';
import { RATE_LIMIT_HEADERS } from '../limits/http.js';
import { sendProblem } from './problem.js';

type Directives = Record<string, string[]>;

const pageDirectives: Directives = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'self'"],
};

const csp = (directives: Directives) => ({ useDefaults: false, directives });

export const apiHeaders: RequestHandler = helmet({
  contentSecurityPolicy: csp({ defaultSrc: ["'none'"], frameAncestors: ["'none'"] }),
  xFrameOptions: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
});

const dashboardHeaders: RequestHandler = helmet({
  contentSecurityPolicy: csp({
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    baseUri: ["'none'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  }),
  xFrameOptions: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
});

const pageHeaders: RequestHandler = helmet({
  contentSecurityPolicy: csp(pageDirectives),
  xFrameOptions: { action: 'sameorigin' },
  // Public files (demo.css, the bundles) may be loaded by publishers' pages on other sites.
  crossOriginResourcePolicy: { policy: 'cross-origin' },
  referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
});

const isPath = (req: Request, ...paths: string[]): boolean => paths.includes(req.path);

/** The origin this request reached (behind a trusted proxy: the proxy's protocol). */
const ownOrigin = (req: Request): string => `${req.protocol}://${req.get('host') ?? ''}`;

function embedServerAllowed(req: Request, servers: string[] | '*'): boolean {
  const value = req.query.server;
  if (value === undefined) return true;
  if (typeof value !== 'string') return false;
  if (servers === '*') return true;
  let origin: string;
  try {
    origin = new URL(value).origin;
  } catch {
    return false;
  }
  return origin === ownOrigin(req) || servers.includes(origin);
}

/** Headers for everything outside the API, chosen by path; refuses `/embed?server=` outside the allowlist. */
export function pageSecurity(config: Config): RequestHandler {
  const embedServers = config.embedServers;
  const { frameAncestors: _framedByAnySite, ...embedDirectives } = pageDirectives;
  const embedHeaders = helmet({
    contentSecurityPolicy: csp({
      ...embedDirectives,
      connectSrc: embedServers === '*' ? ["'self'", 'https:', 'wss:'] : ["'self'", ...embedServers],
    }),
    xFrameOptions: false,
    crossOriginResourcePolicy: { policy: 'cross-origin' },
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
  });
  return (req, res, next) => {
    if (isPath(req, '/dashboard', '/dashboard.html')) return dashboardHeaders(req, res, next);
    if (!isPath(req, '/embed', '/embed.html')) return pageHeaders(req, res, next);
    if (!embedServerAllowed(req, embedServers)) {
      return sendProblem(req, res, 'ORIGIN_NOT_ALLOWED', 'server= must be this server or one listed in EMBED_SERVERS');
    }
    embedHeaders(req, res, next);
  };
}

/** CORS for the API from CORS_ORIGINS ('*' by default); the key travels in a header, never a cookie. */
export function apiCors(config: Config): RequestHandler {
  return cors({
    origin: config.corsOrigins,
    methods: ['GET', 'HEAD', 'POST', 'PATCH', 'PUT', 'DELETE', 'OPTIONS'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'If-Match', 'If-None-Match', 'X-API-Key', 'X-Request-Id'],
    exposedHeaders: ['ETag', 'Location', 'Idempotent-Replayed', 'X-Request-Id', ...RATE_LIMIT_HEADERS],
    maxAge: 600,
    optionsSuccessStatus: 204,
  });
}
