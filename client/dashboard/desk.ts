/**
 * The live desk: every headline of the followed channels with its status, version, reach and
 * actions, filtered by channel, urgency and status. Rendered from the DeskStore on each change;
 * focus and open version lists survive a re-render so the keyboard flow is never lost.
 */
import { urgencyName, type DeskHeadline } from '../../shared/headline.js';
import type { ChannelSet } from './channels.js';
import type { DeskStore } from './desk-store.js';
import { byId, el } from './dom.js';
import { versionEntries } from './history.js';
import { renderDiff } from './diff.js';
import { errorMessage, formatTime, onLanguageChange, t, type MessageKey } from './i18n.js';
import { reachText } from './reach.js';

export type DeskAction = 'correct' | 'hold' | 'release' | 'retract' | 'expiry';
export type DisplayStatus = DeskHeadline['status'] | 'corrected';

const MAX_ROWS = 300;
const SWAPS: Record<string, string> = { hold: 'release', release: 'hold' };

export function displayStatus(doc: DeskHeadline): DisplayStatus {
  return doc.status === 'live' && doc.corrected ? 'corrected' : doc.status;
}

export function actionsFor(doc: DeskHeadline): DeskAction[] {
  if (doc.status === 'retracted' || doc.status === 'expired') return [];
  return ['correct', doc.pubStatus === 'withheld' ? 'release' : 'hold', 'retract', 'expiry'];
}

export class DeskView {
  private readonly list = byId<HTMLOListElement>('desk-list');
  private readonly filters = {
    channel: byId<HTMLSelectElement>('filter-channel'),
    urgency: byId<HTMLSelectElement>('filter-urgency'),
    status: byId<HTMLSelectElement>('filter-status'),
    person: byId<HTMLSelectElement>('filter-person'),
  };
  private readonly search = byId<HTMLInputElement>('filter-text');
  /** The last action error of each headline, shown next to its actions. */
  readonly errors = new Map<string, string>();
  /**
   * Headlines whose version list is open. Kept here, not read back from the DOM: opening one
   * re-renders the desk before the <details> element toggles itself.
   */
  private readonly open = new Set<string>();
  /** The server's versions of headlines whose version list was opened. */
  private readonly history = new Map<string, { versions: DeskHeadline[]; loading: boolean; error?: string }>();

  constructor(
    private readonly store: DeskStore,
    private readonly channels: ChannelSet,
    private readonly onAction: (action: DeskAction, doc: DeskHeadline) => void,
    private readonly readHistory: (doc: DeskHeadline) => Promise<DeskHeadline[]>,
  ) {
    for (const select of Object.values(this.filters)) select.addEventListener('change', () => this.render());
    this.search.addEventListener('input', () => this.render());
    this.list.addEventListener('click', (e) => {
      const summary = (e.target as Element).closest('summary');
      const details = summary?.parentElement;
      const opening = details instanceof HTMLDetailsElement && !details.open;
      const openUri = summary?.closest<HTMLElement>('[data-uri]')?.dataset.uri;
      const opened = openUri ? this.store.docs.get(openUri) : undefined;
      if (openUri && summary) this.open[opening ? 'add' : 'delete'](openUri);
      if (opening && opened) void this.loadHistory(opened);
      const button = (e.target as Element).closest<HTMLButtonElement>('button[data-action]');
      const uri = button?.closest<HTMLElement>('[data-uri]')?.dataset.uri;
      const doc = uri ? this.store.docs.get(uri) : undefined;
      if (button && doc) this.onAction(button.dataset.action as DeskAction, doc);
    });
    store.onChange(() => this.render());
    channels.onChange(() => this.renderChannelFilter());
    onLanguageChange(() => this.render());
    this.renderChannelFilter();
    this.render();
  }

  setError(uri: string, message: string | undefined): void {
    if (message) this.errors.set(uri, message);
    else this.errors.delete(uri);
    this.render();
  }

  /** Reads the headline's versions from the server each time its version list is opened. */
  private async loadHistory(doc: DeskHeadline): Promise<void> {
    const previous = this.history.get(doc.uri);
    this.history.set(doc.uri, { versions: previous?.versions ?? [], loading: true });
    this.render();
    try {
      this.history.set(doc.uri, { versions: await this.readHistory(doc), loading: false });
    } catch (err) {
      this.history.set(doc.uri, { versions: previous?.versions ?? [], loading: false, error: t('desk.historyFailed', { detail: errorMessage(err) }) });
    }
    this.render();
  }

