/**
 * Reading RSS 2.0, RSS 1.0 (RDF) and Atom 1.0 with fast-xml-parser, as they are in the wild:
 * entities and CDATA, HTML in titles (reduced to text), relative links (resolved against
 * xml:base, the feed's link or its URL), missing dates and ids, and encodings declared wrong.
 */
import { createHash } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';
import { decode } from 'html-entities';
import { isHttpUrl, normalizeText } from '../../shared/index.js';

export interface FeedItem {
  /** The item's guid/id; else its link; else a hash of its title. */
  guid: string;
  /** Plain text (markup stripped, entities decoded, normalised); empty when the item has no title. */
  title: string;
  /** Absolute http(s) link, if any. */
  link?: string;
  /** ISO time the item says it was published or updated, if it says and the date reads. */
  date?: string;
}

export interface ParsedFeed {
  format: 'rss' | 'rdf' | 'atom';
  title: string;
  language?: string;
  link?: string;
  /** Items in document order (feeds list newest first). */
  items: FeedItem[];
  /** The encoding the bytes were read with. */
  encoding: string;
}

export class FeedParseError extends Error {}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: true,
  isArray: (name) => ['item', 'entry', 'link'].includes(name),
});

/** Reads bytes as text: valid UTF-8 wins (declarations are often wrong), else the declared charset, else windows-1252. */
export function decodeFeed(bytes: Buffer, contentType?: string): { text: string; encoding: string } {
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { text: new TextDecoder('utf-16be').decode(bytes), encoding: 'utf-16be' };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { text: new TextDecoder('utf-16le').decode(bytes), encoding: 'utf-16le' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    // not UTF-8: believe the declaration
  }
  const head = bytes.subarray(0, 200).toString('latin1');
  const declared = /charset=["']?([\w.:-]+)/i.exec(contentType ?? '')?.[1] ?? /<\?xml[^>]*encoding=["']([\w.:-]+)["']/i.exec(head)?.[1];
  for (const label of [declared, 'windows-1252']) {
    if (!label) continue;
    try {
      return { text: new TextDecoder(label).decode(bytes), encoding: label.toLowerCase() };
    } catch {
      // unknown label: try the next
    }
  }
  return { text: bytes.toString('latin1'), encoding: 'latin1' };
}

type Node = string | { '#text'?: unknown; [key: string]: unknown } | undefined;

/** The text of an element that may carry attributes (`{ '#text', '@type' }`) or be missing. */
function textOf(node: unknown): string {
  if (node === undefined || node === null) return '';
  if (typeof node === 'string' || typeof node === 'number') return String(node);
  if (Array.isArray(node)) return textOf(node[0]);
  if (typeof node === 'object') return textOf((node as { '#text'?: unknown })['#text']);
  return '';
}

/** Titles are text: tags dropped, entities (also double-escaped ones) decoded, whitespace normalised. */
export function plainText(value: string): string {
  const stripped = value.replace(/<!--[\s\S]*?-->/g, '').replace(/<\/?[a-z][^>]*>/gi, ' ');
  return normalizeText(decode(decode(stripped)).replace(/<\/?[a-z][^>]*>/gi, ' '));
}

function absolute(href: string, base: string | undefined): string | undefined {
  if (!href) return undefined;
  try {
    const url = base ? new URL(href, base).toString() : new URL(href).toString();
    return isHttpUrl(url) ? url : undefined;
  } catch {
    return undefined;
  }
}

function isoDate(value: string): string | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

function fallbackGuid(title: string, link: string | undefined): string {
  return link ?? `sha256:${createHash('sha256').update(title).digest('hex')}`;
}

function atomLink(links: unknown, base: string | undefined): string | undefined {
  const list = (Array.isArray(links) ? links : []) as { '@href'?: string; '@rel'?: string }[];
  const alternate = list.find((l) => (l['@rel'] ?? 'alternate') === 'alternate' && l['@href']) ?? list.find((l) => l['@href']);
  return alternate?.['@href'] ? absolute(alternate['@href'], base) : undefined;
}

