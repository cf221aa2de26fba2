/**
 * Static files: the built browser bundles (dist/client) and the pages (client/public).
 *
 * The bundles are precompressed at build time (scripts/build-client.mjs writes `.br` at brotli
 * quality 11 and `.gz` at gzip level 9 beside each file), and served here by Accept-Encoding
 * negotiation with `Vary: Accept-Encoding`. Chosen over the `compression` middleware: the bundles
 * only change on deploy, so compressing them once costs nothing per request (a flash crowd of
 * readers loads embed.js thousands of times a second), brotli 11 is smaller than what a
 * middleware can afford per response, and ETag, Content-Length and ranges stay those of a file.
 */
import { existsSync } from 'node:fs';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router, type Request, type Response } from 'express';

/**
 * The package root, found once by walking up from this file to the first package.json: the same
 * answer from the sources (server/http/static.ts, run by tsx or vitest) and from the build
 * (dist/server/http/static.js, run by node), whatever the depth.
 */
export function packageRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export type Coding = 'br' | 'gzip' | 'identity';

/** Precompressed codings, in the server's order of preference (smaller first). */
const CODINGS = [{ coding: 'br', ext: '.br' }, { coding: 'gzip', ext: '.gz' }] as const;

/** Types of what has precompressed siblings; everything else in dist/client is served as is. */
const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * The best coding the client accepts (RFC 9110 §12.5.3): the highest q-value, ties going to the
 * server's order (br, then gzip); `*` stands for codings not named; q=0 refuses. Identity when
 * neither compressed coding is acceptable (an identity refusal is not honoured: 406 would break
 * a script tag for no gain).
 */
export function chooseCoding(header: string | undefined): Coding {
  const q = new Map<string, number>();
  for (const part of (header ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const value = qParam ? Number(qParam.slice(2)) : 1;
    q.set(name, Number.isFinite(value) ? Math.min(Math.max(value, 0), 1) : 0);
  }
  let best: Coding = 'identity';
  let bestQ = 0;
  for (const { coding } of CODINGS) {
    const value = q.get(coding) ?? q.get('*') ?? 0;
    if (value > bestQ) {
      best = coding;
      bestQ = value;
    }
  }
  return best;
}

const BUNDLE_HEADERS = {
  // The bundles are embedded by other sites (<script type="module" src="https://HOST/embed.js">):
  // module scripts are fetched with CORS, so they must say any origin may load them.
  'Access-Control-Allow-Origin': '*',
  'Cross-Origin-Resource-Policy': 'cross-origin',
  Vary: 'Accept-Encoding',
};
const BUNDLE_MAX_AGE = '5m';

/** Serves `<file>.br` or `<file>.gz` for a bundle when the client takes it; otherwise next(). */
function precompressed(dir: string) {
  return (req: Request, res: Response, next: (err?: unknown) => void): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const type = TYPES[extname(req.path)];
    const coding = type ? chooseCoding(req.get('accept-encoding')) : 'identity';
    if (coding === 'identity') return next();
    let path: string;
    try {
      path = resolve(dir, `.${decodeURIComponent(req.path)}`);
    } catch {
      return next();
    }
    const compressed = `${path}${CODINGS.find((c) => c.coding === coding)!.ext}`;
    if (!path.startsWith(dir + sep) || !existsSync(compressed)) return next();
    res.set({ ...BUNDLE_HEADERS, 'Content-Type': type!, 'Content-Encoding': coding });
    res.sendFile(compressed, { maxAge: BUNDLE_MAX_AGE, dotfiles: 'deny' }, (err) => {
      if (err && !res.headersSent) {
        res.removeHeader('Content-Encoding');
        next();
      }
    });
  };
}

export function staticRoutes(root: string = packageRoot()): Router {
  const router = Router();
  const bundles = join(root, 'dist', 'client');
  router.use(precompressed(bundles));
  router.use(express.static(bundles, {
    maxAge: BUNDLE_MAX_AGE,
    index: false,
    setHeaders: (res) => {
      for (const [name, value] of Object.entries(BUNDLE_HEADERS)) res.setHeader(name, value);
    },
  }));
  router.use(express.static(join(root, 'client', 'public'), { maxAge: '1m', extensions: ['html'] }));
  return router;
}
