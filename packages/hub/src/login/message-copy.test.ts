import { describe, expect, it } from 'vitest';
import { copyFor } from './message-copy.ts';

describe('copyFor', () => {
  // Decision 0013 (amendment, issue #20): copy for "no such account" errors never confirms that.
  it.each([
    [4000035, 'This account does not exist or has not setup sign in with code.'],
    [4000037, 'This account does not exist or has no login method configured.'],
  ])('Kratos %i does not reveal whether an account exists', (id, text) => {
    const copy = copyFor({ id, text, type: 'error' });
    expect(copy).not.toBe(text);
    expect(copy).not.toMatch(/exist|not setup|no account|does not belong|not registered/i);
  });

  it('a group-specific entry wins over the plain id; unknown ids keep Kratos\' text', () => {
    expect(copyFor({ id: 1040001, text: 'Sign up' }, 'password')).toBe('Create account');
    expect(copyFor({ id: 1040001, text: 'Sign up' }, 'profile')).toBe('Continue');
    expect(copyFor({ id: 9999999, text: 'Kratos says' })).toBe('Kratos says');
  });
});
