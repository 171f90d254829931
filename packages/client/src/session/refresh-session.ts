import * as oidc from 'openid-client';
import { type ClientContext, nowSeconds } from '../client-context.ts';
import { SsoClientError } from '../errors.ts';
import { inStep } from '../tracing/client-spans.ts';
import { pickClaims, tokensOf } from '../sign-in/complete-sign-in.ts';
import type { SessionRecord, SsoSession } from './session-record.ts';

const LOCK_TTL = 30;
const WAIT_STEP_MS = 50;
const WAIT_MAX_MS = 5000;

/** needsRefresh says whether the access token ends within `refreshSkew` seconds. */
export function needsRefresh(ctx: ClientContext, session: SessionRecord): boolean {
  const at = session.tokens.accessTokenExpiresAt;
  return at !== undefined && at - ctx.options.refreshSkew <= nowSeconds();
}

/**
 * refreshSession redeems the refresh token once per session, however many requests or app
 * instances ask at the same time: a per-process single flight, then a store lock (`claim`)
 * across instances; whoever loses the race waits for the winner's record. This matters because
 * the hub rotates refresh tokens and treats reuse of a rotated one as theft (it revokes the
 * grant). The new record is written only if the session still exists, so a logout racing the
 * refresh wins. A refusal by the hub ends the local session.
 */
export async function refreshSession(ctx: ClientContext, session: SessionRecord, force = false): Promise<SsoSession> {
  const inFlight = ctx.refreshing.get(session.id) as Promise<SsoSession> | undefined;
  if (inFlight) return inFlight;
  const run = inStep('ssohub.refresh', { attributes: { 'ssohub.client_id': ctx.options.clientId } }, () => refreshOnce(ctx, session, force)).finally(() =>
    ctx.refreshing.delete(session.id),
  );
  ctx.refreshing.set(session.id, run);
  return run;
}

async function refreshOnce(ctx: ClientContext, session: SessionRecord, force: boolean): Promise<SsoSession> {
  const { store, idleTimeout } = ctx.options;
  const lock = `refresh:${session.id}`;
  const gone = () => new SsoClientError('SSOHUB_CLIENT_ERR_SESSION_REQUIRED', 'the session has ended', { status: 401 });
  const view = (r: SessionRecord): SsoSession => ({ ...r, idleExpiresAt: Math.min(r.expiresAt, nowSeconds() + idleTimeout) });

  if (!(await store.claim(lock, LOCK_TTL))) {
    for (let waited = 0; waited < WAIT_MAX_MS; waited += WAIT_STEP_MS) {
      await new Promise((resolve) => setTimeout(resolve, WAIT_STEP_MS));
      const current = await store.get(session.id);
      if (!current) throw gone();
      if (current.version > session.version) return view(current);
    }
    throw new SsoClientError('SSOHUB_CLIENT_ERR_REFRESH_FAILED', 'another refresh of this session did not finish in time', { status: 503 });
  }
  try {
    const current = await store.get(session.id);
    if (!current) throw gone();
    if (current.version > session.version || (!force && !needsRefresh(ctx, current))) return view(current);
    const refreshToken = current.tokens.refreshToken;
    if (!refreshToken) {
      throw new SsoClientError('SSOHUB_CLIENT_ERR_REFRESH_FAILED', 'the access token expired and the hub issued no refresh token', { status: 401 });
    }
    let response: Awaited<ReturnType<typeof oidc.refreshTokenGrant>>;
    try {
      response = await oidc.refreshTokenGrant(ctx.config, refreshToken);
    } catch (cause) {
      if (cause instanceof oidc.ResponseBodyError) {
        // The hub revoked the grant (logout, lockout, reuse detection): the session is over.
        await store.destroy(current.id);
        throw new SsoClientError('SSOHUB_CLIENT_ERR_REFRESH_FAILED', `the hub refused to refresh the session (${cause.error}); sign in again`, { status: 401, cause });
      }
      throw new SsoClientError('SSOHUB_CLIENT_ERR_REFRESH_FAILED', 'the hub could not be reached to refresh the session', { status: 503, cause });
    }
    const idClaims = response.claims();
    if (idClaims && idClaims.sub !== current.claims.sub) {
      await store.destroy(current.id);
      throw new SsoClientError('SSOHUB_CLIENT_ERR_REFRESH_FAILED', 'the refreshed ID token names another subject', { status: 401 });
    }
    const next: SessionRecord = {
      ...current,
      claims: idClaims ? { ...current.claims, ...pickClaims(idClaims) } : current.claims,
      tokens: tokensOf(response, response.id_token ?? current.tokens.idToken, refreshToken),
      version: current.version + 1,
    };
    const ttl = Math.max(1, Math.min(idleTimeout, next.expiresAt - nowSeconds()));
    if (!(await store.set(next, ttl, { onlyIfExists: true }))) throw gone();
    return view(next);
  } finally {
    await store.release(lock);
  }
}
