import { createHash, randomBytes } from 'node:crypto';

/**
 * newSessionSecret makes the cookie value of a new session: 256 random bits. A new one is made
 * at every sign-in, so a session id planted before sign-in is worthless (session fixation).
 */
export function newSessionSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * sessionIdFor turns the cookie value into the store key. Only the SHA-256 digest is stored, so
 * someone who can read the store still cannot forge a cookie.
 */
export function sessionIdFor(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}
