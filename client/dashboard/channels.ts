/**
 * The channels this desk follows and publishes to. The key's scopes are globs, so the list is
 * built from: ?channels= in the address (channel names are not secret), channels added in this
 * tab, exact scopes, and the channels that have had headlines and that the key may publish to
 * (GET /api/v1/channels). A channel the key may not publish to is refused with the reason, in
 * plain words, next to where it was asked for.
 */
import { byId, el, showError } from './dom.js';
import { formatList, onLanguageChange, t } from './i18n.js';
import type { ReachStore } from './reach.js';
import { canPublish, publishGlobs } from '../../shared/scopes.js';
import { isChannelName, type Session } from './session.js';

const STORE = 'nt-dashboard-channels';
const DEFAULTS = ['ar-breaking', 'en-world'];

export class ChannelSet {
  private list: string[] = [];
  readonly refused = new Map<string, string>();
  private readonly listeners = new Set<() => void>();

  constructor(private readonly session: Session) {}

  get all(): string[] {
    return [...this.list];
  }

  onChange(listener: () => void): void {
    this.listeners.add(listener);
  }

  /** Why this key may not use the channel, or undefined when it may. */
  whyNot(channel: string): string | undefined {
    if (!isChannelName(channel)) return t('channels.invalid');
    if (canPublish(this.session.principal, channel)) return undefined;
    return t('channels.forbidden', { name: this.session.principal.name, channel, globs: formatList(publishGlobs(this.session.principal)) });
  }

  /** Adds channels; returns the reason of the first refusal, if any. */
  add(names: string[], quiet = false): string | undefined {
    let firstRefusal: string | undefined;
    let changed = false;
    for (const raw of names) {
      const name = raw.trim().toLowerCase();
      if (!name || this.list.includes(name)) continue;
      const why = this.whyNot(name);
      if (why) {
        firstRefusal ??= why;
        if (!quiet) this.refused.set(name, why);
        continue;
      }
      this.refused.delete(name);
      this.list.push(name);
      changed = true;
    }
    if (changed) {
      this.persist();
      for (const listener of this.listeners) listener();
    }
    return firstRefusal;
  }

  /** Fills the list at sign-in from the address, this tab's choices, exact scopes and the key's channels. */
  async load(keyChannels: () => Promise<string[]>): Promise<void> {
    const fromUrl = (new URLSearchParams(location.search).get('channels') ?? '').split(',').filter(Boolean);
    let stored: string[] = [];
    try {
      stored = JSON.parse(sessionStorage.getItem(STORE) ?? '[]') as string[];
    } catch {
      stored = [];
    }
    const exact = publishGlobs(this.session.principal).filter((g) => !g.includes('*'));
    this.add(fromUrl);
    this.add([...stored, ...exact], true);
    if (!fromUrl.length) {
      this.add(await keyChannels().catch(() => []), true);
    }
    if (!this.list.length) this.add(DEFAULTS, true);
  }

  private persist(): void {
    try {
      sessionStorage.setItem(STORE, JSON.stringify(this.list));
    } catch {
      // the list then lasts for this page only
    }
  }
}

/** The channels panel: scopes in words, each channel with its live reader count, add form. */
export function mountChannelsPanel(session: Session, channels: ChannelSet, reach: ReachStore): void {
  const list = byId<HTMLUListElement>('channel-list');
  const refused = byId<HTMLUListElement>('channel-refused');
  const input = byId<HTMLInputElement>('channel-add');
  const error = byId('channel-add-error');

  const render = (): void => {
    const globs = publishGlobs(session.principal);
    byId('scopes').textContent = globs.includes('*') ? t('scopes.all') : t('scopes.some', { globs: formatList(globs) });
    list.replaceChildren(...channels.all.map((channel) => {
      const count = reach.count(channel);
      return el('li', { attrs: { 'data-channel': channel } },
        el('span', { class: 'name', text: channel, attrs: { dir: 'ltr' } }),
        el('output', { class: 'count', text: t('readers.count', { n: count ?? 0 }), attrs: { 'data-count': String(count ?? 0) } }));
    }));
    byId('channel-none').hidden = channels.all.length > 0;
    refused.replaceChildren(...[...channels.refused].map(([channel, why]) =>
      el('li', { class: 'error', text: why, attrs: { 'data-channel': channel } })));
  };

  byId<HTMLFormElement>('channel-add-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const why = channels.add(input.value.split(/[\s,]+/), true);
    showError(error, why);
    if (!why) input.value = '';
    else input.focus();
  });
  input.addEventListener('input', () => showError(error, undefined));
  channels.onChange(render);
  reach.onChange(render);
  onLanguageChange(render);
  render();
}
