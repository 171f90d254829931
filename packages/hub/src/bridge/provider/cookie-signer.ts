/**
 * Owns the signing of the provider's cookies (Koa's `app.keys`), in place of Keygrip.
 */
import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto';

/** What Koa's `cookies` module calls on `app.keys` (the Keygrip interface). */
export interface CookieSigner {
  sign(data: string): string;
  verify(data: string, digest: string): boolean;
  index(data: string, digest: string): number;
}

/**
 * Signs and checks the provider's cookie signatures (`<name>.sig`) exactly as Keygrip does
 * (HMAC-SHA1, base64url without padding, first key signs, any key verifies), so cookies signed
 * before an upgrade stay valid, at a fraction of the cost. Keygrip builds each HMAC from a string
 * key and compares through two more HMACs; the profile of the SSO hop showed that at ~5% of the
 * hub's CPU (docs/benchmarks.md), since every provider request checks several signed cookies.
 * Here the keys are KeyObjects made once and the comparison is `timingSafeEqual`, which leaks
 * only the length, a constant of SHA-1.
 */
export function createCookieSigner(keys: readonly string[]): CookieSigner {
  if (keys.length === 0) throw new Error('createCookieSigner: at least one key is required');
  const keyObjects: KeyObject[] = keys.map((k) => createSecretKey(Buffer.from(k, 'utf8')));
  const mac = (data: string, key: KeyObject) => createHmac('sha1', key).update(data).digest();
  const index = (data: string, digest: string): number => {
    if (typeof digest !== 'string') return -1;
    const given = Buffer.from(digest, 'base64url');
    // base64url decoding skips stray characters: re-encode so only the canonical form matches.
    if (given.length !== 20 || given.toString('base64url') !== digest) return -1;
    for (let i = 0; i < keyObjects.length; i++) {
      if (timingSafeEqual(given, mac(data, keyObjects[i]!))) return i;
    }
    return -1;
  };
  // No `this` inside: oidc-provider copies plain objects out of its configuration.
  return {
    sign: (data) => mac(data, keyObjects[0]!).toString('base64url'),
    verify: (data, digest) => index(data, digest) > -1,
    index,
  };
}