  private renderChannelFilter(): void {
    const select = this.filters.channel;
    const value = select.value;
    const all = select.options[0] ?? el('option', { attrs: { value: '', 'data-i18n': 'desk.all' } });
    select.replaceChildren(all, ...this.channels.all.map((c) => el('option', { text: c, attrs: { value: c } })));
    select.value = this.channels.all.includes(value) ? value : '';
  }

  /** Everyone who made a version the desk knows of, for the person filter. */
  private renderPersonFilter(): void {
    const select = this.filters.person;
    const names = new Set<string>();
    for (const doc of this.store.docs.values()) for (const n of [doc.createdBy, doc.actor]) if (n) names.add(n);
    const sorted = [...names].sort((a, b) => a.localeCompare(b));
    const current = [...select.options].slice(1).map((o) => o.value);
    if (sorted.join('\n') === current.join('\n')) return;
    const value = select.value;
    const all = select.options[0] ?? el('option', { attrs: { value: '', 'data-i18n': 'desk.all' } });
    select.replaceChildren(all, ...sorted.map((n) => el('option', { text: n, attrs: { value: n } })));
    select.value = names.has(value) ? value : '';
  }

  private matches(doc: DeskHeadline): boolean {
    const { channel, urgency, status, person } = this.filters;
    const query = this.search.value.trim().toLocaleLowerCase();
    const versions = this.store.versions.get(doc.uri) ?? [doc];
    return (!query || [doc.headline, doc.edNote ?? '', doc.reason ?? ''].some((x) => x.toLocaleLowerCase().includes(query)))
      && (!person.value || doc.createdBy === person.value || doc.actor === person.value || versions.some((v) => v.actor === person.value))
      && (!channel.value || doc.channel === channel.value)
      && (!urgency.value || urgencyName(doc.urgency) === urgency.value)
      && (!status.value || displayStatus(doc) === status.value);
  }

  render(): void {
    const deskStatus = byId('desk-status');
    deskStatus.textContent = this.store.error ?? t(`desk.${this.store.state}`);
    deskStatus.dataset.state = this.store.state;
    this.renderPersonFilter();
    const focused = document.activeElement as HTMLElement | null;
    const focusUri = focused?.closest<HTMLElement>('[data-uri]')?.dataset.uri;
    const focusKey = focused?.dataset.action ?? (focused?.tagName === 'SUMMARY' ? 'summary' : undefined);
    const docs = [...this.store.docs.values()].filter((d) => this.matches(d))
      .sort((a, b) => b.firstCreated.localeCompare(a.firstCreated) || b.uri.localeCompare(a.uri))
      .slice(0, MAX_ROWS);
    this.list.replaceChildren(...docs.map((doc) => this.row(doc, this.open.has(doc.uri))));
    byId('desk-empty').hidden = docs.length > 0;
    if (focusUri && focusKey && this.list.contains(focused) === false) {
      const row = this.list.querySelector<HTMLElement>(`[data-uri="${CSS.escape(focusUri)}"]`);
      // Hold becomes release (and back): keep the focus on the button that took its place.
      const key = row?.querySelector(`[data-action="${focusKey}"]`) ? focusKey : (SWAPS[focusKey] ?? focusKey);
      const target = key === 'summary' ? row?.querySelector<HTMLElement>('summary') : row?.querySelector<HTMLElement>(`[data-action="${key}"]`);
      (target ?? row?.querySelector<HTMLElement>('button, summary'))?.focus();
    }
  }

