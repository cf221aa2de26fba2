// Builds the browser bundles into dist/client. Run by `npm start`, `npm run build` and the tests.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * embed.js connects over WebSocket only (client/sdk asks for transports: ['websocket']), so its
 * engine.io-client gets only that transport: the long-polling and WebTransport code would be dead
 * weight against the 20 KB gzipped budget (test/browser/size.test.ts).
 */
const websocketOnly = {
  name: 'engine.io-websocket-only',
  setup(b) {
    b.onResolve({ filter: /^\.\/transports\/index\.js$/ }, (args) =>
      /[\\/]engine\.io-client[\\/]/.test(args.importer) ? { path: args.importer, namespace: 'websocket-only' } : undefined);
    b.onLoad({ filter: /.*/, namespace: 'websocket-only' }, (args) => ({
      contents: 'import { WS } from "./websocket.js"; export const transports = { websocket: WS };',
      resolveDir: join(dirname(args.path), 'transports'),
    }));
  },
};

const common = { outdir: 'dist/client', bundle: true, format: 'esm', minify: true, target: ['es2020'], legalComments: 'none', logLevel: 'warning' };
const out = (file) => ({ in: file, out: file.replace(/^client\//, '').replace(/\.ts$/, '').replace(/\/main$/, '') });
const entries = ['client/dashboard/main.ts'].filter((f) => existsSync(f));

await Promise.all([
  build({ ...common, entryPoints: [out('client/embed.ts')], plugins: [websocketOnly] }),
  entries.length ? build({ ...common, entryPoints: entries.map(out) }) : undefined,
]);
