import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { AuditLog } from '../../audit/audit-log.ts';
import type { KratosClient, Session } from '../../kratos/kratos-client.ts';
import { KratosError } from '../../kratos/kratos-error.ts';
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
export function registerProviderHooks(provider: Provider, o: { kratos: KratosClient; sessions: KratosBoundSessions; audit: AuditLog }): void {
  provider.use(async (ctx, next) => {
    // oidc-provider's router ignores case and a trailing slash (/AUTH, /auth/): so must this check.
    // Every method the router answers there (it adds HEAD to GET routes), not only GET and POST.
    if (canonicalPath(ctx.path) === '/auth' && ctx.method !== 'OPTIONS') await recheckSession(ctx as unknown as KoaContextWithOIDC);
    await next();
    const oidc = (ctx as unknown as KoaContextWithOIDC).oidc;
    if (!oidc) return;
    if (oidc.route === 'resume') await bindAfterLogin(ctx as unknown as KoaContextWithOIDC);
    else if (oidc.route === 'end_session_confirm' && ctx.status === 303 && oidc.params?.logout) await endAfterLogout(ctx as unknown as KoaContextWithOIDC);
  });

  async function recheckSession(ctx: KoaContextWithOIDC): Promise<void> {
    const cookieId = ctx.cookies.get(provider.cookieName('session'), { signed: true });
    if (!cookieId) return;
    const session = await provider.Session.find(cookieId);
    if (!session?.accountId) return;
    let browser: Session | undefined;
    try {
      browser = await o.kratos.whoami(ctx.get('cookie') || undefined);
    } catch (err) {
      // The session is intact, but Kratos (session.whoami.required_aal: highest_available) no
      // longer accepts it without the second factor the identity now has, for instance one
      // enrolled on another device. The provider session must not answer for it meanwhile: the
      // login prompt asks again (see KRATOS_NEEDS_AAL2) and the interaction sends the browser
      // through Kratos' aal2 step; prompt=none gets login_required.
      if (err instanceof KratosError && err.status === 403 && err.errorId === 'session_aal2_required') {
        (ctx as unknown as { state: Record<string, unknown> }).state[KRATOS_NEEDS_AAL2] = true;
        return;
      }
      throw err;
    }
    if (await o.sessions.isUsable(session.uid, session.accountId, { session: browser })) {
      (ctx as unknown as { state: Record<string, unknown> }).state[KRATOS_IDENTITY_THIS_REQUEST] = browser?.identity;
      return;
    }
    o.audit.record({
      type: 'bridge.session.stale',
      subject: session.accountId,
      outcome: 'info',
      reason: browser ? 'kratos session changed' : 'no kratos session',
      ip: ctx.ip,
    });
    await o.sessions.endProviderSession(session, 'kratos_session_gone');
  }

  async function bindAfterLogin(ctx: KoaContextWithOIDC): Promise<void> {
    const result = ctx.oidc.result as
      | { login?: { accountId: string }; ssohub?: { kratosSessionId?: string; identity?: Session['identity']; sessionExpiresAt?: string; verifiedAt?: number } }
      | undefined;
    const session = ctx.oidc.session;
    const kratosSessionId = result?.ssohub?.kratosSessionId;
    if (!kratosSessionId || !result?.login || !session?.accountId || session.accountId !== result.login.accountId) return;
    await o.sessions.bind(session.uid, kratosSessionId, session.accountId);
    const identity = result.ssohub?.identity;
    // An interaction result written before verifiedAt existed is not reused: Kratos is asked again.
    const verifiedAt = result.ssohub?.verifiedAt;
    if (identity?.id === session.accountId && verifiedAt !== undefined) await o.sessions.noteVerified(session.uid, identity, result.ssohub?.sessionExpiresAt, verifiedAt);
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