  private row(doc: DeskHeadline, open: boolean): HTMLLIElement {
    const status = displayStatus(doc);
    const urgency = urgencyName(doc.urgency);
    const meta = el('p', { class: 'desk-meta' },
      el('span', { class: 'chip channel', text: doc.channel, attrs: { dir: 'ltr' } }),
      el('span', { class: `chip urgency u-${urgency}`, text: t(`urgency.${urgency}`) }),
      el('span', { class: `chip status s-${status}`, text: t(`status.${status}` as MessageKey) }),
      el('span', { class: 'version', text: t('desk.version', { n: doc.version }) }),
      el('time', { text: formatTime(doc.versionCreated), attrs: { datetime: doc.versionCreated } }),
      el('span', { class: 'reach', text: reachText(doc), attrs: { 'data-reach': String(doc.reach ?? '') } }));
    if (doc.actor) meta.append(el('span', { class: 'actor', text: t('desk.by', { name: doc.actor }), attrs: { 'data-actor': doc.actor, dir: 'auto' } }));
    if (doc.embargoedUntil && doc.status === 'embargoed') meta.append(el('span', { text: t('desk.embargoed', { time: formatTime(doc.embargoedUntil) }) }));
    if (doc.expires && status !== 'retracted' && status !== 'expired') meta.append(el('span', { class: 'expires', text: t('desk.expires', { time: formatTime(doc.expires) }) }));
    const item = el('li', {
      class: 'desk-item',
      attrs: { 'data-uri': doc.uri, 'data-status': status, 'data-channel': doc.channel, 'data-version': String(doc.version) },
    }, el('p', { class: 'desk-headline', text: doc.headline, attrs: { dir: doc.direction, lang: doc.language } }), meta);
    const notes = [doc.reason ? t('desk.reason', { text: doc.reason }) : '', doc.edNote ? t('desk.note', { text: doc.edNote }) : ''].filter(Boolean);
    if (notes.length) item.append(el('p', { class: 'desk-notes', text: notes.join(' · '), attrs: { dir: 'auto' } }));
    const actions = actionsFor(doc);
    if (actions.length) {
      item.append(el('div', { class: 'desk-actions', attrs: { role: 'group', 'aria-label': t('desk.actionsFor', { headline: doc.headline }) } },
        ...actions.map((a) => el('button', { text: t(`desk.${a}`), attrs: { type: 'button', 'data-action': a, class: a === 'retract' ? 'danger' : '' } }))));
    }
    const error = this.errors.get(doc.uri);
    if (error) item.append(el('p', { class: 'error', text: error, attrs: { role: 'alert' } }));
    item.append(this.versions(doc, open));
    return item;
  }

  private versions(doc: DeskHeadline, open: boolean): HTMLDetailsElement {
    const history = this.history.get(doc.uri);
    const entries = versionEntries(history?.versions ?? [], this.store.versions.get(doc.uri) ?? [doc]);
    const space = () => document.createTextNode(' ');
    const details = el('details', { class: 'versions' },
      el('summary', { text: t('desk.versions', { n: doc.version }) }),
      ...(history?.loading ? [el('p', { class: 'hint', text: t('desk.historyLoading'), attrs: { role: 'status' } })] : []),
      ...(history?.error ? [el('p', { class: 'error', text: history.error })] : []),
      el('ol', {}, ...entries.map(({ doc: v, change, note, reason }, i) => {
        const status = displayStatus(v);
        const before = entries[i + 1]?.doc;
        const changedText = change === 'corrected' && before && before.version === v.version - 1 && before.headline !== v.headline;
        return el('li', { attrs: { 'data-version': String(v.version), 'data-event': change ?? '', 'data-status': status, 'data-actor': v.actor ?? '' } },
          el('span', { class: 'version', text: t('desk.version', { n: v.version }) }), space(),
          ...(change ? [el('span', { class: 'event', text: t(`event.${change}`) }), space()] : []),
          el('span', { class: `chip status s-${status}`, text: t(`status.${status}`) }), space(),
          el('time', { text: formatTime(v.versionCreated), attrs: { datetime: v.versionCreated } }), space(),
          ...(v.actor ? [el('span', { class: 'actor', text: t('desk.by', { name: v.actor }), attrs: { dir: 'auto' } }), space()] : []),
          el('span', { class: 'text', text: v.headline, attrs: { dir: v.direction, lang: v.language } }),
          // The changed words of a correction: removed and added words marked, beside the text.
          ...(changedText
            ? [space(), el('span', { class: 'hint', text: `${t('desk.diff')}:` }), space(), renderDiff(before.headline, v.headline, { dir: v.direction, lang: v.language })]
            : []),
          ...[note && t('desk.note', { text: note }), reason && t('desk.reason', { text: reason })].filter((x): x is string => !!x)
            .map((text) => el('span', { class: 'desk-notes', text: ` — ${text}`, attrs: { dir: 'auto' } })));
      })));
    details.open = open;
    return details;
  }
}
