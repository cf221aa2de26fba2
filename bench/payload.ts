/**
 * The benchmark headline: the seed's Arabic breaking line with a section, a source and a link
 * that carries the sequence number and the send timestamp (~300 bytes of headline). Every target
 * gets the same body; the baselines wrap it in an event of the product's shape, so each target
 * ships a message of about the same size.
 */
import { performance } from 'node:perf_hooks';

export const SEED_HEADLINE = 'إعلام سوري: الطيران الإسرائيلي يستهدف مطار حماة العسكري بـ 3 غارات';

/** Milliseconds on a clock shared by the load generator's publisher and readers. */
export const nowMs = (): number => performance.timeOrigin + performance.now();

export function headlineBody(seq: number, sentAt: number): Record<string, unknown> {
  return {
    headline: SEED_HEADLINE,
    language: 'ar',
    urgency: 'flash',
    section: 'العالم',
    by: 'المصدر: رويترز',
    link: `https://news.example/bench/${seq}/${sentAt.toFixed(3)}`,
  };
}

/** Reads `seq` and `sentAt` back from a delivered headline's link; undefined if it is not ours. */
export function parseLink(link: unknown): { seq: number; sentAt: number } | undefined {
  if (typeof link !== 'string') return undefined;
  const b = link.lastIndexOf('/');
  const a = link.lastIndexOf('/', b - 1);
  if (a < 0) return undefined;
  const seq = Number(link.slice(a + 1, b));
  const sentAt = Number(link.slice(b + 1));
  return Number.isInteger(seq) && Number.isFinite(sentAt) ? { seq, sentAt } : undefined;
}

/** A correction of headline `seq`: new text, and a link carrying the correction's own send time. */
export function correctionBody(seq: number, sentAt: number): Record<string, unknown> {
  return {
    headline: `${SEED_HEADLINE} (محدث)`,
    link: `https://news.example/bench/${seq}/${sentAt.toFixed(3)}`,
    edNote: 'bench correction',
  };
}
