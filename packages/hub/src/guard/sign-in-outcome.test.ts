import { describe, expect, it } from 'vitest';
import type { KratosAnswer, Submission } from '../proxy/submission-guard.ts';
import { SIGN_IN_METHODS, signInMethodOf, signInOutcome } from './sign-in-outcome.ts';

const HUB = 'https://login.example.test';
const login = (fields: Record<string, string>, kind: Submission['kind'] = 'login'): Submission => ({ kind, flowId: 'f1', ip: '192.0.2.1', fields });
const answer = (status: number, setSession: boolean, location?: string): KratosAnswer => ({ status, setSession, location });

describe('the sign-in a login submission attempts', () => {
  it('names each method by the credential it carries', () => {
    expect(signInMethodOf(login({ method: 'password', identifier: 'ada@x.test', password: 'pw' }))).toBe('password');
    expect(signInMethodOf(login({ method: 'password', password_identifier: 'ada@x.test', password: 'pw' }))).toBe('password');
    expect(signInMethodOf(login({ method: 'code', identifier: 'ada@x.test', code: '123456' }))).toBe('code');
    expect(signInMethodOf(login({ method: 'code', code: '123456' }))).toBe('code');
    expect(signInMethodOf(login({ method: 'passkey', passkey_login: '{"id":"c1"}' }))).toBe('passkey');
    expect(signInMethodOf(login({ method: 'webauthn', identifier: 'ada@x.test', webauthn_login: '{"id":"c1"}' }))).toBe('webauthn');
    expect(signInMethodOf(login({ method: 'totp', totp_code: '123456' }))).toBe('totp');
    expect(signInMethodOf(login({ method: 'lookup_secret', lookup_secret: 'abcd-efgh' }))).toBe('lookup_secret');
    expect(signInMethodOf(login({ method: 'oidc', provider: 'google' }))).toBe('oidc');
    expect(signInMethodOf(login({ provider: 'google' }))).toBe('oidc');
  });

  it('counts no step that tries no credential, no other flow and no method outside the fixed set', () => {
    const steps: Record<string, string>[] = [
      { method: 'password', identifier: 'ada@x.test' },
      { method: 'password', password: 'pw' },
      { method: 'code', identifier: 'ada@x.test' },
      { method: 'code', identifier: 'ada@x.test', code: '123456', resend: 'code' },
      { method: 'webauthn', identifier: 'ada@x.test' },
      { method: 'passkey', passkey_login: '' },
      { method: 'totp', totp_code: '' },
      { method: 'oidc' },
      { method: 'identifier_first', identifier: 'ada@x.test' },
      { method: 'profile', 'traits.email': 'ada@x.test' },
      { method: 'saml', provider: 'corp' },
      {},
    ];
    for (const fields of steps) {
      expect(signInMethodOf(login(fields)), JSON.stringify(fields)).toBeUndefined();
    }
    expect(signInMethodOf(login({ method: 'password', identifier: 'ada@x.test', password: 'pw' }, 'registration'))).toBeUndefined();
    expect(signInMethodOf(login({ method: 'code', code: '123456' }, 'recovery'))).toBeUndefined();
    expect(SIGN_IN_METHODS).toHaveLength(7);
  });
});

describe('how Kratos answered it', () => {
  it('is a success when Kratos set a session (a first factor, or the session raised by a second), a failure otherwise', () => {
    for (const method of SIGN_IN_METHODS) {
      expect(signInOutcome(method, answer(303, true, `${HUB}/welcome`), HUB)).toBe('success');
      expect(signInOutcome(method, answer(200, true), HUB)).toBe('success');
    }
    for (const method of SIGN_IN_METHODS.filter((m) => m !== 'oidc')) {
      expect(signInOutcome(method, answer(303, false, `${HUB}/login?flow=f1`), HUB)).toBe('failure');
      expect(signInOutcome(method, answer(400, false), HUB)).toBe('failure');
      // Even a redirect elsewhere: without a session nobody signed in.
      expect(signInOutcome(method, answer(303, false, 'https://elsewhere.test/'), HUB)).toBe('failure');
    }
  });

  it('has started an oidc sign-in when Kratos sends the browser to the upstream, and failed when back to the hub', () => {
    expect(signInOutcome('oidc', answer(303, false, 'https://accounts.upstream.test/authorize?client_id=hub&state=s'), HUB)).toBe('started');
    expect(signInOutcome('oidc', answer(422, false), HUB)).toBe('started');
    expect(signInOutcome('oidc', answer(303, false, `${HUB}/login?flow=f1`), HUB)).toBe('failure');
    expect(signInOutcome('oidc', answer(303, false, '/error?id=e1'), HUB)).toBe('failure');
    expect(signInOutcome('oidc', answer(400, false), HUB)).toBe('failure');
    expect(signInOutcome('oidc', answer(303, false, 'http://[broken'), HUB)).toBe('failure');
  });
});
