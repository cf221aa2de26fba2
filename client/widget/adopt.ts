/**
 * Server-rendered first paint: the `?format=html` fragment (server/formats/html.ts) a site puts
 * inside <news-ticker> becomes, per channel, the SDK's seed: the cursor it shows (`data-cursor`,
 * subscribed from, so nothing between render and connect is missed or repeated) and its
 * headlines, shown before the socket opens. Read through attributes and textContent only; the
 * text is rendered by items.ts like any headline (textContent, bidi controls stripped). The
 * fragment stays in the light DOM for search engines and no-JS readers; with no <slot> in the
 * shadow root it is not rendered, so neither seen nor read out twice.
 */
import type { Headline } from '../../shared/headline.js';
import type { SavedChannel } from '../sdk/channel-state.js';

/** The item's text: its link's, or its own without the `<time>`. */
const textOf = (li: Element): string =>
  [...li.childNodes].filter((n) => n.nodeName !== 'TIME').map((n) => n.textContent).join('').trim();

function headlineOf(li: HTMLElement, channel: string): Headline {
  const d = li.dataset;
  const created = li.querySelector('time')?.dateTime ?? '';
  return {
    uri: d.uri ?? '',
    channel,
    version: Number(d.version) || 1,
    language: li.lang || 'en',
    direction: li.dir === 'rtl' ? 'rtl' : 'ltr',
    headline: textOf(li),
    urgency: Number(d.urgency) || 5,
    pubStatus: 'usable',
    firstCreated: created,
    versionCreated: d.updated || created,
    expires: d.expires,
    link: li.querySelector('a')?.getAttribute('href') ?? undefined,
  };
}

/** The fragments in `host`'s light DOM, by channel; items without a uri, text or time are left out. */
export function readFragments(host: Element): Map<string, SavedChannel> {
  const seeds = new Map<string, SavedChannel>();
  for (const ul of host.querySelectorAll<HTMLElement>('ul[data-channel][data-cursor]')) {
    const channel = ul.dataset.channel!;
    const headlines = [...ul.querySelectorAll<HTMLElement>(':scope > li')].map((li) => headlineOf(li, channel))
      .filter((h) => h.uri && h.headline && h.firstCreated);
    seeds.set(channel, { cursor: ul.dataset.cursor!, headlines });
  }
  return seeds;
}
