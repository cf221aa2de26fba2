/**
 * The composer: write, check, preview and publish a headline to one or several channels, or
 * correct one from the desk. Safety: the publish button ignores clicks while a send is in flight,
 * every send of one composed headline carries the same Idempotency-Key per channel (network
 * failures are retried with it), flash asks for a second confirmation, and an undo window follows.
 */
import { LIMITS, type DeskHeadline, type UrgencyPreset } from '../../shared/headline.js';
import { guessLanguage } from '../../shared/text.js';
import { ApiError, withRetries } from './api.js';
import type { ChannelSet } from './channels.js';
import {
  Draft, correctionBody, directionFor, headlineLength, isoToLocal, languageOf, localToIso, overGuidance, presetOf, type ComposeValues,
  type ExpiryPreset,
} from './compose-model.js';
import { confirmFlash } from './dialogs.js';
import { byId, el, isSubmitChord, showError } from './dom.js';
import { errorMessage, fieldMessage, formatList, onLanguageChange, t, type MessageKey } from './i18n.js';
import { Preview } from './preview.js';
import type { Session } from './session.js';
import { UndoBar } from './undo.js';

/** Server field paths → the error slot next to the field that caused them. */
const FIELD_SLOTS: [RegExp, string][] = [
  [/^headline/, 'f-headline-error'], [/^language/, 'f-language-error'], [/^urgency/, 'f-urgency-error'],
  [/^link/, 'f-link-error'], [/^(infoSources|by)/, 'f-source-error'], [/^section/, 'f-section-error'],
  [/^expires/, 'f-expiry-error'], [/^embargoedUntil/, 'f-embargo-error'], [/^edNote/, 'f-note-error'],
];
const ERROR_SLOTS = ['f-headline-error', 'f-language-error', 'f-channels-error', 'f-urgency-error', 'f-link-error', 'f-source-error',
  'f-section-error', 'f-expiry-error', 'f-embargo-error', 'f-note-error', 'compose-error'];

export class Composer {
  private readonly form = byId<HTMLFormElement>('composer');
  private readonly headline = byId<HTMLTextAreaElement>('f-headline');
  private readonly language = byId<HTMLSelectElement>('f-language');
  private readonly publishButton = byId<HTMLButtonElement>('publish');
  private readonly status = byId('compose-status');
  private readonly preview = new Preview();
  private readonly undo: UndoBar;
  private draft = new Draft();
  private busy = false;
  private correcting: DeskHeadline | undefined;
  private checked = new Set<string>();
  /** The status line as a message key, so it follows the UI language and can be withdrawn. */
  private statusLine: { key: MessageKey; vars: Record<string, string | number> } | undefined;

