/** Defines <news-ticker> (once) and types it for document.createElement / querySelector. */
import { NewsTicker } from './news-ticker.component.js';

export { NewsTicker };
export type { TickerMode, TickerState, TickerStateDetail } from './news-ticker.component.js';

// The server defaults to the origin this script came from (embed.js's). Set before define(): the
// elements already in the page are upgraded, and connect, inside define() itself.
NewsTicker.defaultServer ??= new URL(import.meta.url).origin;
if (!customElements.get('news-ticker')) customElements.define('news-ticker', NewsTicker);

declare global {
  interface HTMLElementTagNameMap {
    'news-ticker': NewsTicker;
  }
  interface HTMLElementEventMap {
    'news-ticker-state': CustomEvent<import('./news-ticker.component.js').TickerStateDetail>;
  }
}
