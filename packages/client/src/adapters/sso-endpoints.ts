import type { SsoClient } from '../create-sso-client.ts';
import { SsoClientError } from '../errors.ts';
import { type AccessDecision, wantsHtml } from '../guard/check-access.ts';
import type { BackchannelLogoutBody, HandlerResponse } from '../logout/handle-backchannel-logout.ts';
import type { SsoRoutes } from '../options.ts';
import type { SsoSession } from '../session/session-record.ts';
import type { BeginSignInInput } from '../sign-in/begin-sign-in.ts';
import { renderError } from './render-error.ts';

// The decisions every adapter (Fastify, Express, web-standard) makes the same way live here, so a
// route behaves identically whatever framework carries it; adapters only translate requests in
// and answers out.

/** SsoRouteName names one of the SDK's own routes (paths from `SsoClientOptions.routes`). */
export type SsoRouteName = 'login' | 'callback' | 'logout' | 'globalLogout' | 'backchannelLogout';

/** SsoAnswer is a framework-neutral answer plus the Set-Cookie values to append to it. */
export interface SsoAnswer extends HandlerResponse {
  /** Set-Cookie header values, each its own header line. */
  cookies: string[];
  /** The request's session after this route: set by the callback, null after logout. */
  session?: SsoSession | null;
  /** The failure this answer reports, for the adapter's log; never sent as is. */
  error?: unknown;
  /** Back-channel logout: how many local sessions ended. */
  ended?: number;
}

/** SsoRouteInput is what a route needs from the request, whatever the framework. */
export interface SsoRouteInput {
  /** The request target: path and query (absolute URLs work too; only path and query are read). */
  url: string;
  cookie: string | undefined;
  accept: string | undefined;
  origin: string | undefined;
  secFetchSite: string | string[] | undefined;
  /** Reads the back-channel logout body (form text or an already parsed form). */
  readBody(): Promise<BackchannelLogoutBody>;
}

/** Largest back-channel logout body read; a logout token is a few kilobytes. */
export const MAX_BACKCHANNEL_BODY = 64 * 1024;

/**
 * matchSsoRoute says which SDK route a method and path are, if any. Login and callback answer GET
 * only: a HEAD (link preview, prefetch) must not start a sign-in or spend a callback's state.
 */
export function matchSsoRoute(routes: SsoRoutes, method: string, path: string): SsoRouteName | undefined {
  if (method === 'GET') {
    if (path === routes.login) return 'login';
    if (path === routes.callback) return 'callback';
    return undefined;
  }
  if (method !== 'POST') return undefined;
  if (path === routes.logout) return 'logout';
  if (path === routes.globalLogout) return 'globalLogout';
  if (path === routes.backchannelLogout) return 'backchannelLogout';
  return undefined;
}

/** redirectAnswer is a 303 to `location` that no cache keeps. */
export function redirectAnswer(location: string, cookies: string[]): SsoAnswer {
  return { status: 303, headers: { location, 'cache-control': 'no-store' }, body: '', cookies };
}

/** failureAnswer renders a failure as the SDK's error page or JSON and keeps it for the log. */
export function failureAnswer(client: SsoClient, err: unknown, accept: string | undefined, cookies: string[] = []): SsoAnswer {
  return { ...renderError(err, accept, client.options.routes.login), cookies, error: err };
}

/** clearTransactionCookie ends a sign-in transaction in the browser, whatever became of it. */
export function clearTransactionCookie(client: SsoClient): string {
  return `${client.transactionCookieName}=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax${client.options.secureCookies ? '; Secure' : ''}`;
}

/** signInInputFromQuery reads `returnTo`, `acr` and `ui_locales` of the login route's query. */
export function signInInputFromQuery(query: URLSearchParams): BeginSignInInput {
  const returnTo = query.get('returnTo');
  const acr = query.get('acr');
  const uiLocales = query.get('ui_locales');
  return { ...(returnTo ? { returnTo } : {}), ...(acr ? { acrValues: acr } : {}), ...(uiLocales !== null ? { uiLocales } : {}) };
}

