/**
 * Feeds out: a channel's public live set, newest first, as JSON Feed 1.1
 * (`application/feed+json`) and Atom 1.0 (`application/atom+xml`). The live set is the one a
 * kill or a hold removes a headline from, so a retracted headline leaves every feed with the
 * same commit. The ETag is the channel's log position: the live set is a function of it.
 */
import { Router, type Request, type Response } from 'express';
import { channelSchema, ninjsUri, type Headline } from '../../shared/index.js';
import type { Engine } from '../engine/types.js';
import { parse } from '../http/problem.js';

export const JSON_FEED_TYPE = 'application/feed+json';
export const ATOM_TYPE = 'application/atom+xml';
/** Short caching: aggregators poll; a kill must not linger in caches for long. */
export const FEED_CACHE_CONTROL = 'public, max-age=15, must-revalidate';
const EMPTY_UPDATED = '1970-01-01T00:00:00.000Z';

export interface FeedView {
  channel: string;
  headlines: Headline[];
  /** When the channel last changed (its newest log event), ISO. */
  updated: string;
  etag: string;
  selfUrl: string;
  homeUrl: string;
}

export interface FeedOptions {
  engine: Engine;
  /** The title of a channel's feeds. @default (channel) => `news-ticker: ${channel}` */
  title?: (channel: string) => string;
}

async function feedView(engine: Engine, req: Request, channel: string, format: 'json' | 'atom'): Promise<FeedView> {
  const snap = await engine.snapshot(channel);
  let updated = snap.headlines.reduce((max, h) => (h.versionCreated > max ? h.versionCreated : max), EMPTY_UPDATED);
  if (snap.offset > 0) {
    const read = await engine.readLog(channel, snap.epoch, snap.offset - 1, 1);
    const last = read.events.at(-1);
    if (last && last.at > updated) updated = last.at;
  }
  const base = `${req.protocol}://${req.get('host') ?? 'localhost'}`;
  return {
    channel,
    headlines: snap.headlines,
    updated,
    etag: `"${snap.epoch}-${snap.offset}-${format}"`,
    selfUrl: `${base}/api/v1/channels/${channel}/feed.${format}`,
    homeUrl: `${base}/api/v1/channels/${channel}/headlines`,
  };
}

export function toJsonFeed(view: FeedView, title: string): Record<string, unknown> {
  return {
    version: 'https://jsonfeed.org/version/1.1',
    title,
    home_page_url: view.homeUrl,
    feed_url: view.selfUrl,
    items: view.headlines.map((h) => ({
      id: ninjsUri(h.uri),
      ...(h.link ? { url: h.link } : {}),
      title: h.headline,
      content_text: h.headline,
      date_published: h.firstCreated,
      date_modified: h.versionCreated,
      language: h.language,
      ...(h.by ? { authors: [{ name: h.by }] } : {}),
      ...(h.section ? { tags: [h.section] } : {}),
      // JSON Feed extensions start with an underscore.
      _news_ticker: { dir: h.direction, urgency: h.urgency, version: h.version, channel: h.channel, ...(h.expires ? { expires: h.expires } : {}) },
    })),
  };
}

/** XML text: escaped, and without characters XML 1.0 cannot carry. */
export function xmlText(value: string): string {
  return value
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

export function toAtom(view: FeedView, title: string): string {
  const entries = view.headlines.map((h) => {
    const lang = xmlText(h.language);
    return [
      `  <entry xml:lang="${lang}">`,
      `    <id>${xmlText(ninjsUri(h.uri))}</id>`,
      `    <title type="text">${xmlText(h.headline)}</title>`,
      `    <published>${h.firstCreated}</published>`,
      `    <updated>${h.versionCreated}</updated>`,
      ...(h.link ? [`    <link rel="alternate" type="text/html" href="${xmlText(h.link)}"/>`] : []),
      ...(h.by ? [`    <author><name>${xmlText(h.by)}</name></author>`] : []),
      ...(h.section ? [`    <category term="${xmlText(h.section)}"/>`] : []),
      `    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml" dir="${h.direction}" lang="${lang}">${xmlText(h.headline)}</div></content>`,
      `  </entry>`,
    ].join('\n');
  });
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `  <id>urn:news-ticker:channel:${xmlText(view.channel)}</id>`,
    `  <title type="text">${xmlText(title)}</title>`,
    `  <updated>${view.updated}</updated>`,
    `  <author><name>news-ticker</name></author>`,
    `  <link rel="self" type="${ATOM_TYPE}" href="${xmlText(view.selfUrl)}"/>`,
    `  <link rel="alternate" type="application/json" href="${xmlText(view.homeUrl)}"/>`,
    ...entries,
    '</feed>',
    '',
  ].join('\n');
}

/** Answers 304 when the client already has this version. */
function notModified(req: Request, res: Response, etag: string): boolean {
  res.setHeader('ETag', etag).setHeader('Cache-Control', FEED_CACHE_CONTROL).setHeader('Vary', 'Accept-Encoding');
  const match = req.get('if-none-match');
  if (match && match.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) {
    res.status(304).end();
    return true;
  }
  return false;
}

export function feedRoutes(options: FeedOptions): Router {
  const router = Router();
  const title = options.title ?? ((channel: string) => `news-ticker: ${channel}`);

  router.get('/channels/:channel/feed.json', async (req: Request, res: Response) => {
    const channel = parse(channelSchema, req.params.channel, 'channel:');
    const view = await feedView(options.engine, req, channel, 'json');
    if (notModified(req, res, view.etag)) return;
    res.type(JSON_FEED_TYPE).send(JSON.stringify(toJsonFeed(view, title(channel))));
  });

  router.get('/channels/:channel/feed.atom', async (req: Request, res: Response) => {
    const channel = parse(channelSchema, req.params.channel, 'channel:');
    const view = await feedView(options.engine, req, channel, 'atom');
    if (notModified(req, res, view.etag)) return;
    res.type(`${ATOM_TYPE}; charset=utf-8`).send(toAtom(view, title(channel)));
  });

  return router;
}
