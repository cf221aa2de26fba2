/**
 * Fetching a feed without opening a way into the internal network: only http(s); the host is
 * resolved and every address checked (loopback, private, link-local, unique-local, CGNAT,
 * multicast, unspecified are refused unless allowed), and the connection goes to the checked
 * address itself (the check runs inside the socket's lookup, so a DNS answer cannot change
 * between check and connect). Redirects are followed by hand, each hop checked again.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';

export class FeedFetchError extends Error {
  constructor(readonly reason: 'scheme' | 'address' | 'status' | 'size' | 'timeout' | 'network' | 'redirects', message: string) {
    super(message);
    this.name = 'FeedFetchError';
  }
}

const blocked = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24],
  ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96], ['2001:db8::', 32],
] as const) blocked.addSubnet(net, bits, 'ipv6');

/** True for an address a feed URL must not reach unless private addresses are allowed. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
    return mapped ? blocked.check(mapped, 'ipv4') : blocked.check(address, 'ipv6');
  }
  return true;
}

export function checkScheme(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new FeedFetchError('scheme', 'not a URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new FeedFetchError('scheme', 'only http and https URLs');
  if (parsed.username || parsed.password) throw new FeedFetchError('scheme', 'no credentials in feed URLs');
  return parsed;
}

/** Resolves a host and refuses it when any of its addresses is private (and that is not allowed). */
export async function checkHost(url: string, allowPrivate: boolean): Promise<void> {
  const { hostname } = checkScheme(url);
  const host = hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [host] : await new Promise<string[]>((resolve, reject) =>
    dnsLookup(host, { all: true }, (err, list: LookupAddress[]) => (err ? reject(new FeedFetchError('network', `cannot resolve ${host}`)) : resolve(list.map((a) => a.address)))));
  const refused = addresses.find(isPrivateAddress);
  if (refused && !allowPrivate) throw new FeedFetchError('address', `${host} resolves to ${refused}, a private or loopback address`);
}

/** A lookup that refuses private addresses at connect time. */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, list: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      const ok = list.filter((a) => allowPrivate || !isPrivateAddress(a.address));
      if (ok.length === 0) return callback(new FeedFetchError('address', `${hostname} resolves only to private or loopback addresses`), '', 0);
      if (options.all) return (callback as unknown as (e: null, l: LookupAddress[]) => void)(null, ok);
      callback(null, ok[0]!.address, ok[0]!.family);
    });
  };
}

export interface FetchOptions {
  allowPrivate: boolean;
  etag?: string;
  lastModified?: string;
  /** @default 10000 */
  timeoutMs?: number;
  /** @default 5 MiB */
  maxBytes?: number;
  /** @default 3 */
  maxRedirects?: number;
}

export interface FetchResult {
  status: number;
  body?: Buffer;
  etag?: string;
  lastModified?: string;
  contentType?: string;
  url: string;
}

function requestOnce(url: URL, options: FetchOptions): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) && isPrivateAddress(host) && !options.allowPrivate) {
    return Promise.reject(new FeedFetchError('address', `${host} is a private or loopback address`));
  }
  const maxBytes = options.maxBytes ?? 5 * 1024 * 1024;
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(url, {
      method: 'GET',
      // A fresh connection each time: a kept-alive socket would skip the guarded lookup.
      agent: false,
      lookup: guardedLookup(options.allowPrivate),
      timeout: options.timeoutMs ?? 10_000,
      headers: {
        'user-agent': 'news-ticker feed ingest',
        accept: 'application/rss+xml, application/atom+xml, application/rdf+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.1',
        ...(options.etag ? { 'if-none-match': options.etag } : {}),
        ...(options.lastModified ? { 'if-modified-since': options.lastModified } : {}),
      },
    }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          req.destroy(new FeedFetchError('size', `the feed is larger than ${maxBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new FeedFetchError('timeout', 'the feed did not answer in time')));
    req.on('error', (err) => reject(err instanceof FeedFetchError ? err : new FeedFetchError('network', err.message)));
    req.end();
  });
}

export async function fetchFeed(url: string, options: FetchOptions): Promise<FetchResult> {
  let current = checkScheme(url);
  for (let hop = 0; hop <= (options.maxRedirects ?? 3); hop++) {
    const res = await requestOnce(current, options);
    if ([301, 302, 303, 307, 308].includes(res.status) && res.headers.location) {
      current = checkScheme(new URL(res.headers.location, current).toString());
      continue;
    }
    const header = (name: string) => {
      const v = res.headers[name];
      return typeof v === 'string' ? v : undefined;
    };
    const etag = header('etag');
    const lastModified = header('last-modified');
    const contentType = header('content-type');
    if (res.status === 304) return { status: 304, url: current.toString(), ...(etag ? { etag } : {}), ...(lastModified ? { lastModified } : {}) };
    if (res.status < 200 || res.status >= 300) throw new FeedFetchError('status', `the feed answered HTTP ${res.status}`);
    return { status: res.status, body: res.body, url: current.toString(), ...(etag ? { etag } : {}), ...(lastModified ? { lastModified } : {}), ...(contentType ? { contentType } : {}) };
  }
  throw new FeedFetchError('redirects', 'too many redirects');
}
