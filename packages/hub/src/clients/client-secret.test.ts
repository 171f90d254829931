import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { clientSecretMatches, digestClientSecret, generateClientSecret, isSecretDigest } from './client-secret.ts';

describe('client secrets at rest', () => {
  it('stores a secret as the base64url SHA-256 of it, recognisably', () => {
    const secret = generateClientSecret();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = digestClientSecret(secret);
    expect(stored).toBe(`sha256:${createHash('sha256').update(secret).digest('base64url')}`);
    expect(stored).not.toContain(secret);
    expect(isSecretDigest(stored)).toBe(true);
    expect(isSecretDigest(secret)).toBe(false);
    expect(isSecretDigest(`${stored}x`)).toBe(false);
  });

  it('matches the secret against its digest, and nothing else: not the digest itself, not a near miss', () => {
    const secret = generateClientSecret();
    const stored = digestClientSecret(secret);
    expect(clientSecretMatches(stored, secret)).toBe(true);
    expect(clientSecretMatches(stored, stored)).toBe(false);
    expect(clientSecretMatches(stored, `${secret} `)).toBe(false);
    expect(clientSecretMatches(stored, '')).toBe(false);
    expect(clientSecretMatches(stored, undefined as unknown as string)).toBe(false);
  });

  it('compares a static client secret written in clear as it is', () => {
    const clear = 'operator-chosen-secret-0123456789abcdef';
    expect(clientSecretMatches(clear, clear)).toBe(true);
    expect(clientSecretMatches(clear, clear.slice(1))).toBe(false);
    expect(clientSecretMatches(clear, digestClientSecret(clear))).toBe(false);
  });
});
