/**
 * The interface language (Arabic, right-to-left, or English). Static labels carry
 * `data-i18n="key"` (text), `data-i18n-label` (aria-label) or `data-i18n-placeholder`; dynamic
 * parts call t() and re-render on `onLanguageChange`. The choice is a preference, kept in
 * localStorage (it is not a secret).
 */
import type { ApiError } from './api.js';
import { ar } from './i18n-ar.js';
import { en, type MessageKey } from './i18n-en.js';

export type UiLanguage = 'en' | 'ar';
export type { MessageKey };

const STORE_KEY = 'nt-dashboard-lang';
const tables: Record<UiLanguage, Record<MessageKey, string>> = { en, ar };
let current: UiLanguage = 'en';
const listeners = new Set<() => void>();

export function uiLanguage(): UiLanguage {
  return current;
}

export function t(key: MessageKey, vars: Record<string, string | number> = {}): string {
  const template = tables[current][key];
  return template.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const value = vars[name];
    return value === undefined ? `{${name}}` : typeof value === 'number' ? formatNumber(value) : value;
  });
}

export function formatNumber(n: number): string {
  return new Intl.NumberFormat(current === 'ar' ? 'ar' : 'en').format(n);
}

export function formatTime(iso: string): string {
  return new Intl.DateTimeFormat(current === 'ar' ? 'ar' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

/** A list of names joined the way the language joins them ("a, b and c" / "a وb وc"). */
export function formatList(items: string[]): string {
  return new Intl.ListFormat(current === 'ar' ? 'ar' : 'en', { type: 'conjunction' }).format(items);
}

export function onLanguageChange(listener: () => void): void {
  listeners.add(listener);
}

export function applyStatic(root: ParentNode = document): void {
  for (const node of root.querySelectorAll<HTMLElement>('[data-i18n]')) node.textContent = t(node.dataset.i18n as MessageKey);
  for (const node of root.querySelectorAll<HTMLElement>('[data-i18n-label]')) node.setAttribute('aria-label', t(node.dataset.i18nLabel as MessageKey));
  for (const node of root.querySelectorAll<HTMLInputElement>('[data-i18n-placeholder]')) node.placeholder = t(node.dataset.i18nPlaceholder as MessageKey);
}

export function setLanguage(lang: UiLanguage): void {
  current = lang;
  try {
    localStorage.setItem(STORE_KEY, lang);
  } catch {
    // storage may be unavailable (private mode); the choice then lasts for this page only
  }
  document.documentElement.lang = lang;
  document.documentElement.dir = lang === 'ar' ? 'rtl' : 'ltr';
  document.title = t('app.title');
  applyStatic();
  for (const listener of listeners) listener();
}

export function initialLanguage(): UiLanguage {
  let stored: string | null = null;
  try {
    stored = localStorage.getItem(STORE_KEY);
  } catch {
    stored = null;
  }
  if (stored === 'ar' || stored === 'en') return stored;
  return navigator.language.toLowerCase().startsWith('ar') ? 'ar' : 'en';
}

const FIELD_MESSAGES: [RegExp, MessageKey][] = [
  [/plain text/, 'field.plain'],
  [/http\(s\) URL/, 'field.url'],
  [/in the future/, 'field.future'],
  [/not be empty/, 'field.empty'],
  [/at most (\d+)/, 'field.max'],
  [/after embargoedUntil/, 'field.afterEmbargo'],
];

/** A server field message in plain words of the interface language (the server speaks English). */
export function fieldMessage(message: string): string {
  for (const [pattern, key] of FIELD_MESSAGES) {
    const m = pattern.exec(message);
    if (m) return t(key, { n: Number(m[1] ?? 0) });
  }
  return message;
}

/** An API error in plain words; field errors are shown next to their fields by the caller. */
export function errorMessage(err: unknown): string {
  if (!(err && typeof err === 'object' && 'code' in err)) return t('err.other', { detail: String(err) });
  const e = err as ApiError;
  const detail = e.errors.length ? e.errors.map((f) => `${f.field}: ${fieldMessage(f.message)}`).join('; ') : e.detail;
  const key = `err.${e.code}` as MessageKey;
  return key in en ? t(key, { detail }) : t('err.other', { detail });
}
