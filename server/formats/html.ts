/**
 * `?format=html` of the live set: a small server-rendered fragment a site can include for first
 * paint and for search engines (which do not index Shadow DOM). A semantic list, `dir` and `lang`
 * per item, text escaped, links only http(s), no scripts and no styles. The `<news-ticker>`
 * widget can be placed around it and takes the items over when it goes live.
 */
import type { Headline } from '../../shared/index.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

const safeLink = (link: string | undefined): string | undefined => (link && /^https?:\/\//i.test(link) ? link : undefined);

function item(h: Headline): string {
  const text = escapeHtml(h.headline);
  const link = safeLink(h.link);
  const body = link ? `<a href="${escapeHtml(link)}">${text}</a>` : text;
  return `<li data-uri="${escapeHtml(h.uri)}" data-version="${h.version}" lang="${escapeHtml(h.language)}" dir="${h.direction}">` +
    `<time datetime="${escapeHtml(h.firstCreated)}">${escapeHtml(h.firstCreated)}</time> ${body}</li>`;
}

/** The live set as `<ul class="news-ticker-items" data-channel data-cursor>`, newest first. */
export function renderHtml(channel: string, cursor: string, headlines: readonly Headline[]): string {
  return `<ul class="news-ticker-items" data-channel="${escapeHtml(channel)}" data-cursor="${escapeHtml(cursor)}">` +
    `${headlines.map(item).join('')}</ul>\n`;
}
