import { describe, expect, it } from 'vitest';
import { unverifiedEmail } from './unverified-email.ts';

const claims = [
  { claim: 'email', trait: 'email', scope: 'email' },
  { claim: 'name', trait: 'name', scope: 'profile' },
];
const identity = (verified: boolean | undefined, value = 'ada@example.test') => ({
  id: 'id-1',
  traits: { email: 'Ada@Example.test', name: 'Ada' },
  verifiable_addresses: verified === undefined ? [] : [{ id: 'a', value, via: 'email', verified, status: verified ? 'completed' : 'sent' }],
});

describe('unverifiedEmail', () => {
  it('case=policy on, address unverified: names the address the app would receive', () => {
    expect(unverifiedEmail(identity(false) as never, { required: true, claims })).toBe('Ada@Example.test');
  });

  it('case=policy on, address verified (compared case-insensitively): nothing to verify', () => {
    expect(unverifiedEmail(identity(true) as never, { required: true, claims })).toBeUndefined();
  });

  it('case=policy on, no verifiable address at all (say, imported without one): must verify', () => {
    expect(unverifiedEmail(identity(undefined) as never, { required: true, claims })).toBe('Ada@Example.test');
  });

  it('case=policy on, another address verified than the one the claim carries: must verify', () => {
    expect(unverifiedEmail(identity(true, 'other@example.test') as never, { required: true, claims })).toBe('Ada@Example.test');
  });

  it('case=policy off: never asks, as before the policy', () => {
    expect(unverifiedEmail(identity(false) as never, { required: false, claims })).toBeUndefined();
  });

  it('case=no email claim mapped, or no email trait: nothing an app could see unverified', () => {
    expect(unverifiedEmail(identity(false) as never, { required: true, claims: claims.filter((c) => c.claim !== 'email') })).toBeUndefined();
    expect(unverifiedEmail({ id: 'id-2', traits: { name: 'No Mail' }, verifiable_addresses: [] } as never, { required: true, claims })).toBeUndefined();
  });

  it('case=email mapped from another trait: that trait is the one that must be verified', () => {
    const mapped = [{ claim: 'email', trait: 'contact.mail', scope: 'email' }];
    const who = { id: 'id-3', traits: { contact: { mail: 'b@example.test' } }, verifiable_addresses: [{ value: 'b@example.test', verified: false }] };
    expect(unverifiedEmail(who as never, { required: true, claims: mapped })).toBe('b@example.test');
  });
});
