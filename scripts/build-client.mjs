// Builds the browser bundles into dist/client. Run by `npm start`, `npm run build` and the tests.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

const entries = ['client/embed.ts', 'client/dashboard/main.ts'].filter((f) => existsSync(f));
await build({
  entryPoints: entries.map((file) => ({ in: file, out: file.replace(/^client\//, '').replace(/\.ts$/, '').replace(/\/main$/, '') })),
  outdir: 'dist/client',
  bundle: true,
  format: 'esm',
  minify: true,
  target: ['es2020'],
  legalComments: 'none',
  logLevel: 'warning',
});
