/**
 * `?format=jsonld` of the live set: a schema.org `LiveBlogPosting` whose `liveBlogUpdate` entries
 * are `BlogPosting`s (headline, inLanguage, datePublished, dateModified, url), for search engines.
 */
import type { Headline } from '../../shared/index.js';

export interface LiveBlogOptions {
  channel: string;
  /** The absolute URL of the channel's public live set. */
  url: string;
  headlines: readonly Headline[];
}

export function renderJsonLd({ channel, url, headlines }: LiveBlogOptions): Record<string, unknown> {
  const updates = headlines.map((h) => ({
    '@type': 'BlogPosting',
    '@id': `${url}#${h.uri}`,
    headline: h.headline,
    inLanguage: h.language,
    datePublished: h.firstCreated,
    dateModified: h.versionCreated,
    ...(h.link && /^https?:\/\//i.test(h.link) ? { url: h.link } : {}),
    ...(h.section ? { articleSection: h.section } : {}),
    ...(h.expires ? { expires: h.expires } : {}),
  }));
  return {
    '@context': 'https://schema.org',
    '@type': 'LiveBlogPosting',
    '@id': url,
    headline: channel,
    url,
    coverageStartTime: headlines.at(-1)?.firstCreated,
    dateModified: headlines.map((h) => h.versionCreated).sort().at(-1),
    liveBlogUpdate: updates,
  };
}
