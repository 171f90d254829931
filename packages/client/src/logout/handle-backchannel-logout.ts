import { type ClientContext, nowSeconds } from '../client-context.ts';
import { isSsoClientError, SsoClientError } from '../errors.ts';
import { verifyLogoutToken } from './verify-logout-token.ts';

/** HandlerResponse is a framework-neutral HTTP answer the adapters send as is. */
export interface HandlerResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** BackchannelLogoutBody is the parsed form body, or the raw `application/x-www-form-urlencoded` text. */
export type BackchannelLogoutBody = string | URLSearchParams | Record<string, unknown> | undefined | null;

/** endSessions ends every local session of a hub session (`sid`), or of a subject when only `sub` is known. */
export async function endSessions(ctx: ClientContext, target: { sid?: string; sub?: string }): Promise<number> {
  const { store } = ctx.options;
  let ids: string[];
  if (target.sid) {
    ids = await store.findBySid(target.sid);
    if (target.sub) {
      // With both, only sessions of that subject match (a sid is per hub session and client).
      const records = await Promise.all(ids.map((id) => store.get(id)));
      ids = ids.filter((_, i) => records[i]?.claims.sub === target.sub);
    }
  } else if (target.sub) ids = await store.findBySub(target.sub);
  else ids = [];
  await Promise.all(ids.map((id) => store.destroy(id)));
  return ids.length;
}

/**
 * handleBackchannelLogout answers the hub's POST to the back-channel logout endpoint: it reads
 * `logout_token`, verifies it fully, refuses a replayed `jti`, ends the matching sessions and
 * answers 200 with `Cache-Control: no-store`. Any verification failure answers 400 with
 * `{"error":"invalid_request"}` (OIDC Back-Channel Logout §2.8) and ends nothing. When the hub's
 * keys cannot be fetched it throws `SSOHUB_CLIENT_ERR_HUB_KEYS_UNAVAILABLE` (status 503, so the hub
 * retries) and ends nothing.
 */
export async function handleBackchannelLogout(ctx: ClientContext, body: BackchannelLogoutBody): Promise<HandlerResponse & { ended: number }> {
  const headers = { 'cache-control': 'no-store', 'content-type': 'application/json; charset=utf-8' };
  try {
    const token = logoutTokenOf(body);
    if (!token) throw new SsoClientError('SSOHUB_CLIENT_ERR_LOGOUT_TOKEN_INVALID', 'logout token refused: logout_token is missing', { status: 400 });
    const verified = await verifyLogoutToken(token, ctx.jwks, {
      issuer: ctx.issuer,
      clientId: ctx.options.clientId,
      algorithms: ctx.logoutTokenAlgorithms,
      maxAge: ctx.options.logoutTokenMaxAge,
      clockTolerance: ctx.options.clockTolerance,
    });
    // Remember the jti as long as the token could still pass the age check, plus tolerance.
    const remember = Math.max(ctx.options.logoutTokenMaxAge, verified.expiresAt - nowSeconds()) + ctx.options.clockTolerance + 60;
    if (!(await ctx.options.store.claim(`logout-jti:${verified.jti}`, remember))) {
      throw new SsoClientError('SSOHUB_CLIENT_ERR_LOGOUT_TOKEN_REPLAYED', 'logout token refused: jti already used', { status: 400 });
    }
    const ended = await endSessions(ctx, verified);
    return { status: 200, headers, body: '', ended };
  } catch (err) {
    if (!isSsoClientError(err) || err.status !== 400) throw err;
    return { status: 400, headers, body: JSON.stringify({ error: 'invalid_request', error_description: err.message }), ended: 0 };
  }
}

function logoutTokenOf(body: BackchannelLogoutBody): string | undefined {
  if (!body) return undefined;
  if (typeof body === 'string') return new URLSearchParams(body).get('logout_token') ?? undefined;
  if (body instanceof URLSearchParams) return body.get('logout_token') ?? undefined;
  const value = body['logout_token'];
  return typeof value === 'string' ? value : undefined;
}
