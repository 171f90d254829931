import { describe, expect, it } from 'vitest';
import { currentBridgeFacts, withRequestScope } from '../adapter/request-scope.ts';
import { loginResult } from '../interactions/login-facts.ts';
import { identitySeenThisRequest } from './identity-seen-this-request.ts';

const ada = { id: 'ada-id', state: 'active', traits: { email: 'ada@example.test' } } as never as { id: string };
const login = { accountId: 'ada-id', acr: 'aal1', amr: ['pwd'], ts: 1 };
/** A resume's interaction result, as the login interaction writes it, Kratos asked `ageMs` ago. */
function resumeResult(ageMs: number, session: Partial<{ expires_at: string; identity: { id: string } }> = {}) {
  const result = loginResult(login, { id: 'ks-1', identity: ada as never, ...session } as never);
  (result.ssohub as { verifiedAt: number }).verifiedAt = Date.now() - ageMs;
  return result;
}

describe('identitySeenThisRequest', () => {
  it('takes the identity the /auth re-check recorded on this request, for its own subject only', async () => {
    await withRequestScope(async () => {
      currentBridgeFacts()!.kratos = { kind: 'bound', identity: ada as never };
      expect(identitySeenThisRequest(undefined, 'ada-id')).toBe(ada);
      expect(identitySeenThisRequest(undefined, 'someone-else')).toBeUndefined();
    });
  });

  it('takes the login interaction result at the resume while it is under 60 s old', async () => {
    await withRequestScope(async () => {
      expect(identitySeenThisRequest(resumeResult(5_000), 'ada-id')).toEqual(ada);
      expect(identitySeenThisRequest(resumeResult(61_000), 'ada-id')).toBeUndefined();
    });
  });

  it('never reuses a result without a time, of another subject, or past the Kratos session', async () => {
    await withRequestScope(async () => {
      const untimed = resumeResult(0);
      delete (untimed.ssohub as { verifiedAt?: number }).verifiedAt;
      expect(identitySeenThisRequest(untimed, 'ada-id')).toBeUndefined();
      expect(identitySeenThisRequest(resumeResult(0), 'bob-id')).toBeUndefined();
      const expired = new Date(Date.now() - 1_000).toISOString();
      expect(identitySeenThisRequest(resumeResult(0, { expires_at: expired }), 'ada-id')).toBeUndefined();
    });
  });

  it('has nothing to offer outside a bridge request, on one that saw no Kratos answer, or with the shortcuts off', async () => {
    expect(identitySeenThisRequest(resumeResult(0), 'ada-id')).toBeUndefined();
    await withRequestScope(async () => {
      expect(identitySeenThisRequest(undefined, 'ada-id')).toBeUndefined();
      expect(identitySeenThisRequest({}, 'ada-id')).toBeUndefined();
    });
    await withRequestScope(
      async () => {
        currentBridgeFacts()!.kratos = { kind: 'bound', identity: ada as never };
        expect(identitySeenThisRequest(resumeResult(0), 'ada-id')).toBeUndefined();
      },
      { shortcuts: false },
    );
  });
});
