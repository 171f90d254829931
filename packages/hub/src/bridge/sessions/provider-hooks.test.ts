import { describe, expect, it } from 'vitest';
import { identitySeenThisRequest, KRATOS_IDENTITY_THIS_REQUEST } from './provider-hooks.ts';

const ada = { id: 'ada-id', state: 'active', traits: { email: 'ada@example.test' } };
const resumeCtx = (ssohub: Record<string, unknown>) => ({ state: {}, oidc: { result: { login: { accountId: 'ada-id' }, ssohub } } });

describe('identitySeenThisRequest', () => {
  it('takes the identity the /auth re-check left on this request, for its own subject only', () => {
    const ctx = { state: { [KRATOS_IDENTITY_THIS_REQUEST]: ada } };
    expect(identitySeenThisRequest(ctx, 'ada-id')).toBe(ada);
    expect(identitySeenThisRequest(ctx, 'someone-else')).toBeUndefined();
  });

  it('takes the login interaction result at the resume while it is under 60 s old', () => {
    expect(identitySeenThisRequest(resumeCtx({ identity: ada, verifiedAt: Date.now() - 5_000 }), 'ada-id')).toBe(ada);
    expect(identitySeenThisRequest(resumeCtx({ identity: ada, verifiedAt: Date.now() - 61_000 }), 'ada-id')).toBeUndefined();
  });

  it('never reuses a result without a time, of another subject, or past the Kratos session', () => {
    expect(identitySeenThisRequest(resumeCtx({ identity: ada }), 'ada-id')).toBeUndefined();
    expect(identitySeenThisRequest(resumeCtx({ identity: ada, verifiedAt: Date.now() }), 'bob-id')).toBeUndefined();
    const expired = new Date(Date.now() - 1_000).toISOString();
    expect(identitySeenThisRequest(resumeCtx({ identity: ada, verifiedAt: Date.now(), sessionExpiresAt: expired }), 'ada-id')).toBeUndefined();
  });

  it('has nothing to offer on a request that saw no Kratos answer', () => {
    expect(identitySeenThisRequest({ state: {} }, 'ada-id')).toBeUndefined();
    expect(identitySeenThisRequest({}, 'ada-id')).toBeUndefined();
  });
});
