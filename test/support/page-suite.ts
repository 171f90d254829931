import { createHash, randomBytes } from 'node:crypto';

// What the browser suites that walk the login domain's pages share (accessibility.test.ts,
// languages.test.ts): a cheap Kratos hasher, a lockout that trips fast and lasts through the
// suite, and an app's authorization request.

/** bcrypt at its lowest cost: these suites test pages, not hashing. */
export const FAST_HASHING = { hashers: { bcrypt: { cost: 4 } } };

/** Wrong passwords that lock an identifier from one browser. */
export const LOCK_THRESHOLD = 3;

/** Lockouts that last through the suite, and an IP budget its deliberate failures stay under. */
export const SHORT_LOCKOUT_GUARD = {
  lockout: {
    threshold: LOCK_THRESHOLD,
    windowMs: 600_000,
    durationMs: 600_000,
    growthFactor: 2,
    maxDurationMs: 1_200_000,
    resetMs: 600_000,
    identifierThreshold: 50,
    identifierWindowMs: 600_000,
    identifierDurationMs: 600_000,
    identifierMaxDurationMs: 1_200_000,
  },
  ip: { burst: 500, perMinute: 600, failureThreshold: 100, failureWindowMs: 60_000, banMs: 30_000 },
};

/** An authorization request as a client app sends it (PKCE S256, state, nonce); the browser never reaches the callback. */
export function authorizationUrl(hubUrl: string, clientId: string, redirectUri: string, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams({
    client_id: clientId,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: 'openid email profile',
    code_challenge: createHash('sha256').update(randomBytes(32).toString('base64url')).digest('base64url'),
    code_challenge_method: 'S256',
    state: randomBytes(12).toString('base64url'),
    nonce: randomBytes(12).toString('base64url'),
    ...extra,
  });
  return `${hubUrl}/oidc/auth?${params}`;
}