  constructor(private readonly session: Session, private readonly channels: ChannelSet, private readonly onDoc: (doc: DeskHeadline) => void) {
    this.undo = new UndoBar(session.api, onDoc);
    this.headline.maxLength = LIMITS.headline;
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.submit();
    });
    this.form.addEventListener('keydown', (e) => {
      if (!isSubmitChord(e)) return;
      e.preventDefault();
      void this.submit();
    });
    // A message about a field stops being true once the field changes: it is withdrawn.
    const edited = (e: Event) => {
      const slot = (e.target as Element | null)?.closest('.field')?.querySelector<HTMLElement>('.error');
      if (slot) showError(slot, undefined);
      showError(byId('compose-error'), undefined);
      this.refresh();
    };
    this.form.addEventListener('input', edited);
    this.form.addEventListener('change', edited);
    byId('f-embargo-clear').addEventListener('click', () => {
      byId<HTMLInputElement>('f-embargo').value = '';
      this.refresh();
    });
    byId('cancel-correction').addEventListener('click', () => this.endCorrection());
    channels.onChange(() => this.renderChannels());
    onLanguageChange(() => {
      this.say(this.statusLine?.key, this.statusLine?.vars);
      this.refresh();
    });
    this.renderChannels();
    this.refresh();
  }

  private say(key?: MessageKey, vars: Record<string, string | number> = {}): void {
    this.statusLine = key ? { key, vars } : undefined;
    this.status.textContent = key ? t(key, vars) : '';
  }

  /** Puts a draft back in the composer (after an undo), as it was when it was published. */
  restore(v: ComposeValues): void {
    if (this.correcting) this.endCorrection();
    this.headline.value = v.headline;
    this.language.value = v.languageChoice;
    this.setRadio('urgency', v.urgency);
    this.setRadio('expiry', v.expiry);
    byId<HTMLInputElement>('f-link').value = v.link;
    byId<HTMLInputElement>('f-source').value = v.source;
    byId<HTMLInputElement>('f-section').value = v.section;
    byId<HTMLInputElement>('f-embargo').value = v.embargo;
    this.checked = new Set(v.channels.filter((c) => this.channels.all.includes(c)));
    this.renderChannels();
    this.say(undefined);
    this.refresh();
    this.headline.focus();
  }

  values(): ComposeValues {
    const radio = (name: string, fallback: string) =>
      this.form.querySelector<HTMLInputElement>(`input[name="${name}"]:checked`)?.value ?? fallback;
    return {
      headline: this.headline.value,
      languageChoice: this.language.value,
      channels: [...this.form.querySelectorAll<HTMLInputElement>('#f-channels-list input:checked')].map((i) => i.value),
      urgency: radio('urgency', 'routine') as UrgencyPreset,
      link: byId<HTMLInputElement>('f-link').value,
      source: byId<HTMLInputElement>('f-source').value,
      section: byId<HTMLInputElement>('f-section').value,
      expiry: radio('expiry', 'none') as ExpiryPreset,
      embargo: byId<HTMLInputElement>('f-embargo').value,
      note: byId<HTMLTextAreaElement>('f-note').value,
    };
  }

  /** Opens the composer on a headline's current text; a correction note is required to save. */
  startCorrection(doc: DeskHeadline): void {
    this.correcting = doc;
    this.clearErrors();
    this.headline.value = doc.headline;
    const known = [...this.language.options].some((o) => o.value === doc.language);
    if (!known) this.language.append(el('option', { text: doc.language, attrs: { value: doc.language } }));
    this.language.value = guessLanguage(doc.headline) === doc.language ? 'auto' : doc.language;
    this.setRadio('urgency', presetOf(doc.urgency));
    byId<HTMLInputElement>('f-link').value = doc.link ?? '';
    byId<HTMLInputElement>('f-source').value = doc.infoSources?.[0]?.name ?? '';
    byId<HTMLInputElement>('f-section').value = doc.section ?? '';
    byId<HTMLTextAreaElement>('f-note').value = '';
    this.setMode(true);
    this.refresh();
    this.headline.focus();
  }

  private endCorrection(): void {
    this.correcting = undefined;
    this.setMode(false);
    this.resetText();
    this.refresh();
    this.headline.focus();
  }

  private setMode(correcting: boolean): void {
    for (const id of ['f-channels', 'f-expiry', 'f-embargo-row']) byId(id).hidden = correcting;
    byId('f-note-row').hidden = !correcting;
    byId('cancel-correction').hidden = !correcting;
    const title = byId('composer-title');
    title.dataset.i18n = correcting ? 'composer.correctTitle' : 'composer.title';
    this.publishButton.dataset.i18n = correcting ? 'composer.saveCorrection' : 'composer.publish';
    title.textContent = t(title.dataset.i18n as MessageKey);
    this.publishButton.textContent = t(this.publishButton.dataset.i18n as MessageKey);
    byId('correcting').hidden = !correcting;
  }

  private renderChannels(): void {
    const list = byId('f-channels-list');
    const all = this.channels.all;
    if (this.checked.size === 0 && all.length === 1 && all[0]) this.checked.add(all[0]);
    list.replaceChildren(...all.map((channel) => {
      const box = el('input', { attrs: { type: 'checkbox', value: channel, name: 'channel' } });
      box.checked = this.checked.has(channel);
      box.addEventListener('change', () => (box.checked ? this.checked.add(channel) : this.checked.delete(channel)));
      return el('label', { attrs: { dir: 'ltr' } }, box, document.createTextNode(` ${channel}`));
    }));
  }

  private refresh(): void {
    const v = this.values();
    const direction = directionFor(v);
    const language = languageOf(v);
    this.headline.dir = direction;
    this.headline.lang = language;
    const auto = this.language.querySelector<HTMLOptionElement>('option[value="auto"]');
    if (auto) auto.textContent = t('composer.languageAuto', { lang: t(`language.${guessLanguage(v.headline)}` as MessageKey) });
    const count = byId('f-headline-count');
    count.textContent = t('composer.count', { n: headlineLength(v.headline), max: LIMITS.headline });
    const guidance = byId('f-headline-guidance');
    const over = overGuidance(v.headline, v.urgency);
    guidance.textContent = over
      ? t('composer.overGuidance', { n: LIMITS.headlineGuidance, urgency: t(`urgency.${v.urgency}`) })
      : t('composer.guidance', { n: LIMITS.headlineGuidance });
    guidance.classList.toggle('warn', over);
    if (this.correcting) {
      byId('correcting').textContent = t('composer.correcting', { version: this.correcting.version, channel: this.correcting.channel });
    }
    byId<HTMLInputElement>('f-embargo').min = isoToLocal(new Date().toISOString());
    this.preview.update({ headline: v.headline, language, direction, urgency: v.urgency, link: v.link });
  }

  private clearErrors(): void {
    for (const id of ERROR_SLOTS) showError(byId(id), undefined);
  }

  /** Where an API error belongs: field errors next to their fields, the rest on the action. */
  private static placeError(err: unknown, channel?: string): [string, string][] {
    if (err instanceof ApiError && err.errors.length) {
      return err.errors.map((f): [string, string] => {
        const slot = FIELD_SLOTS.find(([pattern]) => pattern.test(f.field))?.[1];
        return slot ? [slot, fieldMessage(f.message)] : ['compose-error', `${f.field}: ${fieldMessage(f.message)}`];
      });
    }
    const slot = err instanceof ApiError && err.code === 'FORBIDDEN' ? 'f-channels-error' : 'compose-error';
    const message = errorMessage(err);
    return [[slot, channel ? `${channel}: ${message}` : message]];
  }

  /** Shows placed errors, one line per distinct message in each slot. */
  private static showErrors(placed: [string, string][]): void {
    const bySlot = new Map<string, Set<string>>();
    for (const [slot, message] of placed) bySlot.set(slot, (bySlot.get(slot) ?? new Set()).add(message));
    for (const [slot, messages] of bySlot) showError(byId(slot), [...messages].join(' '));
  }

  private async submit(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.publishButton.setAttribute('aria-disabled', 'true');
    try {
      this.clearErrors();
      if (this.correcting) await this.saveCorrection(this.correcting);
      else await this.publish();
    } finally {
      this.busy = false;
      this.publishButton.removeAttribute('aria-disabled');
    }
  }

  private validate(v: ComposeValues): boolean {
    let ok = true;
    if (!v.headline.trim()) {
      showError(byId('f-headline-error'), t('composer.needText'));
      ok = false;
    }
    if (!this.correcting && !v.channels.length) {
      showError(byId('f-channels-error'), t('composer.needChannel'));
      ok = false;
    }
    const embargo = localToIso(v.embargo);
    if (!this.correcting && embargo && Date.parse(embargo) <= Date.now()) {
      showError(byId('f-embargo-error'), t('composer.embargoPast'));
      ok = false;
    }
    if (this.correcting && !v.note.trim()) {
      showError(byId('f-note-error'), t('composer.needNote'));
      ok = false;
    }
    if (!ok) this.form.querySelector<HTMLElement>('.error:not([hidden])')?.parentElement?.querySelector<HTMLElement>('input, textarea, select')?.focus();
    return ok;
  }

  private async publish(): Promise<void> {
    const v = this.values();
    if (!this.validate(v)) return;
    const targets = v.channels.filter((c) => !this.draft.done.has(c));
    if (v.urgency === 'flash' && !(await confirmFlash(v.headline, directionFor(v), targets))) return;
    const draft = this.draft;
    const body = draft.bodyFor(v, new Date());
    this.say('composer.publishing');
    const results = await Promise.allSettled(targets.map((channel) =>
      withRetries(() => this.session.api.publish(channel, body, draft.keyFor(channel)),
        (attempt) => this.say('composer.retrying', { n: attempt }))));
    const failed: string[] = [];
    const placed: [string, string][] = [];
    results.forEach((r, i) => {
      const channel = targets[i] ?? '';
      if (r.status === 'fulfilled') {
        draft.done.set(channel, r.value.headline);
        this.onDoc(r.value.headline);
        return;
      }
      failed.push(channel);
      const named = targets.length > 1 || (r.reason instanceof ApiError && r.reason.code === 'FORBIDDEN');
      placed.push(...Composer.placeError(r.reason, named ? channel : undefined));
      // That key already carries other content: the next press starts a new headline.
      if (r.reason instanceof ApiError && r.reason.code === 'IDEMPOTENCY_KEY_REUSED') this.draft = new Draft();
    });
    Composer.showErrors(placed);
    const docs = [...draft.done.values()];
    if (failed.length) {
      if (docs.length) this.say('composer.partial', { channels: formatList(failed) });
      else this.say(undefined);
      return;
    }
    const live = docs.filter((d) => d.status === 'live').map((d) => d.channel);
    const [key, vars] = live.length === docs.length
      ? ['composer.published', { channels: formatList(live) }] as const
      : ['composer.scheduled', { channels: formatList(docs.map((d) => d.channel)) }] as const;
    this.say(key, vars);
    this.undo.open(docs, () => t(key, vars), () => this.restore(v));
    this.draft = new Draft();
    this.resetText();
    this.refresh();
    this.headline.focus();
  }

  private async saveCorrection(doc: DeskHeadline): Promise<void> {
    const v = this.values();
    if (!this.validate(v)) return;
    const body = correctionBody(v, doc);
    if (body.urgency === 1 && !(await confirmFlash(v.headline, directionFor(v), [doc.channel]))) return;
    try {
      const result = await this.session.api.correct(doc.uri, body, doc.version);
      this.onDoc(result.headline);
      this.endCorrection();
      this.say('composer.corrected', { version: result.headline.version });
    } catch (err) {
      Composer.showErrors(Composer.placeError(err));
    }
  }

  private setRadio(name: string, value: string): void {
    const input = this.form.querySelector<HTMLInputElement>(`input[name="${name}"][value="${value}"]`);
    if (input) input.checked = true;
  }

  private resetText(): void {
    this.headline.value = '';
    for (const id of ['f-link', 'f-source', 'f-section', 'f-embargo']) byId<HTMLInputElement>(id).value = '';
    byId<HTMLTextAreaElement>('f-note').value = '';
    this.language.value = 'auto';
    this.setRadio('urgency', 'routine');
  }
}
