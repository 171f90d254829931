import { describe, expect, it } from 'vitest';
import type { Identity, Session } from '../../kratos/kratos-client.ts';
import { DEFAULT_CLAIMS } from '../bridge-config.ts';
import { authenticationContext, buildAccountClaims, buildScopeClaims } from './account-claims.ts';

const identity = {
  id: 'id-1',
  schema_id: 'person',
  traits: { email: 'Ada@Example.test', name: 'Ada Lovelace', org: { unit: 'R&D' } },
  verifiable_addresses: [{ id: 'a', value: 'ada@example.test', verified: true, via: 'email', status: 'completed' }],
} as unknown as Identity;

describe('buildAccountClaims', () => {
  it('releases only the claims of granted scopes, always sub', () => {
    expect(buildAccountClaims(identity, new Set(['openid']), DEFAULT_CLAIMS)).toEqual({ sub: 'id-1' });
    expect(buildAccountClaims(identity, new Set(['openid', 'email']), DEFAULT_CLAIMS)).toEqual({ sub: 'id-1', email: 'Ada@Example.test', email_verified: true });
    expect(buildAccountClaims(identity, new Set(['openid', 'profile']), DEFAULT_CLAIMS)).toEqual({ sub: 'id-1', name: 'Ada Lovelace' });
  });

  it('says email_verified=false unless Kratos verified that very address', () => {
    const unverified = { ...identity, verifiable_addresses: [{ value: 'ada@example.test', verified: false }] } as unknown as Identity;
    expect(buildAccountClaims(unverified, new Set(['email']), DEFAULT_CLAIMS).email_verified).toBe(false);
    const other = { ...identity, verifiable_addresses: [{ value: 'other@example.test', verified: true }] } as unknown as Identity;
    expect(buildAccountClaims(other, new Set(['email']), DEFAULT_CLAIMS).email_verified).toBe(false);
  });

  it('follows configured mappings into nested traits', () => {
    const mapping = [{ claim: 'department', trait: 'org.unit', scope: 'org' }];
    expect(buildAccountClaims(identity, new Set(['org']), mapping)).toEqual({ sub: 'id-1', department: 'R&D' });
    expect(buildScopeClaims(mapping)).toMatchObject({ org: ['department'], openid: ['sub', 'acr', 'amr', 'auth_time'] });
  });
});

describe('authenticationContext', () => {
  it('maps the Kratos assurance level and methods to acr, amr and auth_time', () => {
    const s = { authenticator_assurance_level: 'aal2', authenticated_at: '2026-01-01T00:00:10Z', authentication_methods: [{ method: 'password' }, { method: 'totp' }] } as unknown as Session;
    expect(authenticationContext(s)).toEqual({ acr: 'aal2', amr: ['pwd', 'otp', 'mfa'], authTime: Date.parse('2026-01-01T00:00:10Z') / 1000 });
    const code = { authenticator_assurance_level: 'aal1', authenticated_at: '2026-01-01T00:00:00Z', authentication_methods: [{ method: 'code' }] } as unknown as Session;
    expect(authenticationContext(code)).toMatchObject({ acr: 'aal1', amr: ['otp'] });
  });
});
