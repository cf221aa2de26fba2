#!/usr/bin/env node
// The `news-ticker` command: the CLI compiled by `npm run build` (tsc → dist/cli), run by plain node.
await import('../dist/cli/main.js');
