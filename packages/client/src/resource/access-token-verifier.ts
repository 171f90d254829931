import { createHash } from 'node:crypto';
import * as oidc from 'openid-client';
import { introspectionConfiguration, type SsoClient } from '../create-sso-client.ts';
import { SsoClientError } from '../errors.ts';
import type { HandlerResponse } from '../logout/handle-backchannel-logout.ts';

/**
 * VerifiedAccessToken is what an app's API learns about a bearer token it accepted: an active
 * access token the hub issued to THIS app, for `sub`.
 *
 * @example
 * ```ts
 * const token = await verifier.verify(bearer);
 * if (!token.scopes.includes('orders:read')) return reply.code(403).send();
 * ```
 */
export interface VerifiedAccessToken {
  /** The user the token was issued for. */
  sub: string;
  /** This app's client_id (the token was issued to it). */
  clientId: string;
  /** The granted scopes (`scope`, split on spaces). */
  scopes: string[];
  /** When the token expires, in seconds since the epoch. */
  exp: number;
  /** The hub session the token belongs to, when the hub reports it. */
  sid?: string;
  /** The hub's whole introspection answer (RFC 7662), for members the SDK does not name. */
  introspection: Readonly<oidc.IntrospectionResponse>;
}

/**
 * Options of {@link createAccessTokenVerifier}, {@link ssoApiFastify} and {@link ssoApiExpress}.
 * Times are in seconds, like the rest of `SsoClientOptions`.
 *
 * @example
 * ```ts
 * const verifier = createAccessTokenVerifier(client, { timeout: 2, cacheTtl: 10 });
 * ```
 */
export interface AccessTokenVerifierOptions {
  /** How long to wait for the hub's introspection endpoint before answering 503. Default 5. */
  timeout?: number;
  /**
   * How long an accepted token's introspection answer is reused, never beyond the token's `exp`.
   * Revocation (logout at the hub) reaches the API at most this late. 0 turns caching off. Default 5.
   */
  cacheTtl?: number;
  /** How long a refused token's answer is reused (it is not asked again meanwhile). 0 turns it off. Default 2. */
  refusalCacheTtl?: number;
  /** Most answers kept in memory; the oldest is dropped first. Default 10000. */
  cacheMaxEntries?: number;
}

/**
 * The outcome of {@link AccessTokenVerifier.check}: the verified token, or the HTTP answer to
 * send (401 with `WWW-Authenticate: Bearer …`, or 503 when the hub cannot be asked).
 */
export type BearerCheck = { ok: true; token: VerifiedAccessToken } | { ok: false; error: SsoClientError; response: HandlerResponse };

/**
 * AccessTokenVerifier checks bearer tokens at an app's own API against the hub. Build it once per
 * app with {@link createAccessTokenVerifier}; its cache lives as long as it does.
 *
 * @example
 * ```ts
 * const result = await verifier.check(req.headers.authorization);
 * if (!result.ok) return send(result.response); // 401 or 503, headers and JSON body included
 * handle(result.token.sub);
 * ```
 */
export interface AccessTokenVerifier {
  /**
   * Verifies one token. Resolves with the verified token, or rejects with an `SsoClientError`:
   * `SSOHUB_CLIENT_ERR_ACCESS_TOKEN_INVALID` (status 401) for a token this API must refuse,
   * `SSOHUB_CLIENT_ERR_INTROSPECTION_UNAVAILABLE` (status 503) when the hub could not be asked.
   */
  verify(token: string): Promise<VerifiedAccessToken>;
  /** Verifies the bearer token of an `Authorization` header and says what to answer when it fails. Never rejects for a bad token or an unreachable hub. */
  check(authorization: string | string[] | undefined): Promise<BearerCheck>;
  /** Forgets every cached answer (e.g. after the app learns of a logout). */
  clearCache(): void;
}

/** The hub's answer about one token, as remembered: accepted, or refused with the reason. */
type Verdict = { token: VerifiedAccessToken } | { refused: string };

const DEFAULTS = { timeout: 5, cacheTtl: 5, refusalCacheTtl: 2, cacheMaxEntries: 10_000 };
/** RFC 6750 b64token, and a sane upper bound: anything else is refused without asking the hub. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const MAX_TOKEN_LENGTH = 4096;
/** OAuth errors at the introspection endpoint that are about THIS app's credentials, not the caller's token. */
const CLIENT_PROBLEMS = new Set(['invalid_client', 'unauthorized_client']);

function checkNumber(name: string, value: unknown, fallback: number, { integer = false, positive = false } = {}): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (positive && value === 0) || (integer && !Number.isInteger(value))) {
    throw new TypeError(`AccessTokenVerifierOptions.${name} must be a ${positive ? 'positive' : 'non-negative'} ${integer ? 'integer' : 'number of seconds'}`);
  }
  return value;
}

