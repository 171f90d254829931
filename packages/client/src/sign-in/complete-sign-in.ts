import * as oidc from 'openid-client';
import { type ClientContext, nowSeconds } from '../client-context.ts';
import { SsoClientError } from '../errors.ts';
import { buildCookie, readCookie } from '../session/session-cookie.ts';
import { newSessionSecret, sessionIdFor } from '../session/session-id.ts';
import type { SessionClaims, SessionRecord, SessionTokens, SsoSession } from '../session/session-record.ts';
import { inStep, spanContextOf } from '../tracing/client-spans.ts';
import { openTransaction, peekTraceparent, TRANSACTION_TTL } from './transaction-cookie.ts';

/** SignInResult is the new local session, where to send the browser, and the cookies to set. */
export interface SignInResult {
  session: SsoSession;
  /** The checked same-origin path the sign-in started from. */
  returnTo: string;
  /** Set-Cookie header values: the new session cookie and the cleared transaction cookie. */
  setCookies: string[];
}

/**
 * completeSignIn handles the callback: the pending transaction (signed cookie), `state`, `iss`
 * (RFC 9207), one use per callback, then the code exchange with PKCE and the ID token checks
 * (nonce, audience, expiry) in openid-client, then a NEW session with a new random id.
 *
 * The callback URL is rebuilt from the configured redirect URI with only the query of the
 * incoming request, never from a Host header. Adapters clear the transaction cookie whatever
 * the outcome.
 */
export async function completeSignIn(ctx: ClientContext, callbackUrl: string | URL, cookieHeader: string | undefined): Promise<SignInResult> {
  // The callback's span continues the sign-in's trace (its traceparent rode in the transaction
  // cookie), so the app's redirect, the hub's pages and Kratos, and this exchange are one trace.
  const sealed = readCookie(cookieHeader, ctx.transactionCookie);
  const parent = sealed ? spanContextOf(peekTraceparent(sealed)) : undefined;
  return inStep('ssohub.callback', { attributes: { 'ssohub.client_id': ctx.options.clientId }, ...(parent ? { parent } : {}) }, () =>
    completeSignInStep(ctx, callbackUrl, cookieHeader),
  );
}

