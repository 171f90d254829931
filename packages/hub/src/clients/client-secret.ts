import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * How the hub keeps client secrets at rest (docs/decisions/0012-client-secrets-hashed.md): a
 * secret the hub generates (256 random bits) is stored only as `sha256:<base64url SHA-256>`, its
 * digest; the clear secret exists only in the answer to create and rotate-secret. A presented
 * secret is checked by hashing it and comparing digests in constant time.
 */
export const SECRET_DIGEST_PREFIX = 'sha256:';
const DIGEST = /^sha256:[A-Za-z0-9_-]{43}$/;

/** A client secret: 256 random bits, base64url (43 characters). */
export function generateClientSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** The stored form of a secret: `sha256:` and the base64url SHA-256 of its UTF-8 bytes. */
export function digestClientSecret(secret: string): string {
  return `${SECRET_DIGEST_PREFIX}${createHash('sha256').update(secret, 'utf8').digest('base64url')}`;
}

/** True when `stored` is a digest written by digestClientSecret (not a secret in clear). */
export function isSecretDigest(stored: unknown): stored is string {
  return typeof stored === 'string' && DIGEST.test(stored);
}

/**
 * Whether `presented` is the secret `stored` stands for. `stored` is a digest (API clients) or,
 * for static clients from the configuration file, the secret as the operator wrote it. Constant
 * time in the content of both; presenting the digest itself never matches a digest.
 */
export function clientSecretMatches(stored: string, presented: string): boolean {
  if (typeof stored !== 'string' || typeof presented !== 'string') return false;
  if (isSecretDigest(stored)) return equalDigests(stored, digestClientSecret(presented));
  // A static secret in clear: compare digests too, so the comparison takes the same time
  // whatever the lengths (what oidc-provider's own constantEquals pads for).
  return equalDigests(digestClientSecret(stored), digestClientSecret(presented));
}

function equalDigests(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
