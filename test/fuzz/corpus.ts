/**
 * A generated corpus of engine.io / Socket.IO packets for the fuzz suite: seeded (mulberry32),
 * so a failing run is reproduced with FUZZ_SEED=<seed>. Each case is the frames one client
 * sends on a connected websocket (text frames are engine.io packets; Buffers are binary frames).
 */
import { prng } from '../helpers/prng.js';

export type Frame = string | Buffer;

export interface FuzzCase {
  area: string;
  frames: Frame[];
}

const KNOWN = ['channels:subscribe', 'channels:unsubscribe', 'desk:subscribe'];

export function generateCorpus(seed: number, size: number): FuzzCase[] {
  const rand = prng(seed);
  const int = (n: number) => Math.floor(rand() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const str = (n: number) => Array.from({ length: n }, () => String.fromCharCode(32 + int(95))).join('');
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));

  const nested = (depth: number, leaf: unknown): unknown => {
    let v = leaf;
    for (let i = 0; i < depth; i++) v = rand() < 0.5 ? [v] : { a: v };
    return v;
  };
  // Deeper than JSON.stringify can go: written as text.
  const deepText = (depth: number, leaf: string): string => {
    const open: string[] = [];
    for (let i = 0; i < depth; i++) open.push(rand() < 0.5 ? '[' : '{"a":');
    return open.join('') + leaf + open.reverse().map((o) => (o === '[' ? ']' : '}')).join('');
  };
  const oddNames: unknown[] = [
    0, 1, -1, 1.5, 1e308, null, true, false, {}, [], { toString: 1 }, [1, 2], '', ' ', 'x'.repeat(10_000),
    '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', 'error', 'newListener',
    'connection', 'disconnecting', 'ping', 'headline:publish', 'channels:subscribe ', 'CHANNELS:SUBSCRIBE',
    'desk:subscribe\u0000', '\u202eevil', 'عاجل', '😀'.repeat(100), { _placeholder: true, num: 0 },
  ];
  const oddValues = (): unknown => pick([
    undefined, null, 0, -1, 1e308, '', 'x', true, [], {}, [null], { channels: null }, { channels: 1 }, { channels: {} },
    { channels: [] }, { channels: [null] }, { channels: [1] }, { channels: ['a'] }, { channels: [{}] },
    { channels: [{ channel: 'ok-1' }] }, { channels: [{ channel: 'ok-1', cursor: 'empty:0' }] },
    { channels: [{ channel: '__proto__' }] }, { channels: [{ channel: 'a', cursor: { $gt: '' } }] },
    { channels: Array.from({ length: 1 + int(40) }, (_, i) => ({ channel: `c-${i}` })) },
    { channels: [{ channel: 'a' }], extra: 1 }, { __proto__: { polluted: true } }, { constructor: { prototype: { x: 1 } } },
    JSON.parse('{"__proto__":{"polluted":true}}') as unknown,
    nested(1 + int(300), 'deep'), str(1 + int(12_000)), Array.from({ length: int(3000) }, () => int(10)),
    { _placeholder: true, num: int(5) }, [{ _placeholder: true, num: -1 }], { _placeholder: 'yes', num: '0' },
  ]);
  const json = (v: unknown): string => JSON.stringify(v) ?? '';
  const ackId = (): string => pick(['', '', '1', String(int(1000)), '0', '99999999999999999999', '007']);
  const nsp = (): string => pick(['', '', '', '/', '/admin,', '/nope,', '/' + 'n'.repeat(int(3000)) + ',', '/,', '//,', '/\u0000,']);
  const args = (): unknown[] => Array.from({ length: int(5) }, oddValues);

  const areas: [string, () => Frame[]][] = [
    ['engine.io packet types 0-6', () => [`${int(7)}${pick(['', 'probe', '{}', json(oddValues()), str(int(50))])}`]],
    ['engine.io garbage', () => [pick<Frame>(['', 'x', '7', '8', '9', '\u0000', ' 4', '-1', '4'.repeat(200), str(1 + int(200)), bytes(1 + int(64)), bytes(20_000), 'x'.repeat(20_000)])]],
    ['socket.io packet types 0-6', () => [`4${int(7)}${nsp()}${ackId()}${pick(['', json(oddValues()), json(args()), '[]', '{}', '"x"'])}`]],
    ['socket.io invalid types', () => [`4${pick(['7', '8', '9', 'a', '-', ' ', '42'])}${json(args())}`]],
    ['odd event names', () => [`42${nsp()}${ackId()}${json([pick(oddNames), ...args()])}`]],
    ['known events, odd arities and payloads', () => [`42${ackId()}${json([pick(KNOWN), ...args()])}`]],
    ['acks on everything', () => [`4${pick(['2', '3', '5', '6'])}${int(1_000_000)}${json([pick([...KNOWN, ...oddNames]), ...args()])}`]],
    ['binary attachments', () => {
      const declared = pick([0, 1, 1, 2, 3, 10, 1001, 99999999]);
      const sent = pick([0, 1, 1, 2, declared]);
      const placeholders = Array.from({ length: 1 + int(3) }, () => ({ _placeholder: true, num: pick([0, 1, 2, -1, 5, 1e9, '0']) }));
      const head = `4${pick(['5', '6'])}${declared}-${nsp()}${ackId()}${json([pick([...KNOWN, ...oddNames]), ...placeholders, ...args()])}`;
      return [head, ...Array.from({ length: Math.min(sent, 5) }, () => bytes(int(2000)))];
    }],
    ['placeholders without binary', () => [`42${json([pick(KNOWN), { channels: [{ _placeholder: true, num: 0 }] }])}`]],
    ['deep and huge payloads', () => [`42${ackId()}[${json(pick([...KNOWN, 'x']))},${deepText(1 + int(8000), pick(['{"channels":[]}', '1', '"x"', 'null']))}]`]],
    ['bad namespaces', () => [`4${pick(['0', '1', '2'])}${pick(['/nope', '/admin', '/' + str(int(100)).replace(/,/g, '')])},${json([pick(KNOWN), ...args()])}`]],
    ['bursts', () => Array.from({ length: 2 + int(20) }, () => `42${json([pick(oddNames), ...args()])}`)],
  ];

  const cases: FuzzCase[] = [];
  // Every area at least a few times, then random areas up to `size`.
  for (const [area, make] of areas) for (let i = 0; i < 8; i++) cases.push({ area, frames: make() });
  while (cases.length < size) {
    const [area, make] = pick(areas);
    cases.push({ area, frames: make() });
  }
  return cases;
}