function rssLink(links: unknown, base: string | undefined): string | undefined {
  const list = Array.isArray(links) ? links : [];
  for (const l of list) {
    const href = typeof l === 'string' ? l : textOf(l) || (l as { '@href'?: string })['@href'] || '';
    const url = absolute(href.trim(), base);
    if (url) return url;
  }
  return undefined;
}

export function parseFeed(bytes: Buffer, options: { contentType?: string; url?: string } = {}): ParsedFeed {
  const { text, encoding } = decodeFeed(bytes, options.contentType);
  let doc: Record<string, Node>;
  try {
    doc = parser.parse(text) as Record<string, Node>;
  } catch (err) {
    throw new FeedParseError(`not XML: ${(err as Error).message}`);
  }
  const rss = doc.rss as Record<string, Node> | undefined;
  const rdf = doc.RDF as Record<string, Node> | undefined;
  const atom = doc.feed as Record<string, Node> | undefined;

  if (atom && typeof atom === 'object') {
    const base = absolute((atom['@base'] as string | undefined) ?? '', options.url) ?? options.url;
    const feedLink = atomLink(atom.link, base);
    const items = ((atom.entry as unknown[] | undefined) ?? []).map((raw) => {
      const e = raw as Record<string, unknown>;
      const entryBase = absolute((e['@base'] as string | undefined) ?? '', base) ?? base;
      const title = plainText(textOf(e.title));
      const link = atomLink(e.link, entryBase);
      return { guid: textOf(e.id).trim() || fallbackGuid(title, link), title, ...(link ? { link } : {}), ...dated(isoDate(textOf(e.updated) || textOf(e.published))) };
    });
    const lang = (atom['@lang'] as string | undefined) ?? undefined;
    return { format: 'atom', title: plainText(textOf(atom.title)), ...(lang ? { language: lang } : {}), ...(feedLink ? { link: feedLink } : {}), items, encoding };
  }

  if (rss && typeof rss === 'object') {
    const channel = (Array.isArray(rss.channel) ? rss.channel[0] : rss.channel) as Record<string, unknown> | undefined;
    if (!channel) throw new FeedParseError('an RSS document without a channel');
    const feedLink = rssLink(channel.link, options.url);
    const base = feedLink ?? options.url;
    const items = ((channel.item as unknown[] | undefined) ?? []).map((raw) => rssItem(raw as Record<string, unknown>, base));
    const lang = textOf(channel.language).trim();
    return { format: 'rss', title: plainText(textOf(channel.title)), ...(lang ? { language: lang } : {}), ...(feedLink ? { link: feedLink } : {}), items, encoding };
  }

  if (rdf && typeof rdf === 'object') {
    const channel = rdf.channel as Record<string, unknown> | undefined;
    const feedLink = channel ? rssLink(channel.link, options.url) : undefined;
    const base = feedLink ?? options.url;
    const items = ((rdf.item as unknown[] | undefined) ?? []).map((raw) => {
      const item = raw as Record<string, unknown>;
      const parsed = rssItem(item, base);
      const about = (item['@about'] as string | undefined)?.trim();
      return about ? { ...parsed, guid: about } : parsed;
    });
    const lang = channel ? textOf(channel.language).trim() : '';
    return { format: 'rdf', title: plainText(textOf(channel?.title)), ...(lang ? { language: lang } : {}), ...(feedLink ? { link: feedLink } : {}), items, encoding };
  }
  throw new FeedParseError('neither RSS, RDF nor Atom');
}

function dated(date: string | undefined): { date?: string } {
  return date ? { date } : {};
}

function rssItem(item: Record<string, unknown>, base: string | undefined): FeedItem {
  const title = plainText(textOf(item.title));
  const link = rssLink(item.link, base);
  const guid = textOf(item.guid).trim();
  return {
    guid: guid || fallbackGuid(title, link),
    title,
    ...(link ? { link } : {}),
    ...dated(isoDate(textOf(item.pubDate) || textOf(item.date))),
  };
}
