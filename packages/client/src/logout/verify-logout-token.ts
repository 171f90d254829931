import { errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { SsoClientError } from '../errors.ts';

/** The `events` member every back-channel logout token must carry (OIDC Back-Channel Logout 1.0 §2.4). */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** LogoutTokenChecks are the expectations a logout token is held to. */
export interface LogoutTokenChecks {
  issuer: string;
  clientId: string;
  /** Accepted signature algorithms (never `none`). */
  algorithms: string[];
  /** Oldest accepted `iat`, seconds. */
  maxAge: number;
  clockTolerance: number;
}

/** VerifiedLogoutToken is what a valid logout token says about which sessions end. */
export interface VerifiedLogoutToken {
  jti: string;
  sid?: string;
  sub?: string;
  /** Seconds since the epoch after which the token would have expired; bounds the jti record. */
  expiresAt: number;
}

/**
 * verifyLogoutToken checks a logout token as OIDC Back-Channel Logout 1.0 §2.6 says: a JWS
 * signed by the hub (key from its JWKS), `typ` `logout+jwt`, `iss`, `aud` = this client, `iat`
 * recent, `exp` if present, `jti` present, `events` holding the back-channel-logout member as an
 * object, `sid` or `sub` present, and `nonce` absent (so an ID token can never pass as a logout
 * token). Replay of the `jti` is the caller's job, since it needs the store.
 *
 * @example
 * ```ts
 * const { sid, sub, jti } = await verifyLogoutToken(token, jwks, { issuer, clientId, algorithms: ['RS256'], maxAge: 120, clockTolerance: 5 });
 * ```
 */
export async function verifyLogoutToken(token: string, keys: JWTVerifyGetKey, checks: LogoutTokenChecks): Promise<VerifiedLogoutToken> {
  const invalid = (message: string, cause?: unknown) =>
    new SsoClientError('SSOHUB_CLIENT_ERR_LOGOUT_TOKEN_INVALID', `logout token refused: ${message}`, { status: 400, cause });
  if (typeof token !== 'string' || token.split('.').length !== 3) throw invalid('not a signed JWT');
  let payload: JWTPayload;
  // A JWKS that cannot be fetched (hub down, 5xx, timeout) says nothing about the token: it may
  // well be valid, so the hub must retry (503) rather than be told the token is bad (400).
  let keysUnavailable: unknown;
  const getKey: JWTVerifyGetKey = async (header, jws) => {
    try {
      return await keys(header, jws);
    } catch (cause) {
      if (!(cause instanceof errors.JOSEError) || cause instanceof errors.JWKSTimeout || cause instanceof errors.JWKSInvalid || cause.code === 'ERR_JOSE_GENERIC') keysUnavailable = cause;
      throw cause;
    }
  };
  try {
    ({ payload } = await jwtVerify(token, getKey, {
      issuer: checks.issuer,
      audience: checks.clientId,
      typ: 'logout+jwt',
      algorithms: checks.algorithms,
      maxTokenAge: checks.maxAge,
      clockTolerance: checks.clockTolerance,
      requiredClaims: ['iat', 'jti', 'events'],
    }));
  } catch (cause) {
    if (keysUnavailable !== undefined) {
      throw new SsoClientError('SSOHUB_CLIENT_ERR_HUB_KEYS_UNAVAILABLE', "logout token not verified: the hub's keys (JWKS) could not be fetched; retry later", {
        status: 503,
        cause: keysUnavailable,
      });
    }
    if (cause instanceof errors.JWTClaimValidationFailed) throw invalid(`claim "${cause.claim}" ${cause.reason}`, cause);
    if (cause instanceof errors.JWTExpired) throw invalid('expired', cause);
    if (cause instanceof errors.JWSSignatureVerificationFailed || cause instanceof errors.JWKSNoMatchingKey) throw invalid('signature does not verify with the hub keys', cause);
    throw invalid(cause instanceof Error ? cause.message : 'unverifiable', cause);
  }
  const events = payload['events'];
  const event = events && typeof events === 'object' ? (events as Record<string, unknown>)[BACKCHANNEL_LOGOUT_EVENT] : undefined;
  if (!event || typeof event !== 'object' || Array.isArray(event)) throw invalid(`events must contain ${BACKCHANNEL_LOGOUT_EVENT} as an object`);
  if ('nonce' in payload) throw invalid('nonce must be absent');
  const sid = typeof payload['sid'] === 'string' && payload['sid'] !== '' ? payload['sid'] : undefined;
  const sub = typeof payload.sub === 'string' && payload.sub !== '' ? payload.sub : undefined;
  if (!sid && !sub) throw invalid('sid or sub must be present');
  if (typeof payload.jti !== 'string' || payload.jti === '') throw invalid('jti must be a non-empty string');
  const expiresAt = typeof payload.exp === 'number' ? payload.exp : (payload.iat ?? 0) + checks.maxAge;
  return { jti: payload.jti, ...(sid ? { sid } : {}), ...(sub ? { sub } : {}), expiresAt };
}
