/**
 * Text rules shared by server and client. Headlines are normalised once at the edge:
 * bidi embedding/override/isolate controls removed (LRM, RLM and ALM are kept, they carry no
 * state), other control characters removed, Unicode NFC, whitespace collapsed, trimmed.
 * Then refused when they hold a lone surrogate, no visible character, or (headlines) HTML markup.
 */

/** U+202A–U+202E (embeddings, overrides, PDF) and U+2066–U+2069 (isolates, PDI). */
export const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;

/** C0/C1 controls except tab/newline (those become spaces), plus zero-width no-break BOM. */
const OTHER_CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFEFF]/g;

export function stripBidiControls(text: string): string {
  return text.replace(BIDI_CONTROLS, '');
}

/** Controls go before NFC, so a removed control cannot leave an uncomposed pair behind. */
export function normalizeText(text: string): string {
  return stripBidiControls(text)
    .replace(OTHER_CONTROLS, '')
    .normalize('NFC')
    .replace(/\s+/gu, ' ')
    .trim();
}

/** In a `u` regex a surrogate class matches only unpaired halves: paired ones are one code point. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Whether `text` holds an unpaired UTF-16 surrogate (not valid Unicode; JSON can carry one). */
export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}

/**
 * A character that draws something: not whitespace, not default-ignorable (zero-width space,
 * joiners, word joiner, variation selectors, tags, Hangul fillers, soft hyphen…), not a control
 * or format character, not a combining mark (which only decorates a base), not unassigned or
 * private-use (no font draws them), and not U+2800 BRAILLE PATTERN BLANK (a common "empty" trick).
 */
const VISIBLE = /[^\p{White_Space}\p{Default_Ignorable_Code_Point}\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{M}\u2800]/u;

/** Whether `text` has at least one visible character. */
export function hasVisibleCharacter(text: string): boolean {
  return VISIBLE.test(text);
}

/**
 * Where an HTML parser leaves plain text: the tokenizer's data state reads "<" as the start of
 * markup only when the next character is an ASCII letter (a start tag), "/" (an end tag, or a
 * bogus comment), "!" (a comment, doctype or CDATA) or "?" (a processing instruction, read as a
 * bogus comment). Any other "<" (before a space, a digit, "=", "<", the end) and every ">" are
 * text. So `Rates: a < b and c > d` and `I <3 news` are plain text, while `a <b and c> d` is
 * markup, exactly as a browser would render it: a <b> element with attributes "and" and "c".
 */
const MARKUP = /<[A-Za-z/!?]/;

/** Whether `text` would be read as HTML markup (a tag, end tag, comment, doctype or PI). */
export function looksLikeMarkup(text: string): boolean {
  return MARKUP.test(text);
}

export type Direction = 'rtl' | 'ltr';

/** Primary language subtags written right-to-left. */
const RTL_LANGUAGES = new Set(['ar', 'arc', 'ckb', 'dv', 'fa', 'he', 'iw', 'ku', 'ps', 'sd', 'syr', 'ug', 'ur', 'yi']);
const RTL_SCRIPTS = new Set(['arab', 'hebr', 'syrc', 'thaa', 'nkoo', 'adlm', 'rohg']);

const STRONG_RTL = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]/u;
const STRONG_LTR = /[A-Za-z\u00C0-\u024F\u0370-\u03FF\u0400-\u04FF\u0900-\u0DFF\u3040-\u30FF\u4E00-\u9FFF]/u;

/** Direction of a BCP 47 tag (script subtag wins over language), or undefined when unknown. */
export function directionOfLanguage(language: string | undefined): Direction | undefined {
  if (!language) return undefined;
  const parts = language.toLowerCase().split('-');
  const script = parts.find((p, i) => i > 0 && p.length === 4);
  if (script) return RTL_SCRIPTS.has(script) ? 'rtl' : 'ltr';
  const primary = parts[0] ?? '';
  return RTL_LANGUAGES.has(primary) ? 'rtl' : 'ltr';
}

/** Direction of the first strong character (the Unicode "first strong" rule, as dir=auto does). */
export function directionOfText(text: string): Direction {
  for (const ch of text) {
    if (STRONG_RTL.test(ch)) return 'rtl';
    if (STRONG_LTR.test(ch)) return 'ltr';
  }
  return 'ltr';
}

export function directionOf(language: string | undefined, text: string): Direction {
  return directionOfLanguage(language) ?? directionOfText(text);
}

/** A best guess at the language from the script, for composers: 'ar' for Arabic script, else 'en'. */
export function guessLanguage(text: string): string {
  const arabic = text.match(/[\u0600-\u06FF]/gu)?.length ?? 0;
  const hebrew = text.match(/[\u0590-\u05FF]/gu)?.length ?? 0;
  const latin = text.match(/[A-Za-z]/g)?.length ?? 0;
  if (arabic > latin && arabic >= hebrew) return 'ar';
  if (hebrew > latin) return 'he';
  return 'en';
}

/** Only absolute http(s) URLs are links; anything else is refused. */
export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
