/**
 * A local HTTP server that serves the feed corpus (test/fixtures/feeds) like a real site: ETag
 * and Last-Modified, 304 on If-None-Match / If-Modified-Since; a test can replace a file's
 * bytes. It records every request so tests can assert conditional fetches.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';

export const FEED_DIR = new URL('../fixtures/feeds/', import.meta.url);

export interface FeedRequest { path: string; status: number; ifNoneMatch?: string; ifModifiedSince?: string }

export interface FeedServer {
  url: string;
  requests: FeedRequest[];
  /** Replaces what `path` serves (a new ETag and Last-Modified). */
  set(path: string, body: Buffer | string, contentType?: string): void;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = { rss: 'application/rss+xml', atom: 'application/atom+xml' };

export async function startFeedServer(): Promise<FeedServer> {
  const overrides = new Map<string, { body: Buffer; type: string; modified: Date }>();
  const requests: FeedRequest[] = [];
  const started = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const name = path.replace(/^\/+/, '');
    let file = overrides.get(path);
    if (!file && /^[\w.-]+$/.test(name)) {
      try {
        const ext = name.split('.').pop()!;
        // The Arabic feed that declares the wrong encoding says it in the header too.
        const type = name === 'arabic-wrong-encoding.rss' ? 'text/xml; charset=ISO-8859-1' : TYPES[ext] ?? 'application/xml';
        file = { body: readFileSync(new URL(name, FEED_DIR)), type, modified: started };
      } catch {
        file = undefined;
      }
    }
    const record = (status: number) => requests.push({
      path, status,
      ...(req.headers['if-none-match'] ? { ifNoneMatch: req.headers['if-none-match'] } : {}),
      ...(req.headers['if-modified-since'] ? { ifModifiedSince: req.headers['if-modified-since'] } : {}),
    });
    if (!file) {
      record(404);
      return void res.writeHead(404).end('not found');
    }
    const etag = `"${createHash('sha1').update(file.body).digest('hex')}"`;
    const lastModified = file.modified.toUTCString();
    const since = req.headers['if-modified-since'];
    const fresh = req.headers['if-none-match'] ? req.headers['if-none-match'] === etag : since ? Date.parse(since) >= file.modified.getTime() : false;
    if (fresh) {
      record(304);
      return void res.writeHead(304, { etag, 'last-modified': lastModified }).end();
    }
    record(200);
    res.writeHead(200, { 'content-type': file.type, etag, 'last-modified': lastModified }).end(file.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    set(path, body, contentType = 'application/rss+xml') {
      const previous = overrides.get(path)?.modified.getTime() ?? started.getTime();
      overrides.set(path, { body: Buffer.from(body), type: contentType, modified: new Date(Math.max(Date.now(), previous + 1000)) });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A feed server for the calling test file. */
export function useFeedServer(): FeedServer {
  const holder = {} as FeedServer;
  let real: FeedServer | undefined;
  beforeAll(async () => {
    real = await startFeedServer();
    Object.defineProperties(holder, {
      url: { get: () => real!.url },
      requests: { get: () => real!.requests },
    });
    holder.set = (...args) => real!.set(...args);
    holder.close = () => real!.close();
  });
  afterAll(async () => {
    await real?.close();
  });
  return holder;
}

/** Waits until `check` returns a value that is not undefined (polling a condition, not sleeping blindly). */
export async function waitFor<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
