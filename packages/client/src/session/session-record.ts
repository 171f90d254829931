/**
 * SessionClaims are the identity facts copied from the ID token at sign-in. Only these reach the
 * session record: the app asks for a fresh ID token (sign in again) when it needs more.
 */
export interface SessionClaims {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
  /** Authentication context class, e.g. `aal1` or `aal2` (Kratos AAL). */
  acr?: string;
  amr?: string[];
  /** Seconds since the epoch when the user last authenticated at the hub. */
  auth_time?: number;
}

/** SessionTokens are kept server side only; they never reach a cookie. */
export interface SessionTokens {
  accessToken: string;
  tokenType: string;
  /** Seconds since the epoch; absent when the hub did not say. */
  accessTokenExpiresAt?: number;
  refreshToken?: string;
  idToken: string;
  scope?: string;
}

/**
 * SessionRecord is one local session of one client app, as the store keeps it.
 *
 * @example
 * ```ts
 * const session = await client.loadSession(request.headers.cookie);
 * if (session) console.log(session.claims.sub, session.sid, new Date(session.expiresAt * 1000));
 * ```
 */
export interface SessionRecord {
  /**
   * The store key of the session: a SHA-256 digest of the secret cookie value, so reading the
   * store never yields a usable cookie.
   */
  id: string;
  clientId: string;
  /** The hub's session id for this client (OIDC `sid`), the key of back-channel logout. */
  sid?: string;
  claims: SessionClaims;
  tokens: SessionTokens;
  /** Seconds since the epoch. */
  createdAt: number;
  /** Absolute end of the session, seconds since the epoch. */
  expiresAt: number;
  /** Bumped on every write that changes tokens, so concurrent refreshes can be detected. */
  version: number;
}

/**
 * SsoSession is a session as a request sees it: the stored record plus when it will end if the
 * user stays idle (idle time is enforced by the store TTL, so it is not part of the record).
 *
 * @example
 * ```ts
 * const session: SsoSession | undefined = request.ssoSession ?? undefined;
 * ```
 */
export interface SsoSession extends SessionRecord {
  /** Seconds since the epoch when the session ends without further requests. */
  idleExpiresAt: number;
}
