/**
 * What a paused ticker shows (WCAG 2.2.2: pausing holds updates, not only motion). While held, the
 * shown headlines keep their text and order: new headlines and corrections wait, counted in
 * `waiting`, until the reader asks for them; a headline that left the live set (a kill, an expiry)
 * leaves the screen at once, the one exception.
 */
import type { Headline } from '../../shared/headline.js';

export class Hold {
  /** What is on screen, in order. */
  shown: Headline[] = [];
  /** How many of the headlines that would be shown now are new or newer than what is shown. */
  waiting = 0;

  /**
   * Takes `next` (what an unpaused ticker would show) and `live` (every uri still live); returns
   * the shown headlines that left the live set.
   */
  update(next: Headline[], live: Set<string>, held: boolean): Headline[] {
    const gone = this.shown.filter((h) => !live.has(h.uri));
    if (!held) {
      this.shown = next;
      this.waiting = 0;
      return gone;
    }
    this.shown = this.shown.filter((h) => live.has(h.uri));
    const versions = new Map(this.shown.map((h) => [h.uri, h.version]));
    this.waiting = next.filter((h) => versions.get(h.uri) !== h.version).length;
    return gone;
  }
}
