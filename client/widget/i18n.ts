/** Words and times in the headline's language: urgency labels, UI strings, Intl formatting. */
import { urgencyWord } from '../../shared/urgency-words.js';

const LABELS: Record<string, string> = {
  ar: 'عاجل', en: 'Breaking', fr: 'Alerte', es: 'Última hora', de: 'Eilmeldung', he: 'מבזק', fa: 'فوری', ur: 'بریکنگ', tr: 'Son dakika',
};

/**
 * The flash/bulletin label in a language: the shared urgency vocabulary in Arabic and English
 * ("عاجل"/"Breaking" for flash, "نشرة"/"Bulletin" for bulletin), one word per language otherwise.
 */
export function urgentLabel(language: string, urgency = 1): string {
  return urgencyWord(language, urgency) ?? LABELS[primary(language)] ?? 'Breaking';
}

/** Whether an item's label would repeat the ticker's title chip ("عاجل عاجل"). */
export function repeatsTitle(label: string, title: string | null | undefined): boolean {
  return !!title && title.trim().toLocaleLowerCase() === label.toLocaleLowerCase();
}

export interface UiStrings {
  pause: string;
  previous: string;
  next: string;
  connecting: string;
  reconnecting: string;
  empty: string;
  region: string;
  /** The visible "N new" control, its name, and the prefix of a removal announced while paused. */
  more: string;
  moreLabel: string;
  removed: string;
}

const UI: Record<string, UiStrings> = {
  en: {
    pause: 'Pause ticker', previous: 'Previous headline', next: 'Next headline', connecting: 'Connecting…',
    reconnecting: 'Reconnecting…', empty: 'No headlines right now', region: 'Latest headlines',
    more: '{n} new', moreLabel: '{n} new: show the new or updated headlines', removed: 'Removed',
  },
  ar: {
    pause: 'إيقاف الشريط مؤقتًا', previous: 'الخبر السابق', next: 'الخبر التالي', connecting: 'جارٍ الاتصال…',
    reconnecting: 'جارٍ إعادة الاتصال…', empty: 'لا أخبار عاجلة الآن', region: 'آخر الأخبار',
    more: 'جديد ({n})', moreLabel: 'جديد ({n}): عرض الأخبار الجديدة أو المحدّثة', removed: 'حُذف',
  },
};

export function uiStrings(language: string): UiStrings {
  return UI[primary(language)] ?? (UI.en as UiStrings);
}

function primary(language: string): string {
  return language.toLowerCase().split('-')[0] ?? '';
}

export interface TimeOptions {
  timeZone: string;
  numberingSystem: string;
}

const cache = new Map<string, Intl.DateTimeFormat | Intl.RelativeTimeFormat>();

function formatter<T extends Intl.DateTimeFormat | Intl.RelativeTimeFormat>(key: string, make: () => T): T {
  let f = cache.get(key) as T | undefined;
  if (!f) cache.set(key, (f = make()));
  return f;
}

/** Clock time, e.g. "4:23 ص", in the headline's language, numbering system and time zone. */
export function clockTime(iso: string, language: string, o: TimeOptions): string {
  const f = formatter(`d|${language}|${o.timeZone}|${o.numberingSystem}`, () =>
    new Intl.DateTimeFormat(language, { hour: 'numeric', minute: '2-digit', timeZone: o.timeZone, numberingSystem: o.numberingSystem }));
  return f.format(new Date(iso));
}

/** Relative time, e.g. "قبل 3 دقائق" / "3 minutes ago". */
export function relativeTime(iso: string, now: number, language: string, o: TimeOptions): string {
  const f = formatter(`r|${language}|${o.numberingSystem}`, () =>
    new Intl.RelativeTimeFormat(language, { numeric: 'auto', numberingSystem: o.numberingSystem } as Intl.RelativeTimeFormatOptions));
  const seconds = Math.round((Date.parse(iso) - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 60) return f.format(Math.min(0, seconds), 'second');
  if (abs < 3600) return f.format(Math.round(seconds / 60), 'minute');
  if (abs < 86_400) return f.format(Math.round(seconds / 3600), 'hour');
  return f.format(Math.round(seconds / 86_400), 'day');
}
