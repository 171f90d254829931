import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Logger } from 'pino';
import type { AuditLog } from '../../audit/audit-log.ts';
import type { KratosClient, Session } from '../../kratos/kratos-client.ts';
import { KratosError } from '../../kratos/kratos-error.ts';
import { DeferredWriteError, withRequestScope } from '../adapter/request-scope.ts';
import { type KratosBoundSessions, MAX_VERIFIED_REUSE_SECONDS } from './kratos-bound-sessions.ts';

/** Koa `ctx.state` flag: Kratos answered session_aal2_required for the browser's session at /auth. */
export const KRATOS_NEEDS_AAL2 = 'ssohubKratosNeedsAal2';

/**
 * Koa `ctx.state` key: the identity Kratos showed for the browser's session in this very `/auth`
 * request, once the provider session was found to be bound to it. The provider's account lookup
 * for that request uses it instead of asking Kratos a second time (see create-provider.ts).
 */
export const KRATOS_IDENTITY_THIS_REQUEST = 'ssohubKratosIdentity';

/**
 * The identity Kratos showed for this request's browser session, if it is `sub`'s: the one
 * recheckSession left at `/auth`, or, at the resume that follows a sign-in, the one the login
 * interaction read with `whoami` and put in its result (the same identity bindAfterLogin records).
 */
export function identitySeenThisRequest(ctx: unknown, sub: string): Session['identity'] | undefined {
  type Result = { ssohub?: { identity?: Session['identity']; sessionExpiresAt?: string; verifiedAt?: number } };
  const c = ctx as { state?: Record<string, unknown>; oidc?: { result?: Result } };
  const rechecked = c.state?.[KRATOS_IDENTITY_THIS_REQUEST] as Session['identity'] | undefined;
  if (rechecked) return rechecked.id === sub ? rechecked : undefined;
  const r = c.oidc?.result?.ssohub;
  const now = Date.now();
  const fresh = r?.verifiedAt !== undefined && now - r.verifiedAt <= MAX_VERIFIED_REUSE_SECONDS * 1000;
  const sessionLive = !r?.sessionExpiresAt || Date.parse(r.sessionExpiresAt) > now;
  return fresh && sessionLive && r?.identity?.id === sub ? r.identity : undefined;
}

/**
 * Koa middleware around the provider's own routes, where the hub keeps provider sessions bound
 * to Kratos sessions:
 * - before `/auth`: an existing provider session is re-checked against the browser's Kratos
 *   session; if that is gone or is another session/identity, the provider session ends (its apps
 *   get back-channel logout) and the request continues as a fresh sign-in (or login_required
 *   for prompt=none). This is what makes SSO to a second app safe without any page.
 * - after the resume step: the provider session is bound to the Kratos session that signed it in.
 * - after a global RP-initiated logout: the Kratos session and every provider session bound to
 *   it end too.
 */
