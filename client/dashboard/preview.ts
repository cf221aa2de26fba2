/**
 * The live preview of the draft. Plain-text preview styled like the ticker: the `<news-ticker>`
 * widget (served at /embed.js) has no way yet to show unpublished text, and a real widget in
 * subscribe mode would count as a reader. Text reaches the DOM through textContent only.
 */
import type { UrgencyPreset } from '../../shared/headline.js';
import { byId, el } from './dom.js';
import { t } from './i18n.js';

export interface PreviewInput {
  headline: string;
  language: string;
  direction: 'rtl' | 'ltr';
  urgency: UrgencyPreset;
  source: string;
  section: string;
}

export class Preview {
  private readonly root = byId('preview');
  private readonly badge = el('span', { class: 'ticker-badge' });
  private readonly text = el('span', { class: 'ticker-text' });
  private readonly meta = el('span', { class: 'ticker-meta' });
  private readonly item = el('div', { class: 'ticker-item' }, this.badge, this.text, this.meta);

  constructor() {
    this.root.replaceChildren(el('div', { class: 'ticker-preview' }, this.item));
    byId('preview-note').hidden = false;
  }

  update(input: PreviewInput): void {
    this.item.dir = input.direction;
    this.item.lang = input.language;
    this.item.dataset.urgency = input.urgency;
    this.badge.textContent = t(`urgency.${input.urgency}`);
    this.text.textContent = input.headline;
    this.meta.textContent = [input.section, input.source].filter(Boolean).join(' · ');
  }
}
