/**
 * The live preview of the draft, rendered by the real `<news-ticker>` widget in preview mode: the
 * same labels, direction and modes readers get, and no connection (a preview is not a reader).
 * The widget is loaded at runtime from /embed.js, as publishers load it, not bundled in here.
 */
import { URGENCY_PRESETS, type Headline, type UrgencyPreset } from '../../shared/headline.js';
import { isHttpUrl, normalizeText } from '../../shared/text.js';
import { byId } from './dom.js';

export interface PreviewInput {
  headline: string;
  language: string;
  direction: 'rtl' | 'ltr';
  urgency: UrgencyPreset;
  link: string;
}

/** The part of the widget's public API the preview uses. */
interface PreviewTicker extends HTMLElement {
  previewHeadlines: Headline[];
}

/** Loads the widget once; resolves when `<news-ticker>` is defined. */
function loadWidget(): Promise<unknown> {
  // A computed specifier: the bundler leaves it to the browser, so the widget stays in embed.js.
  const url = new URL('/embed.js', location.href).href;
  return import(url).then(() => customElements.whenDefined('news-ticker'));
}

export class Preview {
  private readonly ticker = document.createElement('news-ticker') as PreviewTicker;
  private readonly mode = byId<HTMLSelectElement>('preview-mode');
  private ready = false;
  private latest: Headline[] = [];

  constructor() {
    this.ticker.setAttribute('preview', '');
    // A link in the draft opens in a new tab, never over the dashboard.
    this.ticker.setAttribute('target', '_blank');
    byId('preview').replaceChildren(this.ticker);
    this.mode.addEventListener('change', () => this.ticker.setAttribute('mode', this.mode.value));
    this.ticker.setAttribute('mode', this.mode.value);
    loadWidget().then(() => {
      // Set only once upgraded: a property set before would hide the widget's own setter.
      this.ready = true;
      this.ticker.previewHeadlines = this.latest;
    }, () => void (byId('preview-note').hidden = false));
  }

  update(input: PreviewInput): void {
    const text = normalizeText(input.headline);
    const now = new Date().toISOString();
    const link = input.link.trim();
    // Both are observed attributes of the widget: set them only when they change.
    if (this.ticker.dir !== input.direction) this.ticker.dir = input.direction;
    if (this.ticker.lang !== input.language) this.ticker.lang = input.language;
    this.latest = text ? [{
      uri: 'draft', channel: 'preview', version: 1, language: input.language, direction: input.direction, headline: text,
      urgency: URGENCY_PRESETS[input.urgency], pubStatus: 'usable', firstCreated: now, versionCreated: now,
      ...(isHttpUrl(link) ? { link } : {}),
    }] : [];
    if (this.ready) this.ticker.previewHeadlines = this.latest;
  }
}
