/**
 * embed.js: `<script type="module" src="https://HOST/embed.js"></script>` then
 * `<news-ticker channels="ar-breaking"></news-ticker>`. Widgets talk to the server the script
 * came from unless they carry a `server="…"` attribute.
 */
import { NewsTicker } from './widget/news-ticker.js';

NewsTicker.defaultServer = new URL(import.meta.url).origin;

export { NewsTicker };
