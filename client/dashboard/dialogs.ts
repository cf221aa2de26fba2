/**
 * Modal questions, on native <dialog> (Tab kept inside by trapTab, Escape cancels, focus returns to the
 * button that opened it): the flash confirmation, a reason for a hold or a kill, a new expiry.
 */
import { LIMITS } from '../../shared/headline.js';
import type { ExpiryPreset } from './compose-model.js';
import { byId, showError } from './dom.js';
import { formatList, t, type MessageKey } from './i18n.js';

/** What Tab reaches inside `root`: enabled, rendered, and of a radio group only its checked radio. */
function tabbables(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>('a[href], button, input, select, textarea, [tabindex]')].filter((el) =>
    el.tabIndex >= 0 && !(el as HTMLButtonElement).disabled && el.getClientRects().length > 0
    && !(el instanceof HTMLInputElement && el.type === 'radio' && !el.checked && root.querySelector(`input[name="${CSS.escape(el.name)}"]:checked`)));
}

/** Keeps Tab and Shift+Tab inside an open modal dialog (Chromium lets them reach the browser's own UI). */
function trapTab(this: HTMLDialogElement, e: KeyboardEvent): void {
  if (e.key !== 'Tab') return;
  const list = tabbables(this);
  const first = list[0];
  const last = list[list.length - 1];
  const active = document.activeElement;
  const inside = active instanceof Node && this.contains(active) && active !== this;
  const wrap = e.shiftKey ? (!inside || active === first) && last : (!inside || active === last) && first;
  if (!wrap) return;
  e.preventDefault();
  wrap.focus();
}

function open(dialog: HTMLDialogElement): Promise<string> {
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : undefined;
  return new Promise((resolve) => {
    const uri = opener?.closest<HTMLElement>('[data-uri]')?.dataset.uri;
    const action = opener?.dataset.action;
    dialog.addEventListener('keydown', trapTab);
    dialog.addEventListener('close', () => {
      dialog.removeEventListener('keydown', trapTab);
      resolve(dialog.returnValue);
      // The desk may have re-rendered meanwhile: find the same button of the same headline.
      const again = opener?.isConnected || !uri || !action ? opener
        : document.querySelector<HTMLElement>(`[data-uri="${CSS.escape(uri)}"] [data-action="${action}"]`) ?? undefined;
      again?.focus();
    }, { once: true });
    dialog.returnValue = '';
    dialog.showModal();
  });
}

function quote(id: string, text: string, dir: string): void {
  const node = byId(id);
  node.textContent = text;
  node.dir = dir;
}

/** "Publish as a flash?" Resolves true only on an explicit yes; Cancel is focused first. */
export async function confirmFlash(headline: string, dir: string, channels: string[]): Promise<boolean> {
  byId('flash-body').textContent = t('flash.body', { channels: formatList(channels) });
  quote('flash-headline', headline, dir);
  return (await open(byId<HTMLDialogElement>('flash-dialog'))) === 'confirm';
}

export interface ReasonOptions {
  title: MessageKey;
  label: MessageKey;
  confirm: MessageKey;
  /** A kill needs a reason; a hold does not. */
  required: boolean;
  headline: string;
  dir: string;
}

/** Asks for a reason; resolves with it ('' when optional and left empty), or undefined on cancel. */
export function askReason(options: ReasonOptions): Promise<string | undefined> {
  const dialog = byId<HTMLDialogElement>('reason-dialog');
  const form = byId<HTMLFormElement>('reason-form');
  const input = byId<HTMLTextAreaElement>('reason-input');
  const error = byId('reason-error');
  byId('reason-title').textContent = t(options.title);
  byId('reason-label').textContent = t(options.label);
  byId('reason-confirm').textContent = t(options.confirm);
  quote('reason-headline', options.headline, options.dir);
  input.value = '';
  input.maxLength = LIMITS.reason;
  showError(error, undefined);
  const onSubmit = (e: SubmitEvent): void => {
    e.preventDefault();
    if (options.required && !input.value.trim()) {
      showError(error, t('retract.needReason'));
      input.focus();
      return;
    }
    dialog.close('ok');
  };
  const onCancel = (): void => dialog.close('cancel');
  form.addEventListener('submit', onSubmit);
  byId('reason-cancel').addEventListener('click', onCancel);
  return open(dialog).then((result) => {
    form.removeEventListener('submit', onSubmit);
    byId('reason-cancel').removeEventListener('click', onCancel);
    return result === 'ok' ? input.value.trim() : undefined;
  });
}

/** Asks for a new expiry preset; undefined on cancel. */
export function askExpiry(headline: string, dir: string): Promise<ExpiryPreset | undefined> {
  const dialog = byId<HTMLDialogElement>('expiry-dialog');
  const form = byId<HTMLFormElement>('expiry-form');
  quote('expiry-headline', headline, dir);
  const onSubmit = (e: SubmitEvent): void => {
    e.preventDefault();
    dialog.close('ok');
  };
  const onCancel = (): void => dialog.close('cancel');
  form.addEventListener('submit', onSubmit);
  byId('expiry-cancel').addEventListener('click', onCancel);
  return open(dialog).then((result) => {
    form.removeEventListener('submit', onSubmit);
    byId('expiry-cancel').removeEventListener('click', onCancel);
    if (result !== 'ok') return undefined;
    return (new FormData(form).get('new-expiry') ?? 'none') as ExpiryPreset;
  });
}