export function registerProviderHooks(provider: Provider, o: { kratos: KratosClient; sessions: KratosBoundSessions; audit: AuditLog; log: Logger }): void {
  provider.use(async (ctx, next) => {
    const path = canonicalPath(ctx.path);
    try {
      await withRequestScope(() => hooked(ctx as unknown as KoaContextWithOIDC, path, next), {
        // The token endpoint only writes what it answers with (consumed code or refresh token,
        // new tokens): nothing it does next depends on a write having landed.
        deferWrites: path === '/token' && ctx.method === 'POST',
      });
    } catch (err) {
      if (!(err instanceof DeferredWriteError)) throw err;
      // The tokens in the body may not be stored (or the refresh token not marked used): they
      // must not go out. Shown as oidc-provider shows any server error, logged as one, and
      // audited as a failed token request (after the provider's own "issued").
      provider.emit('server_error', ctx, err);
      provider.emit('grant.error', ctx, err);
      ctx.status = 500;
      ctx.body = { error: 'server_error', error_description: 'oops! something went wrong' };
    }
  });

  async function hooked(ctx: KoaContextWithOIDC, path: string, next: () => Promise<unknown>): Promise<void> {
    // oidc-provider's router ignores case and a trailing slash (/AUTH, /auth/): so must this check.
    // Every method the router answers there (it adds HEAD to GET routes), not only GET and POST.
    // The re-check and the provider's own session middleware read the same provider session,
    // once per request (request scope).
    const recheck = path === '/auth' && ctx.method !== 'OPTIONS' ? await recheckSession(ctx) : undefined;
    await next();
    if (recheck?.noting) {
      const failed = await recheck.noting;
      // Only a shortcut is lost: the code exchange then asks Kratos itself (findAccount).
      if (failed) o.log.warn({ err: failed }, 'could not note the Kratos check for the code exchange');
    }
    const oidc = ctx.oidc;
    if (!oidc) return;
    if (oidc.route === 'resume') await bindAfterLogin(ctx);
    else if (oidc.route === 'end_session_confirm' && ctx.status === 303 && oidc.params?.logout) await endAfterLogout(ctx);
  }

  /**
   * Returns, when the provider session may answer, the write that lets the code exchange reuse this
   * Kratos check; it runs while the provider builds its response and settles to an error or
   * undefined (it never rejects).
   */
  async function recheckSession(ctx: KoaContextWithOIDC): Promise<{ noting?: Promise<unknown> } | undefined> {
    const cookieId = ctx.cookies.get(provider.cookieName('session'), { signed: true });
    if (!cookieId) return undefined;
    // Kratos is asked while the provider session and its binding are read from Redis, so the hop
    // waits for the slower of the two. When the cookie names no provider session any more (rare:
    // it expired) the answer is dropped.
    const cookie = ctx.get('cookie') || undefined;
    const browser = o.kratos.whoami(cookie);
    browser.catch(() => {});
    const session = await provider.Session.find(cookieId);
    if (!session?.accountId) return undefined;
    let bound: boolean;
    let current: Session | undefined;
    try {
      ({ bound, browser: current } = await o.sessions.isBoundToBrowser(session.uid, session.accountId, browser, cookie ? () => o.kratos.whoami(cookie) : undefined));
    } catch (err) {
      // The session is intact, but Kratos (session.whoami.required_aal: highest_available) no
      // longer accepts it without the second factor the identity now has, for instance one
      // enrolled on another device. The provider session must not answer for it meanwhile: the
      // login prompt asks again (see KRATOS_NEEDS_AAL2) and the interaction sends the browser
      // through Kratos' aal2 step; prompt=none gets login_required.
      if (err instanceof KratosError && err.status === 403 && err.errorId === 'session_aal2_required') {
        (ctx as unknown as { state: Record<string, unknown> }).state[KRATOS_NEEDS_AAL2] = true;
        return undefined;
      }
      throw err;
    }
    if (bound) {
      const identity = current?.identity;
      (ctx as unknown as { state: Record<string, unknown> }).state[KRATOS_IDENTITY_THIS_REQUEST] = identity;
      if (!identity) return {};
      return { noting: o.sessions.noteVerified(session.uid, identity, current?.expires_at).then(() => undefined, (err: unknown) => err) };
    }
    o.audit.record({
      type: 'bridge.session.stale',
      subject: session.accountId,
      outcome: 'info',
      reason: current ? 'kratos session changed' : 'no kratos session',
      ip: ctx.ip,
    });
    await o.sessions.endProviderSession(session, 'kratos_session_gone');
    return undefined;
  }

  async function bindAfterLogin(ctx: KoaContextWithOIDC): Promise<void> {
    const result = ctx.oidc.result as
      | { login?: { accountId: string }; ssohub?: { kratosSessionId?: string; identity?: Session['identity']; sessionExpiresAt?: string; verifiedAt?: number } }
      | undefined;
    const session = ctx.oidc.session;
    const kratosSessionId = result?.ssohub?.kratosSessionId;
    if (!kratosSessionId || !result?.login || !session?.accountId || session.accountId !== result.login.accountId) return;
    const identity = result.ssohub?.identity;
    // An interaction result written before verifiedAt existed is not reused: Kratos is asked again.
    const verifiedAt = result.ssohub?.verifiedAt;
    await Promise.all([
      o.sessions.bind(session.uid, kratosSessionId, session.accountId),
      identity?.id === session.accountId && verifiedAt !== undefined
        ? o.sessions.noteVerified(session.uid, identity, result.ssohub?.sessionExpiresAt, verifiedAt)
        : undefined,
    ]);
  }

  async function endAfterLogout(ctx: KoaContextWithOIDC): Promise<void> {
    const uid = ctx.oidc.session?.uid;
    if (!uid) return;
    const kratosSessionId = await o.sessions.kratosSessionOf(uid);
    if (kratosSessionId) await o.sessions.endKratosSession(kratosSessionId, 'rp_initiated_logout');
  }
}

/** A provider path as its router matches it: decoded, lower case, without trailing slashes. */
export function canonicalPath(path: string): string {
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // leave undecodable paths as they are; the router will not match them either
  }
  return decoded.toLowerCase().replace(/\/+$/, '');
}
