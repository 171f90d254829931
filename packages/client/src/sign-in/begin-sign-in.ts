import type { Span } from '@opentelemetry/api';
import * as oidc from 'openid-client';
import { type ClientContext, nowSeconds } from '../client-context.ts';
import { SsoClientError } from '../errors.ts';
import { buildCookie } from '../session/session-cookie.ts';
import { traceparentOf } from '../tracing/client-spans.ts';
import { checkReturnTo } from './check-return-to.ts';
import { sealTransaction, TRANSACTION_TTL } from './transaction-cookie.ts';

/** BeginSignInInput says where to land after sign-in and what to ask the hub for. */
export interface BeginSignInInput {
  /** A same-origin relative path (`/orders?id=1`); anything else is refused. Default `/`. */
  returnTo?: string;
  /** Ask for an authentication level, e.g. `aal2` (step-up). Must be one of `acrLevels`. */
  acrValues?: string;
  /** OIDC `prompt`: `login` forces re-authentication, `none` fails instead of showing UI. */
  prompt?: 'none' | 'login' | 'consent' | 'select_account';
  /** Pre-fills the identifier at the hub. */
  loginHint?: string;
  /**
   * The languages the hub's pages should speak, best first: OIDC `ui_locales`, BCP 47 tags
   * separated by spaces (at most 10). The hub uses the first it ships (en, de, fr, es) for the
   * whole sign-in, its emails included, and otherwise the browser's language.
   *
   * @example
   * ```ts
   * const start = await client.beginSignIn({ returnTo: '/orders', uiLocales: 'de-CH de en' });
   * ```
   */
  uiLocales?: string;
}

/** Space-separated BCP 47 tags (RFC 5646 shape, not registry-checked), at most 10. */
const UI_LOCALES = /^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*(?: [A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*){0,9}$/;

/** SignInStart is the redirect to send the browser on, with the transaction cookie to set. */
export interface SignInStart {
  url: URL;
  /** A Set-Cookie header value: the signed, host-only transaction cookie (10 minutes). */
  setCookie: string;
}

/** beginSignIn builds the authorization URL (state, nonce, PKCE S256) and its transaction cookie. */
export async function beginSignIn(ctx: ClientContext, input: BeginSignInInput = {}, span?: Span): Promise<SignInStart> {
  const returnTo = checkReturnTo(input.returnTo);
  if (input.acrValues !== undefined && !ctx.options.acrLevels.includes(input.acrValues)) {
    throw new SsoClientError('SSOHUB_CLIENT_ERR_AUTHORIZATION_ERROR', `acrValues must be one of ${ctx.options.acrLevels.join(', ')}`, { status: 400 });
  }
  if (input.uiLocales !== undefined && !UI_LOCALES.test(input.uiLocales)) {
    throw new SsoClientError('SSOHUB_CLIENT_ERR_AUTHORIZATION_ERROR', 'uiLocales must be language tags separated by single spaces (at most 10), e.g. "de fr en"', { status: 400 });
  }
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const parameters: Record<string, string> = {
    redirect_uri: ctx.options.redirectUri.href,
    scope: ctx.options.scopes.join(' '),
    response_type: 'code',
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  };
  if (input.acrValues) parameters['acr_values'] = input.acrValues;
  if (input.prompt) parameters['prompt'] = input.prompt;
  if (input.loginHint) parameters['login_hint'] = input.loginHint;
  if (input.uiLocales) parameters['ui_locales'] = input.uiLocales;
  // When the app traces (an OpenTelemetry SDK is set up), the hub continues this sign-in's trace
  // from the authorization request, and the callback from the transaction: one trace from the
  // app's redirect to its session (tracing/client-spans.ts). A trace id is no secret.
  const traceparent = span && traceparentOf(span);
  if (traceparent) parameters['traceparent'] = traceparent;
  const url = oidc.buildAuthorizationUrl(ctx.config, parameters);
  const sealed = sealTransaction(
    {
      state,
      nonce,
      codeVerifier,
      returnTo,
      ...(input.acrValues ? { acrValues: input.acrValues } : {}),
      ...(traceparent ? { traceparent } : {}),
      expiresAt: nowSeconds() + TRANSACTION_TTL,
    },
    ctx.options.secrets,
    ctx.options.clientId,
  );
  return { url, setCookie: buildCookie(ctx.transactionCookie, sealed, TRANSACTION_TTL, ctx.options.secureCookies) };
}
