/** The size budget: embed.js, Socket.IO client included, at most 20 KB gzipped. */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const BUDGET = 20 * 1024;

describe('embed.js', () => {
  it(`is at most ${BUDGET} bytes gzipped (npm test builds it first)`, () => {
    const file = new URL('../../dist/client/embed.js', import.meta.url);
    const source = readFileSync(file);
    expect(source.toString()).toContain('news-ticker'); // the widget is in it…
    expect(source.toString()).toContain('channels:subscribe'); // …and the socket client with our protocol
    const gzipped = gzipSync(source).length; // default level, as a web server would send it
    expect(gzipped).toBeLessThanOrEqual(BUDGET);
  });
});