async function completeSignInStep(ctx: ClientContext, callbackUrl: string | URL, cookieHeader: string | undefined): Promise<SignInResult> {
  const { options } = ctx;
  const incoming = new URL(callbackUrl, options.baseUrl);
  const url = new URL(options.redirectUri);
  url.search = incoming.search;
  const params = url.searchParams;
  const fail = (code: SsoClientError['code'], message: string, cause?: unknown) => new SsoClientError(code, message, { status: 400, cause });

  const sealed = readCookie(cookieHeader, ctx.transactionCookie);
  if (!sealed) throw fail('SSOHUB_CLIENT_ERR_NO_PENDING_SIGN_IN', 'no sign-in is in progress in this browser (it may have completed already or taken longer than 10 minutes); start again');
  const tx = openTransaction(sealed, options.secrets, options.clientId);

  if (params.get('state') !== tx.state) throw fail('SSOHUB_CLIENT_ERR_STATE_MISMATCH', 'the callback state does not match the sign-in in progress');
  const iss = params.get('iss');
  if (iss !== null ? iss !== ctx.issuer : ctx.config.serverMetadata().authorization_response_iss_parameter_supported === true) {
    throw fail('SSOHUB_CLIENT_ERR_ISSUER_MISMATCH', 'the callback did not come from the configured hub (iss)');
  }
  const error = params.get('error');
  if (error !== null) {
    // The error code is a protocol token (e.g. access_denied); the description comes from the
    // hub, so it is not echoed to the user.
    if (error === 'unmet_authentication_requirements') {
      // The page asked for a second factor the account does not have yet: say where to add one.
      const settings = new URL('/settings', ctx.issuer).href;
      throw fail('SSOHUB_CLIENT_ERR_AUTHORIZATION_ERROR', `this page needs a second factor: set up an authenticator app at ${settings}, then try again`);
    }
    throw fail('SSOHUB_CLIENT_ERR_AUTHORIZATION_ERROR', `the hub refused the sign-in: ${/^[\w.-]{1,64}$/.test(error) ? error : 'error'}`);
  }
  // A callback works once: the transaction cookie is cleared by the response, and this marker
  // catches a replay that still carries the old cookie before the code even reaches the hub.
  if (!(await options.store.claim(`callback:${tx.state}`, TRANSACTION_TTL))) {
    throw fail('SSOHUB_CLIENT_ERR_CALLBACK_REPLAYED', 'this sign-in callback was already used; start again');
  }

  let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
  try {
    tokens = await oidc.authorizationCodeGrant(ctx.config, url, {
      pkceCodeVerifier: tx.codeVerifier,
      expectedState: tx.state,
      expectedNonce: tx.nonce,
      idTokenExpected: true,
    });
  } catch (cause) {
    if (cause instanceof oidc.ResponseBodyError) throw fail('SSOHUB_CLIENT_ERR_CODE_REJECTED', `the hub refused the authorization code (${cause.error})`, cause);
    if (cause instanceof oidc.ClientError && /JWT|ID_TOKEN|CLAIM|TIMESTAMP/i.test(cause.code ?? '')) {
      throw fail('SSOHUB_CLIENT_ERR_ID_TOKEN_INVALID', 'the ID token failed verification', cause);
    }
    throw new SsoClientError('SSOHUB_CLIENT_ERR_CODE_REJECTED', 'the code exchange with the hub failed', { status: 502, expose: true, cause });
  }

  const idClaims = tokens.claims();
  if (!idClaims || !tokens.id_token) throw fail('SSOHUB_CLIENT_ERR_ID_TOKEN_INVALID', 'the hub returned no ID token');
  let claims = pickClaims(idClaims);
  // Providers that follow OIDC Core §5.4 strictly put scope claims (email, name) only in
  // userinfo when an access token is issued; fetch them once, here, never per request.
  const userinfo = ctx.config.serverMetadata().userinfo_endpoint;
  if (userinfo && (claims.email === undefined || claims.name === undefined) && options.scopes.some((s) => s === 'email' || s === 'profile')) {
    try {
      const info = await oidc.fetchUserInfo(ctx.config, tokens.access_token, claims.sub);
      claims = { ...pickClaims({ ...info, iss: '', aud: '', iat: 0, exp: 0 } as unknown as oidc.IDToken), ...claims };
    } catch (cause) {
      options.warn(`ssohub WARNING: userinfo for client "${options.clientId}" failed (${cause instanceof Error ? cause.message : 'error'}); session has ID token claims only`);
    }
  }
  if (tx.acrValues && rank(ctx, claims.acr) < rank(ctx, tx.acrValues)) {
    // Without this, a guard asking for aal2 would send the browser round in circles.
    throw new SsoClientError('SSOHUB_CLIENT_ERR_AUTHORIZATION_ERROR', `the hub did not reach the requested authentication level ${tx.acrValues}`, { status: 403 });
  }

  // Replace, never reuse, any session this browser had (fixation; step-up gets a fresh id too).
  const previous = readCookie(cookieHeader, ctx.sessionCookie);
  if (previous) await options.store.destroy(sessionIdFor(previous));

  const now = nowSeconds();
  const secret = newSessionSecret();
  const record: SessionRecord = {
    id: sessionIdFor(secret),
    clientId: options.clientId,
    ...(typeof idClaims['sid'] === 'string' ? { sid: idClaims['sid'] } : {}),
    claims,
    tokens: tokensOf(tokens, tokens.id_token),
    createdAt: now,
    expiresAt: now + options.absoluteTimeout,
    version: 1,
  };
  const ttl = Math.min(options.idleTimeout, options.absoluteTimeout);
  await options.store.set(record, ttl);
  return {
    session: { ...record, idleExpiresAt: now + ttl },
    returnTo: tx.returnTo,
    setCookies: [
      buildCookie(ctx.sessionCookie, secret, options.absoluteTimeout, options.secureCookies),
      buildCookie(ctx.transactionCookie, '', 0, options.secureCookies),
    ],
  };
}

/** rank places an acr in `acrLevels`; unknown or missing ranks below every level. */
export function rank(ctx: ClientContext, acr: string | undefined): number {
  return acr === undefined ? -1 : ctx.options.acrLevels.indexOf(acr);
}

/** pickClaims keeps the identity facts a session needs, nothing else from the ID token. */
export function pickClaims(c: oidc.IDToken): SessionClaims {
  const claims: SessionClaims = { sub: c.sub };
  if (typeof c['email'] === 'string') claims.email = c['email'];
  if (typeof c['email_verified'] === 'boolean') claims.email_verified = c['email_verified'];
  if (typeof c['name'] === 'string') claims.name = c['name'];
  if (typeof c.acr === 'string') claims.acr = c.acr;
  if (Array.isArray(c.amr)) claims.amr = c.amr.filter((m): m is string => typeof m === 'string');
  if (typeof c.auth_time === 'number') claims.auth_time = c.auth_time;
  return claims;
}

/** tokensOf maps a token endpoint response to what the session keeps. */
export function tokensOf(t: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers, idToken: string, refreshToken?: string): SessionTokens {
  const expiresIn = t.expiresIn();
  const tokens: SessionTokens = { accessToken: t.access_token, tokenType: t.token_type, idToken };
  if (expiresIn !== undefined) tokens.accessTokenExpiresAt = nowSeconds() + expiresIn;
  const refresh = t.refresh_token ?? refreshToken;
  if (refresh) tokens.refreshToken = refresh;
  if (t.scope) tokens.scope = t.scope;
  return tokens;
}
