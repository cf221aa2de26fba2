/**
 * The undo window: for about ten seconds after a publish, one button retracts what just went out
 * (on every channel it went to) and puts the draft back in the composer. The countdown is shown;
 * the window closes by itself. Its text follows the UI language.
 */
import type { DeskHeadline } from '../../shared/headline.js';
import type { Api } from './api.js';
import { byId } from './dom.js';
import { errorMessage, formatList, onLanguageChange, t } from './i18n.js';

export const UNDO_WINDOW_MS = 10_000;

export class UndoBar {
  private readonly bar = byId('undo-bar');
  private readonly text = byId('undo-text');
  private readonly button = byId<HTMLButtonElement>('undo-button');
  private docs: DeskHeadline[] = [];
  private deadline = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private busy = false;
  private message: () => string = () => '';
  private onUndone: () => void = () => undefined;

  constructor(private readonly api: Api, private readonly onRetracted: (doc: DeskHeadline) => void) {
    this.button.addEventListener('click', () => void this.undo());
    onLanguageChange(() => {
      if (!this.bar.hidden) this.text.textContent = this.message();
      if (!this.button.hidden && !this.busy) this.tick();
    });
  }

  /** `message` says what went out; `onUndone` runs once everything was taken back. */
  open(docs: DeskHeadline[], message: () => string, onUndone: () => void): void {
    this.close();
    this.docs = docs;
    this.message = message;
    this.onUndone = onUndone;
    this.deadline = Date.now() + UNDO_WINDOW_MS;
    this.text.textContent = message();
    this.bar.hidden = false;
    this.button.hidden = false;
    this.tick();
    this.timer = setInterval(() => this.tick(), 250);
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.bar.hidden = true;
    this.docs = [];
  }

  private tick(): void {
    const left = Math.ceil((this.deadline - Date.now()) / 1000);
    if (left <= 0 && !this.busy) return this.close();
    this.button.textContent = t('undo.button', { s: Math.max(0, left) });
  }

  private async undo(): Promise<void> {
    if (this.busy || !this.docs.length) return;
    this.busy = true;
    clearInterval(this.timer);
    this.button.textContent = t('undo.working');
    const docs = this.docs;
    const reason = t('undo.reason');
    const results = await Promise.allSettled(docs.map((d) => this.api.retract(d.uri, reason)));
    this.busy = false;
    const failed: string[] = [];
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') this.onRetracted(r.value.headline);
      else failed.push(`${docs[i]?.channel ?? ''}: ${errorMessage(r.reason)}`);
    });
    this.button.hidden = true;
    this.docs = [];
    const done = docs.filter((_d, i) => results[i]?.status === 'fulfilled').map((d) => d.channel);
    this.message = () => [done.length ? t('undo.done', { channels: formatList(done) }) : '', ...failed].filter(Boolean).join(' ');
    this.text.textContent = this.message();
    if (failed.length === 0) this.onUndone();
    this.timer = setInterval(() => this.close(), 6_000);
  }
}
