/** Defines <news-ticker> (once) and types it for document.createElement / querySelector. */
import { NewsTicker } from './news-ticker.component.js';

export { NewsTicker };
export type { TickerMode, TickerState, TickerStateDetail } from './news-ticker.component.js';

if (!customElements.get('news-ticker')) customElements.define('news-ticker', NewsTicker);

declare global {
  interface HTMLElementTagNameMap {
    'news-ticker': NewsTicker;
  }
  interface HTMLElementEventMap {
    'news-ticker-state': CustomEvent<import('./news-ticker.component.js').TickerStateDetail>;
  }
}