/**
 * createAccessTokenVerifier builds the resource-server check of an app's own API: it accepts only
 * **access tokens the hub issued to this app**. Each token is introspected (RFC 7662) with the
 * app's own client credentials and must be `active`, have `token_type` Bearer (refresh tokens
 * have none at the hub, so they are refused), carry this app's `client_id` (and `aud`, when
 * present), the hub's `iss`, a subject, and an `exp` in the future. ID tokens and other JWTs are
 * refused (the hub answers `unsupported_token_type`, which is the caller's fault, never an outage).
 *
 * Answers are cached briefly in memory (`cacheTtl`, never beyond the token's `exp`; refusals for
 * `refusalCacheTtl`), keyed by the token's SHA-256; concurrent checks of one token share one call.
 * A hub that cannot be reached, times out (`timeout`), answers 5xx or refuses the app's own
 * credentials yields 503 (`SSOHUB_CLIENT_ERR_INTROSPECTION_UNAVAILABLE`), never a 401, and is not
 * cached. The app must be a confidential client (a secret or a private key).
 *
 * @example
 * ```ts
 * const client = await createSsoClient(options);
 * const verifier = createAccessTokenVerifier(client);
 * // any framework:
 * const result = await verifier.check(request.headers.authorization);
 * if (!result.ok) return respond(result.response.status, result.response.headers, result.response.body);
 * respond(200, {}, JSON.stringify({ sub: result.token.sub }));
 * ```
 */
