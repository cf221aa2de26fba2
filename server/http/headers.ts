import type { Request } from 'express';
import { AppError } from '../domain/errors.js';

/** `Idempotency-Key`: 1–200 visible ASCII characters. */
export function idempotencyKey(req: Request): string | undefined {
  const value = req.get('idempotency-key');
  if (value === undefined) return undefined;
  if (!/^[\x21-\x7E]{1,200}$/.test(value)) throw new AppError('INVALID_HEADER', 'Idempotency-Key must be 1–200 visible ASCII characters');
  return value;
}

/** `If-Match: "3"` (also W/"3" or 3): the version the client last saw. */
export function ifMatchVersion(req: Request): number | undefined {
  const value = req.get('if-match');
  if (value === undefined) return undefined;
  const m = /^(?:W\/)?"?(\d{1,9})"?$/.exec(value.trim());
  if (!m) throw new AppError('INVALID_HEADER', 'If-Match must be the headline version, e.g. "3"');
  return Number(m[1]);
}

export const etagOf = (version: number): string => `"${version}"`;
