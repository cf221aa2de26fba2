/**
 * The changed words of a correction: a word-level diff (longest common subsequence over words and
 * the spaces between them), rendered as <del>/<ins> through textContent only.
 */
import { el } from './dom.js';

export type DiffPart = { kind: 'same' | 'added' | 'removed'; text: string };

const words = (s: string): string[] => s.split(/(\s+)/).filter((w) => w !== '');

export function wordDiff(before: string, after: string): DiffPart[] {
  const a = words(before);
  const b = words(after);
  // lcs[i][j]: length of the LCS of a[i..] and b[j..]. Headlines are short (≤ 280 characters).
  const lcs = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  }
  const parts: DiffPart[] = [];
  const push = (kind: DiffPart['kind'], text: string) => {
    const last = parts.at(-1);
    if (last?.kind === kind) last.text += text;
    else parts.push({ kind, text });
  };
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      push('same', a[i]!);
      i++;
      j++;
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) push('removed', a[i++]!);
    else push('added', b[j++]!);
  }
  while (i < a.length) push('removed', a[i++]!);
  while (j < b.length) push('added', b[j++]!);
  return parts;
}

/** The diff as a <span class="diff"> of text, <del> and <ins> nodes (textContent only). */
export function renderDiff(before: string, after: string, attrs: Record<string, string> = {}): HTMLSpanElement {
  return el('span', { class: 'diff', attrs },
    ...wordDiff(before, after).map((p) => (p.kind === 'same' ? document.createTextNode(p.text) : el(p.kind === 'added' ? 'ins' : 'del', { text: p.text }))));
}
