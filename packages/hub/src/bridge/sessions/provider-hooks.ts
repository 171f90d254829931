/**
 * Owns what the hub does inside the provider's own requests: the request scope each one runs in
 * (writes deferred at the token endpoint), and the steps that keep provider sessions bound to
 * Kratos sessions at /auth, at the resume and at logout.
 */
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Logger } from 'pino';
import type { AuditLog } from '../../audit/audit-log.ts';
import type { KratosClient, Session } from '../../kratos/kratos-client.ts';
import { KratosError } from '../../kratos/kratos-error.ts';
import { currentBridgeFacts, DeferredWriteError, withRequestScope } from '../adapter/request-scope.ts';
import { loginFactsOf } from '../interactions/login-facts.ts';
import { PROVIDER_ROUTES, providerPaths } from '../provider/provider-internals.ts';
import type { KratosBoundSessions } from './kratos-bound-sessions.ts';
import type { SessionChecks } from './session-checks.ts';

/**
 * Koa middleware around the provider's own routes:
 * - before `/auth`: an existing provider session is re-checked against the browser's Kratos
 *   session; if that is gone or is another session/identity, the provider session ends (its apps
 *   get back-channel logout) and the request continues as a fresh sign-in (or login_required
 *   for prompt=none). This is what makes SSO to a second app safe without any page.
 * - after the resume step: the provider session is bound to the Kratos session that signed it in.
 * - after a global RP-initiated logout: the Kratos session and every provider session bound to
 *   it end too.
 */
export function registerProviderHooks(
  provider: Provider,
  o: { kratos: KratosClient; checks: SessionChecks; sessions: KratosBoundSessions; audit: AuditLog; log: Logger; shortcuts: boolean },
): void {
  const paths = providerPaths(provider);
  provider.use(async (ctx, next) => {
    const path = canonicalPath(ctx.path);
    try {
      await withRequestScope(() => hooked(ctx as unknown as KoaContextWithOIDC, path, next), {
        // The token endpoint only writes what it answers with (consumed code or refresh token,
        // new tokens): nothing it does next depends on a write having landed.
        deferWrites: path === paths.token && ctx.method === 'POST',
        shortcuts: o.shortcuts,
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
    const recheck = path === paths.authorization && ctx.method !== 'OPTIONS' ? await recheckSession(ctx) : undefined;
    await next();
    if (recheck?.noting) {
      const failed = await recheck.noting;
      // Only a shortcut is lost: the code exchange then asks Kratos itself (findAccount).
      if (failed) o.log.warn({ err: failed }, 'could not note the Kratos check for the code exchange');
    }
    const oidc = ctx.oidc;
    if (!oidc) return;
    if (oidc.route === PROVIDER_ROUTES.resume) await bindAfterLogin(ctx);
    else if (oidc.route === PROVIDER_ROUTES.endSessionConfirm && ctx.status === 303 && oidc.params?.logout) await endAfterLogout(ctx);
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
      ({ bound, browser: current } = await o.checks.isBoundToBrowser(session.uid, session.accountId, browser, cookie ? () => o.kratos.whoami(cookie) : undefined));
    } catch (err) {
      // The session is intact, but Kratos (session.whoami.required_aal: highest_available) no
      // longer accepts it without the second factor the identity now has, for instance one
      // enrolled on another device. The provider session must not answer for it meanwhile: the
      // login prompt asks again (the kratos_aal2 check in create-provider.ts) and the interaction
      // sends the browser through Kratos' aal2 step; prompt=none gets login_required.
      if (err instanceof KratosError && err.status === 403 && err.errorId === 'session_aal2_required') {
        setKratosCheck({ kind: 'needs-aal2' });
        return undefined;
      }
      throw err;
    }
    if (bound) {
      const identity = current?.identity;
      // The provider's account lookup for this request reads it (identity-seen-this-request.ts).
      setKratosCheck({ kind: 'bound', identity });
      if (!identity || !o.shortcuts) return {};
      return { noting: o.checks.noteVerified(session.uid, identity, current?.expires_at).then(() => undefined, (err: unknown) => err) };
    }
    // The hub's own decision (invariant 3), not the browser's: it asked for its session.
    o.audit.record({
      type: 'bridge.session.stale',
      actor: 'system',
      subject: session.accountId,
      outcome: 'info',
      reason: current ? 'kratos session changed' : 'no kratos session',
      ip: ctx.ip,
    });
    await o.sessions.endProviderSession(session, 'kratos_session_gone');
    return undefined;
  }

  async function bindAfterLogin(ctx: KoaContextWithOIDC): Promise<void> {
    const facts = loginFactsOf(ctx.oidc.result);
    const session = ctx.oidc.session;
    if (!facts || !session?.accountId || session.accountId !== facts.accountId) return;
    const { identity, verifiedAt } = facts;
    await Promise.all([
      o.checks.bind(session.uid, facts.kratosSessionId, session.accountId),
      // Lets the code exchange skip Kratos (findAccount); a result without a time is not reused.
      o.shortcuts && identity && verifiedAt !== undefined ? o.checks.noteVerified(session.uid, identity, facts.sessionExpiresAt, verifiedAt) : undefined,
    ]);
  }

  async function endAfterLogout(ctx: KoaContextWithOIDC): Promise<void> {
    const uid = ctx.oidc.session?.uid;
    if (!uid) return;
    const kratosSessionId = await o.checks.kratosSessionOf(uid);
    if (kratosSessionId) await o.sessions.endKratosSession(kratosSessionId, 'rp_initiated_logout');
  }
}

function setKratosCheck(check: NonNullable<ReturnType<typeof currentBridgeFacts>>['kratos']): void {
  const facts = currentBridgeFacts();
  if (facts) facts.kratos = check;
}

/**
 * A provider path as its router matches it, for comparing with its route paths (providerPaths):
 * what comes before any `?`, ASCII letters in lower case, one trailing slash dropped. The router
 * (oidc-provider lib/helpers/router.js) folds case, but never a non-ASCII character into an ASCII
 * one (the Kelvin sign is no `k`); forgives one trailing slash, not two; and decodes no
 * percent-escape in a static route (`/%74oken` is no route). Takes Koa's ctx.path, or a request
 * target Koa reads on its fast path: the mount refuses the others (mount-provider.ts).
 */
export function canonicalPath(path: string): string {
  const query = path.indexOf('?');
  const p = (query === -1 ? path : path.slice(0, query)).replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
  return p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
}
