import { describe, expect, it } from 'vitest';
import type { Submission } from '../proxy/submission-guard.ts';
import { classifySubmission, hashIdentifier, maskIdentifier, normalizeIdentifier } from './classify-submission.ts';

const sub = (kind: Submission['kind'], fields: Record<string, string>): Submission => ({ kind, flowId: 'f', fields, ip: '192.0.2.1' });

describe('what a Kratos submission means to the guard', () => {
  it.each([
    ['password sign-in', sub('login', { method: 'password', identifier: ' Ada@X.test ', password: 'p' }), { type: 'signIn', identifier: 'ada@x.test', withCode: false }],
    ['password sign-in with the legacy password_identifier field', sub('login', { method: 'password', password_identifier: 'Ada@x.test', password: 'p' }), { type: 'signIn', identifier: 'ada@x.test', withCode: false }],
    ['password without a password', sub('login', { method: 'password', identifier: 'ada@x.test' }), { type: 'other' }],
    ['login code send', sub('login', { method: 'code', identifier: 'ada@x.test' }), { type: 'codeSend', address: 'ada@x.test' }],
    ['login code resend', sub('login', { method: 'code', identifier: 'ada@x.test', code: '1', resend: 'code' }), { type: 'codeSend', address: 'ada@x.test' }],
    ['login code guess', sub('login', { method: 'code', identifier: 'ada@x.test', code: '123456' }), { type: 'signIn', identifier: 'ada@x.test', withCode: true }],
    ['registration profile step', sub('registration', { method: 'profile', 'traits.email': 'a@x.test' }), { type: 'other' }],
    ['registration code send', sub('registration', { method: 'code', 'traits.email': 'A@x.test' }), { type: 'codeSend', address: 'a@x.test' }],
    ['registration code guess', sub('registration', { method: 'code', 'traits.email': 'a@x.test', code: '1' }), { type: 'codeGuess', countsForIp: true }],
    ['recovery send', sub('recovery', { method: 'code', email: 'a@x.test' }), { type: 'codeSend', address: 'a@x.test' }],
    ['verification guess', sub('verification', { method: 'code', code: '1' }), { type: 'codeGuess', countsForIp: false }],
    ['settings', sub('settings', { method: 'password', password: 'x' }), { type: 'other' }],
    ['empty', sub('login', {}), { type: 'other' }],
  ])('%s', (_name, submission, expected) => {
    expect(classifySubmission(submission)).toEqual(expected);
  });

  it('keys by a hash and logs a mask, never the identifier', () => {
    expect(normalizeIdentifier('  ÅDA@Example.TEST ')).toBe('åda@example.test');
    expect(hashIdentifier('ada@x.test')).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(hashIdentifier('ada@x.test')).not.toBe(hashIdentifier('bob@x.test'));
    expect(maskIdentifier('ada@example.test')).toBe('a***@example.test');
    expect(maskIdentifier('username')).toBe('u***e');
  });
});
