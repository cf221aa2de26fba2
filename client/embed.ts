/**
 * embed.js: `<script type="module" src="https://HOST/embed.js"></script>` then
 * `<news-ticker channels="ar-breaking"></news-ticker>`. Widgets talk to the server the script
 * came from unless they carry a `server="…"` attribute. Sites that render their own UI can
 * `import { sharedClient } from 'https://HOST/embed.js'` and use the same shared connection.
 */
import { fallbackSocketFactory, sharedClient } from './sdk/index.js';
import { NewsTicker } from './widget/news-ticker.js';

export { NewsTicker, fallbackSocketFactory, sharedClient };
export type { ConnectionStatus, TickerClient, TickerClientEvents } from './sdk/index.js';
