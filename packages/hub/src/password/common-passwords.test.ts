import { describe, expect, it } from 'vitest';
import { commonPasswordCount, isCommonPassword } from './common-passwords.ts';

describe('the shipped common-password list', () => {
  it('holds the whole list, loaded from the pinned package', () => {
    expect(commonPasswordCount()).toBeGreaterThan(40_000);
  });

  it('knows the classics and long ones that pass a 12-character minimum', () => {
    for (const p of ['123456', 'password', 'qwerty', 'letmein', 'trustno1', '1qaz2wsx3edc', 'qwerty123456', 'leavemealone']) expect(isCommonPassword(p), p).toBe(true);
  });

  it('ignores case: a capital first letter is what attackers try next', () => {
    expect(isCommonPassword('PassWord')).toBe(true);
    expect(isCommonPassword('QWERTY123456')).toBe(true);
  });

  it('lets an uncommon password and the empty string through', () => {
    expect(isCommonPassword('violet tugboat sermon 47')).toBe(false);
    expect(isCommonPassword('')).toBe(false);
  });
});
