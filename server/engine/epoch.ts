import { randomBytes } from 'node:crypto';

/** A new log epoch: 10 lowercase base-36 characters. */
export function newEpoch(): string {
  const n = randomBytes(8).readBigUInt64BE() % 36n ** 10n;
  return n.toString(36).padStart(10, '0');
}
