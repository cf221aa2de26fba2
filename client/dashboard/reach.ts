/**
 * Reach: connected readers per channel, summed over every server process (from the desk feed's
 * `desk:readers`, every ~2 s), and per headline the readers its channel had when it went out.
 */
import type { DeskHeadline } from '../../shared/headline.js';
import { t } from './i18n.js';

export class ReachStore {
  private counts: Record<string, number> = {};
  private readonly listeners = new Set<() => void>();

  set(counts: Record<string, number>): void {
    const changed = JSON.stringify(counts) !== JSON.stringify(this.counts);
    this.counts = { ...counts };
    if (changed) for (const listener of this.listeners) listener();
  }

  count(channel: string): number | undefined {
    return this.counts[channel];
  }

  onChange(listener: () => void): void {
    this.listeners.add(listener);
  }
}

export function reachText(doc: DeskHeadline): string {
  return doc.reach === undefined ? t('desk.reachUnknown') : t('desk.reach', { n: doc.reach });
}
