import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * True when `presented` equals `expected`. Both are hashed first so the comparison takes the same
 * time whatever the lengths, then compared with crypto.timingSafeEqual.
 */
export function checkAdminToken(presented: string | undefined, expected: string | undefined): boolean {
  if (expected === undefined || presented === undefined) return false;
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m?.[1];
}
