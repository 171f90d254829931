import { describe, expect, it } from 'vitest';
import { bearerToken, checkAdminToken } from './check-admin-token.ts';

describe('the admin token check', () => {
  it('accepts only the exact token, whatever the lengths, and nothing when none is configured', () => {
    const token = 'a-very-long-admin-token-0123456789';
    expect(checkAdminToken(token, token)).toBe(true);
    expect(checkAdminToken(`${token}x`, token)).toBe(false);
    expect(checkAdminToken(token.slice(0, -1), token)).toBe(false);
    expect(checkAdminToken('', token)).toBe(false);
    expect(checkAdminToken(undefined, token)).toBe(false);
    expect(checkAdminToken(token, undefined)).toBe(false);
  });

  it('reads the token of a Bearer authorization header only', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer abc ')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken('Bearer a b')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});
