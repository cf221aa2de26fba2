/**
 * Right-to-left text in a terminal. Terminals that implement bidi (VTE/GNOME Terminal,
 * Konsole, mlterm, iTerm2 with bidi on) show logical text right if it is isolated, so the
 * default wraps RTL text in FSI…PDI. Terminals that do not (xterm, most multiplexers) print
 * characters in memory order, which reads backwards: `visual` reorders a line for them —
 * runs of Latin letters and digits keep their order, everything else is reversed, and the
 * run order is reversed, as the Unicode bidi algorithm does for a plain RTL line.
 */
import { directionOf } from '../shared/text.js';

export type BidiMode = 'isolate' | 'visual' | 'none';

const FSI = '\u2068';
const PDI = '\u2069';
const LTR_RUN = /[\p{Script=Latin}\p{Nd}]+(?:[.,:/%-][\p{Script=Latin}\p{Nd}]+)*%?/gu;
const MIRROR: Record<string, string> = { '(': ')', ')': '(', '[': ']', ']': '[', '{': '}', '}': '{', '<': '>', '>': '<', '«': '»', '»': '«' };

/** A right-to-left line in visual order, for terminals without bidi. */
export function visualOrder(text: string): string {
  const runs: { text: string; ltr: boolean }[] = [];
  let last = 0;
  for (const m of text.matchAll(LTR_RUN)) {
    if (m.index > last) runs.push({ text: text.slice(last, m.index), ltr: false });
    runs.push({ text: m[0], ltr: true });
    last = m.index + m[0].length;
  }
  if (last < text.length) runs.push({ text: text.slice(last), ltr: false });
  return runs
    .reverse()
    .map((r) => (r.ltr ? r.text : [...r.text].reverse().map((c) => MIRROR[c] ?? c).join('')))
    .join('');
}

export function forTerminal(text: string, language: string | undefined, mode: BidiMode): string {
  if (mode === 'none' || directionOf(language, text) !== 'rtl') return text;
  return mode === 'visual' ? visualOrder(text) : `${FSI}${text}${PDI}`;
}
