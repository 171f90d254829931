/**
 * SsoClientErrorCode names every error `@ssohub/client` raises on purpose. Adapters map them to
 * HTTP: 4xx codes become a plain error page (or JSON) and never a crash.
 *
 * @example
 * ```ts
 * import { SsoClientError } from '@ssohub/client';
 * try { await client.completeSignIn(url, cookieHeader); }
 * catch (err) { if (err instanceof SsoClientError && err.code === 'SSOHUB_CLIENT_ERR_NO_PENDING_SIGN_IN') { ... } }
 * ```
 */
export type SsoClientErrorCode =
  /** An option is missing or invalid; the message names the option. */
  | 'SSOHUB_CLIENT_ERR_INVALID_OPTIONS'
  /** The hub's discovery document could not be loaded at startup. */
  | 'SSOHUB_CLIENT_ERR_DISCOVERY'
  /** A callback arrived but this browser has no sign-in in progress (no transaction cookie). */
  | 'SSOHUB_CLIENT_ERR_NO_PENDING_SIGN_IN'
  /** The transaction cookie is forged, altered or expired. */
  | 'SSOHUB_CLIENT_ERR_TRANSACTION_INVALID'
  /** The `state` in the callback is not the one this browser's sign-in expects. */
  | 'SSOHUB_CLIENT_ERR_STATE_MISMATCH'
  /** The callback of an already completed sign-in was presented again. */
  | 'SSOHUB_CLIENT_ERR_CALLBACK_REPLAYED'
  /** The callback's `iss` (RFC 9207) is missing or is not the configured issuer. */
  | 'SSOHUB_CLIENT_ERR_ISSUER_MISMATCH'
  /** The hub answered the authorization request with an OAuth error (e.g. access_denied). */
  | 'SSOHUB_CLIENT_ERR_AUTHORIZATION_ERROR'
  /** The token endpoint refused the code (reused, expired, wrong PKCE verifier...). */
  | 'SSOHUB_CLIENT_ERR_CODE_REJECTED'
  /** The ID token failed a check (nonce, audience, expiry...). */
  | 'SSOHUB_CLIENT_ERR_ID_TOKEN_INVALID'
  /** A `returnTo` that is not a same-origin relative path was refused (no open redirect). */
  | 'SSOHUB_CLIENT_ERR_RETURN_TO_REFUSED'
  /** The route needs a signed-in session and the request has none. */
  | 'SSOHUB_CLIENT_ERR_SESSION_REQUIRED'
  /** A state-changing request came from another origin. */
  | 'SSOHUB_CLIENT_ERR_CROSS_ORIGIN'
  /** A back-channel logout token failed verification. */
  | 'SSOHUB_CLIENT_ERR_LOGOUT_TOKEN_INVALID'
  /** The hub's keys (JWKS) could not be fetched to verify a back-channel logout token (503: the hub should retry). */
  | 'SSOHUB_CLIENT_ERR_HUB_KEYS_UNAVAILABLE'
  /** A back-channel logout token (its `jti`) was already used. */
  | 'SSOHUB_CLIENT_ERR_LOGOUT_TOKEN_REPLAYED'
  /** Refreshing failed: the hub refused (401, the local session has been ended) or could not be reached (503, the session is kept for a later try). */
  | 'SSOHUB_CLIENT_ERR_REFRESH_FAILED'
  /** The session store failed. */
  | 'SSOHUB_CLIENT_ERR_STORE'
  /** A bearer token at the app's API is missing, inactive, not an access token, or not issued to this app (401). */
  | 'SSOHUB_CLIENT_ERR_ACCESS_TOKEN_INVALID'
  /** The hub could not be asked about a bearer token: unreachable, timed out, 5xx, or refused this app's credentials (503). */
  | 'SSOHUB_CLIENT_ERR_INTROSPECTION_UNAVAILABLE';

/**
 * SsoClientError is the one error class of `@ssohub/client`. `status` is the HTTP status an
 * adapter should answer with; `expose` says whether `message` may be shown to the user. `cause`
 * keeps the underlying failure for logs and is never rendered.
 *
 * @example
 * ```ts
 * throw new SsoClientError('SSOHUB_CLIENT_ERR_STATE_MISMATCH', 'state does not match', { status: 400 });
 * ```
 */
export class SsoClientError extends Error {
  override name = 'SsoClientError';
  readonly code: SsoClientErrorCode;
  readonly status: number;
  readonly expose: boolean;

  constructor(code: SsoClientErrorCode, message: string, options: { status?: number; expose?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status ?? 500;
    this.expose = options.expose ?? this.status < 500;
  }
}

/**
 * isSsoClientError narrows an unknown thrown value, optionally to one code.
 *
 * @example
 * ```ts
 * if (isSsoClientError(err, 'SSOHUB_CLIENT_ERR_SESSION_REQUIRED')) reply.code(401);
 * ```
 */
export function isSsoClientError(value: unknown, code?: SsoClientErrorCode): value is SsoClientError {
  return value instanceof SsoClientError && (code === undefined || value.code === code);
}