export function createAccessTokenVerifier(client: SsoClient, options: AccessTokenVerifierOptions = {}): AccessTokenVerifier {
  if (!client || typeof client.loadSession !== 'function') throw new TypeError('createAccessTokenVerifier(client): client must be an SsoClient from createSsoClient');
  const timeout = checkNumber('timeout', options.timeout, DEFAULTS.timeout, { positive: true });
  const cacheTtl = checkNumber('cacheTtl', options.cacheTtl, DEFAULTS.cacheTtl) * 1000;
  const refusalCacheTtl = checkNumber('refusalCacheTtl', options.refusalCacheTtl, DEFAULTS.refusalCacheTtl) * 1000;
  const maxEntries = checkNumber('cacheMaxEntries', options.cacheMaxEntries, DEFAULTS.cacheMaxEntries, { integer: true, positive: true });
  const clientId = client.options.clientId;
  if (client.options.tokenEndpointAuthMethod === 'none') {
    throw new SsoClientError('SSOHUB_CLIENT_ERR_INVALID_OPTIONS', `client "${clientId}" is public (tokenEndpointAuthMethod none): only a confidential client can introspect the tokens its API receives`);
  }
  const setup = introspectionConfiguration(client, timeout);
  if (!setup) throw new TypeError('createAccessTokenVerifier(client): client must be an SsoClient from createSsoClient');
  const { configuration, issuer } = setup;
  if (!configuration.serverMetadata().introspection_endpoint) {
    throw new SsoClientError('SSOHUB_CLIENT_ERR_DISCOVERY', `the hub at ${issuer} publishes no introspection_endpoint`, { status: 500, expose: false });
  }

  const cache = new Map<string, { until: number; verdict: Verdict }>();
  const pending = new Map<string, Promise<Verdict>>();

  const remember = (key: string, verdict: Verdict) => {
    const now = Date.now();
    const until = 'token' in verdict ? Math.min(now + cacheTtl, verdict.token.exp * 1000) : now + refusalCacheTtl;
    if (until <= now) return;
    cache.delete(key);
    while (cache.size >= maxEntries) {
      const oldest = cache.keys().next().value;
      if (oldest === undefined) break;
      cache.delete(oldest);
    }
    cache.set(key, { until, verdict });
  };

  const judge = (info: oidc.IntrospectionResponse): Verdict => {
    const refuse = (why: string): Verdict => ({ refused: why });
    if (info.active !== true) return refuse('not active');
    // oidc-provider answers token_type "Bearer" (or "DPoP") for access tokens and none for refresh tokens.
    if (typeof info.token_type !== 'string') return refuse('not an access token');
    if (info.token_type.toLowerCase() !== 'bearer') return refuse(`token_type ${info.token_type} is not a bearer access token`);
    if (info.cnf !== undefined) return refuse('sender-constrained tokens are not accepted here');
    if (info.client_id !== clientId) return refuse('issued to another client');
    const aud = info.aud === undefined ? [] : Array.isArray(info.aud) ? info.aud : [info.aud];
    if (aud.length > 0 && !aud.includes(clientId)) return refuse('audience is another client');
    if (info.iss !== undefined && info.iss !== issuer) return refuse('issued by another issuer');
    if (typeof info.sub !== 'string' || info.sub === '') return refuse('no subject');
    if (typeof info.exp !== 'number') return refuse('no expiry');
    if (info.exp * 1000 <= Date.now()) return refuse('expired');
    return {
      token: {
        sub: info.sub,
        clientId,
        scopes: typeof info.scope === 'string' ? info.scope.split(' ').filter(Boolean) : [],
        exp: info.exp,
        ...(typeof info.sid === 'string' ? { sid: info.sid } : {}),
        introspection: info,
      },
    };
  };

  const introspect = async (token: string): Promise<Verdict> => {
    let info: oidc.IntrospectionResponse;
    try {
      info = await oidc.tokenIntrospection(configuration, token, { token_type_hint: 'access_token' });
    } catch (err) {
      // An OAuth error about the token (unsupported_token_type for a JWT, invalid_request...) is
      // the caller's problem: 401. Everything else (network, timeout, 5xx, 429, a non-JSON answer,
      // this app's own credentials refused) means the token could not be checked: 503.
      if (err instanceof oidc.ResponseBodyError && err.status >= 400 && err.status < 500 && err.status !== 429 && !CLIENT_PROBLEMS.has(err.error)) {
        return { refused: `the hub refused it (${err.error})` };
      }
      throw new SsoClientError('SSOHUB_CLIENT_ERR_INTROSPECTION_UNAVAILABLE', 'the hub could not check the access token', { status: 503, expose: true, cause: err });
    }
    return judge(info);
  };

  const verify = async (token: string): Promise<VerifiedAccessToken> => {
    const refuse = (why: string) => new SsoClientError('SSOHUB_CLIENT_ERR_ACCESS_TOKEN_INVALID', `access token refused: ${why}`, { status: 401 });
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH || !B64TOKEN.test(token)) throw refuse('malformed');
    const key = createHash('sha256').update(token).digest('base64url');
    const cached = cache.get(key);
    let verdict: Verdict;
    if (cached && cached.until > Date.now()) {
      verdict = cached.verdict;
    } else {
      if (cached) cache.delete(key);
      let inFlight = pending.get(key);
      if (!inFlight) {
        inFlight = introspect(token).then(
          (v) => {
            pending.delete(key);
            remember(key, v);
            return v;
          },
          (err: unknown) => {
            pending.delete(key);
            throw err;
          },
        );
        pending.set(key, inFlight);
      }
      verdict = await inFlight;
    }
    if ('refused' in verdict) throw refuse(verdict.refused);
    if (verdict.token.exp * 1000 <= Date.now()) throw refuse('expired');
    return verdict.token;
  };

  return {
    verify,
    async check(authorization) {
      const header = Array.isArray(authorization) ? authorization : authorization === undefined || authorization === '' ? [] : [authorization];
      if (header.length === 0) {
        const error = new SsoClientError('SSOHUB_CLIENT_ERR_ACCESS_TOKEN_INVALID', 'a bearer access token is required', { status: 401 });
        return { ok: false, error, response: bearerErrorResponse(error, { challenge: 'Bearer' }) };
      }
      const match = header.length === 1 ? /^Bearer +(\S+) *$/i.exec(header[0]!) : null;
      try {
        if (!match) throw new SsoClientError('SSOHUB_CLIENT_ERR_ACCESS_TOKEN_INVALID', 'the Authorization header is not one bearer token', { status: 401 });
        return { ok: true, token: await verify(match[1]!) };
      } catch (err) {
        if (!(err instanceof SsoClientError)) throw err;
        return { ok: false, error: err, response: bearerErrorResponse(err) };
      }
    },
    clearCache() {
      cache.clear();
    },
  };
}

/**
 * bearerErrorResponse is the answer an API sends for a failed bearer check: 401 with
 * `WWW-Authenticate: Bearer error="invalid_token"` and `{ error: 'invalid_token' }` for a refused
 * token (RFC 6750), 503 with `{ error: 'temporarily_unavailable' }` when the hub could not be
 * asked. JSON, `cache-control: no-store`; never the token.
 *
 * @example
 * ```ts
 * const { status, headers, body } = bearerErrorResponse(err);
 * ```
 */
export function bearerErrorResponse(err: SsoClientError, { challenge = 'Bearer error="invalid_token"' }: { challenge?: string } = {}): HandlerResponse {
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };
  if (err.status === 401) {
    headers['www-authenticate'] = challenge;
    return { status: 401, headers, body: JSON.stringify({ error: 'invalid_token', error_description: err.message }) };
  }
  return { status: err.status, headers, body: JSON.stringify({ error: err.status === 503 ? 'temporarily_unavailable' : 'server_error', error_description: err.expose ? err.message : 'the access token could not be checked' }) };
}
