/**
 * One urgency vocabulary for the dashboard and the widget: the word for each preset in Arabic
 * and English. Readers and editors see the same word for the same urgency.
 */
import { urgencyName, type UrgencyPreset } from './headline.js';

export const URGENCY_WORDS: Record<'ar' | 'en', Record<UrgencyPreset, string>> = {
  en: { flash: 'Breaking', bulletin: 'Bulletin', urgent: 'Urgent', routine: 'Routine' },
  ar: { flash: 'عاجل', bulletin: 'نشرة', urgent: 'مهم', routine: 'عادي' },
};

/** The word for an urgency in a language ("ar", "en-GB"), or undefined for other languages. */
export function urgencyWord(language: string, urgency: number): string | undefined {
  const primary = language.toLowerCase().split('-')[0];
  return primary === 'ar' || primary === 'en' ? URGENCY_WORDS[primary][urgencyName(urgency)] : undefined;
}
