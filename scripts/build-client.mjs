// Builds the browser bundles into dist/client and precompresses them (.br and .gz beside each
// file, served by server/http/static.ts by Accept-Encoding; nginx's gzip_static can send the .gz).
// Run by `npm run build` (so by `npm start` and `npm test`). `--quiet` leaves out the size table.
import { build } from 'esbuild';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

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
    // engine.io-client's index re-exports every transport class; the unused ones would stay in
    // the bundle (their modules have top-level side effects), so they resolve to empty stand-ins.
    b.onResolve({ filter: /^\.\/transports\/(polling-xhr|polling-xhr\.node|polling-fetch|webtransport|websocket\.node)\.js$/ }, (args) =>
      /[\\/]engine\.io-client[\\/]build[\\/]esm[\\/]index\.js$/.test(args.importer) ? { path: args.path, namespace: 'unused-transport' } : undefined);
    b.onLoad({ filter: /.*/, namespace: 'unused-transport' }, () => ({ contents: 'export const XHR = undefined, Fetch = undefined, WT = undefined, WS = undefined;' }));
  },
};

/**
 * Parts of socket.io-client that embed.js never runs resolve to small stand-ins:
 * - our reader protocol is JSON only (shared/protocol.ts): no event or ack carries a Blob or an
 *   ArrayBuffer either way, so socket.io-parser's binary attachments and engine.io-parser's
 *   base64 decoding (a long-polling path) never run: the stand-ins say "no binary";
 * - every socket is made with `reconnection: false` (client/sdk/fallback.ts; TickerClient retries
 *   with its own full-jitter backoff), so the Manager's Backoff never draws a delay.
 */
const unusedSocketIoParts = {
  name: 'socket.io-unused-parts',
  setup(b) {
    const stub = (filter, pkg, contents) => {
      b.onResolve({ filter }, (args) => (pkg.test(args.importer) ? { path: args.path, namespace: 'unused-part' } : undefined));
      b.onLoad({ filter, namespace: 'unused-part' }, () => ({ contents }));
    };
    stub(/^\.\/is-binary\.js$/, /[\\/]socket\.io-parser[\\/]/, 'export const isBinary = () => false, hasBinary = () => false;');
    stub(/^\.\/binary\.js$/, /[\\/]socket\.io-parser[\\/]/, 'export const deconstructPacket = (packet) => ({ packet, buffers: [] }), reconstructPacket = (packet) => packet;');
    stub(/^\.\/contrib\/base64-arraybuffer\.js$/, /[\\/]engine\.io-parser[\\/]/, 'export const decode = () => undefined;');
    stub(/^\.\/contrib\/backo2\.js$/, /[\\/]socket\.io-client[\\/]/,
      'export class Backoff { constructor() { this.attempts = 0; } duration() { return 0; } reset() { this.attempts = 0; } setMin() {} setMax() {} setJitter() {} }');
  },
};

const common = { outdir: 'dist/client', bundle: true, format: 'esm', minify: true, target: ['es2020'], legalComments: 'none', logLevel: 'warning' };
const out = (file) => ({ in: file, out: file.replace(/^client\//, '').replace(/\.ts$/, '').replace(/\/main$/, '') });
const entries = ['client/dashboard/main.ts'].filter((f) => existsSync(f));

await Promise.all([
  // Properties named `_x` (socket.io-client's internals, our SDK's and widget's private members)
  // get short names: nothing outside the bundle reads them (so no wire, storage or DOM property may
  // be named `_x`; shared/protocol.ts has none). Quoted ones too, because
  // socket.io-client reaches two of its own that way (`this.io["_destroy"]`). ES2022 syntax (class
  // fields, `??=` kept as written) is smaller, and every browser the widget supports (constructable
  // stylesheets: Chrome 73, Firefox 101, Safari 16.4; `?.` already needs Chrome 80) runs it.
  build({ ...common, entryPoints: [out('client/embed.ts')], plugins: [websocketOnly, unusedSocketIoParts], mangleProps: /^_/, mangleQuoted: true, target: ['es2022'] }),
  entries.length ? build({ ...common, entryPoints: entries.map(out) }) : undefined,
]);

/** Text types worth compressing; each gets `<file>.br` (quality 11) and `<file>.gz` (level 9). */
const COMPRESSIBLE = new Set(['.js', '.css', '.json', '.map', '.html', '.svg']);
const sizes = [];
for (const name of readdirSync(common.outdir).sort()) {
  if (!COMPRESSIBLE.has(extname(name))) continue;
  const file = join(common.outdir, name);
  const raw = readFileSync(file);
  const br = brotliCompressSync(raw, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
  });
  const gz = gzipSync(raw, { level: 9 });
  writeFileSync(`${file}.br`, br);
  writeFileSync(`${file}.gz`, gz);
  sizes.push({ file: name, raw: raw.length, gzip: gz.length, br: br.length });
}
if (!process.argv.includes('--quiet')) {
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  for (const s of sizes) console.log(`dist/client/${s.file}: ${kb(s.raw)}, gzip ${kb(s.gzip)}, br ${kb(s.br)}`);
}
