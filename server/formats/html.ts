/**
 * `?format=html` of the live set: a small server-rendered fragment a site can include for first
 * paint and for search engines (which do not index Shadow DOM). A semantic list, `dir` and `lang`
 * per item, text escaped, links only http(s), no scripts and no styles. The `<news-ticker>`
 * widget placed around it adopts the items (client/widget/adopt.ts) for its first paint and
 * resumes from `data-cursor`, so each `<li>` carries, as data attributes, the fields the widget
 * needs beyond the text, `lang`, `dir` and `<time datetime>` (its first publication).
 */
import { stripBidiControls, type Headline } from '../../shared/index.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

const safeLink = (link: string | undefined): string | undefined => (link && /^https?:\/\//i.test(link) ? link : undefined);

function item(h: Headline): string {
  // Bidi controls are stripped at the edge already; stripped again here, as the widget does, so a
  // no-JS reader of this markup never sees text reordered.
  const text = escapeHtml(stripBidiControls(h.headline));
  const link = safeLink(h.link);
  const body = link ? `<a href="${escapeHtml(link)}">${text}</a>` : text;
  const expires = h.expires ? ` data-expires="${escapeHtml(h.expires)}"` : '';
  return `<li data-uri="${escapeHtml(h.uri)}" data-version="${h.version}" lang="${escapeHtml(h.language)}" dir="${h.direction}"` +
    ` data-urgency="${h.urgency}" data-updated="${escapeHtml(h.versionCreated)}"${expires}>` +
    `<time datetime="${escapeHtml(h.firstCreated)}">${escapeHtml(h.firstCreated)}</time> ${body}</li>`;
}

/** The live set as `<ul class="news-ticker-items" data-channel data-cursor>`, newest first. */
export function renderHtml(channel: string, cursor: string, headlines: readonly Headline[]): string {
  return `<ul class="news-ticker-items" data-channel="${escapeHtml(channel)}" data-cursor="${escapeHtml(cursor)}">` +
    `${headlines.map(item).join('')}</ul>\n`;
}
