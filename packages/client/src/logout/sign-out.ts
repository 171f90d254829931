import * as oidc from 'openid-client';
import type { ClientContext } from '../client-context.ts';
import { buildCookie, readCookie } from '../session/session-cookie.ts';
import { sessionIdFor } from '../session/session-id.ts';

/** SignOutResult is the cookie to clear and, for global logout, where to send the browser. */
export interface SignOutResult {
  /** Set-Cookie header value clearing the session cookie. */
  setCookie: string;
  /** For global logout: the hub's end_session URL. For local logout: `postLogoutRedirectUri`. */
  url: URL;
}

/** signOutLocal ends this app's session only (store record and cookie); the hub session stays. */
export async function signOutLocal(ctx: ClientContext, cookieHeader: string | undefined): Promise<SignOutResult> {
  const secret = readCookie(cookieHeader, ctx.sessionCookie);
  if (secret) await ctx.options.store.destroy(sessionIdFor(secret));
  return { setCookie: buildCookie(ctx.sessionCookie, '', 0, ctx.options.secureCookies), url: new URL(ctx.options.postLogoutRedirectUri) };
}

/**
 * signOutGlobal ends this app's session and returns the hub's end_session URL (RP-initiated
 * logout) with `id_token_hint`, `post_logout_redirect_uri` and `state`. The hub then ends its own
 * session and notifies the other apps over back-channel logout.
 */
export async function signOutGlobal(ctx: ClientContext, cookieHeader: string | undefined): Promise<SignOutResult> {
  const secret = readCookie(cookieHeader, ctx.sessionCookie);
  const record = secret ? await ctx.options.store.get(sessionIdFor(secret)) : undefined;
  if (secret) await ctx.options.store.destroy(sessionIdFor(secret));
  const parameters: Record<string, string> = {
    client_id: ctx.options.clientId,
    post_logout_redirect_uri: ctx.options.postLogoutRedirectUri.href,
    state: oidc.randomState(),
  };
  if (record) parameters['id_token_hint'] = record.tokens.idToken;
  return {
    setCookie: buildCookie(ctx.sessionCookie, '', 0, ctx.options.secureCookies),
    url: oidc.buildEndSessionUrl(ctx.config, parameters),
  };
}