/** signInAnswer starts sign-in: a 303 to the hub setting the transaction cookie, or the error page. */
export async function signInAnswer(client: SsoClient, input: BeginSignInInput, accept: string | undefined): Promise<SsoAnswer> {
  try {
    const start = await client.beginSignIn(input);
    return redirectAnswer(start.url.href, [start.setCookie]);
  } catch (err) {
    return failureAnswer(client, err, accept);
  }
}

/**
 * answerSsoRoute runs one SDK route: login (303 to the hub), callback (new session, 303 to
 * returnTo; any failure clears the transaction cookie), logout and global logout (POST from
 * this site only: `Origin`, or `Origin: null` with `Sec-Fetch-Site: same-origin`), and
 * back-channel logout. Never throws: failures become the error page or JSON.
 */
export async function answerSsoRoute(client: SsoClient, route: SsoRouteName, input: SsoRouteInput): Promise<SsoAnswer> {
  const { accept, cookie } = input;
  switch (route) {
    case 'login':
      return signInAnswer(client, signInInputFromQuery(new URL(input.url, client.options.baseUrl).searchParams), accept);
    case 'callback':
      try {
        const result = await client.completeSignIn(input.url, cookie);
        return { ...redirectAnswer(result.returnTo, result.setCookies), session: result.session };
      } catch (err) {
        // Whatever went wrong, this transaction is finished.
        return failureAnswer(client, err, accept, [clearTransactionCookie(client)]);
      }
    case 'logout':
    case 'globalLogout': {
      if (!client.isSameOrigin(input.origin, input.secFetchSite)) {
        return failureAnswer(client, new SsoClientError('SSOHUB_CLIENT_ERR_CROSS_ORIGIN', 'logout must be requested from this site', { status: 403 }), accept);
      }
      try {
        const result = route === 'globalLogout' ? await client.signOutGlobal(cookie) : await client.signOutLocal(cookie);
        return { ...redirectAnswer(result.url.href, [result.setCookie]), session: null };
      } catch (err) {
        return failureAnswer(client, err, accept);
      }
    }
    case 'backchannelLogout':
      try {
        const result = await client.handleBackchannelLogout(await input.readBody());
        return { status: result.status, headers: result.headers, body: result.body, cookies: [], ended: result.ended };
      } catch (err) {
        return failureAnswer(client, err, accept);
      }
  }
}

/**
 * refusalAnswer answers a request a route requirement refused: a browser page (GET/HEAD asking
 * for HTML) is sent to sign in and back to `returnTo` (asking for the missing level on step-up);
 * an API call gets 401 JSON, with RFC 9470's `insufficient_user_authentication` on step-up.
 */
export async function refusalAnswer(
  client: SsoClient,
  decision: Exclude<AccessDecision, { allow: true }>,
  request: { method: string; accept: string | undefined; returnTo: string },
): Promise<SsoAnswer> {
  if (wantsHtml(request.method, request.accept)) {
    return signInAnswer(client, { returnTo: request.returnTo, ...(decision.reason === 'step_up' ? { acrValues: decision.acr } : {}) }, request.accept);
  }
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };
  if (decision.reason === 'step_up') {
    headers['www-authenticate'] = `Bearer error="insufficient_user_authentication", acr_values="${decision.acr}"`;
    return { status: 401, headers, body: JSON.stringify({ error: 'insufficient_user_authentication', acr_values: decision.acr }), cookies: [] };
  }
  return { status: 401, headers, body: JSON.stringify({ error: 'session_required', login: client.options.routes.login }), cookies: [] };
}

/** checkRequirementAcr refuses, at setup, a requirement naming a level the client does not know. */
export function checkRequirementAcr(client: SsoClient, acr: string | undefined, where: string): void {
  if (acr !== undefined && !client.options.acrLevels.includes(acr)) {
    throw new TypeError(`${where}: acr "${acr}" is not one of acrLevels (${client.options.acrLevels.join(', ')})`);
  }
}
