/**
 * Owns the interaction pages of the OIDC bridge: a login prompt answered by the browser's Kratos
 * session (or sent through Kratos' login flow), and the consent page of third-party apps.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import { errors } from 'oidc-provider';
import { type Static, Type } from 'typebox';
import { SsoHubError } from '../../errors/ssohub-error.ts';
import { allowClientImage } from '../../http/security-headers.ts';
import { firstShipped, LANGUAGE_COOKIE, negotiateLocale, UI_LOCALES_COOKIE } from '../../i18n/negotiate-locale.ts';
import { text } from '../../i18n/translate.ts';
import { currentHubRequest } from '../../request/hub-request.ts';
import { isKratosOutage, KratosError } from '../../kratos/kratos-error.ts';
import type { AuditLog } from '../../audit/audit-log.ts';
import type { KratosClient, Session } from '../../kratos/kratos-client.ts';
import { withRequestScope } from '../adapter/request-scope.ts';
import { authenticationContext } from '../claims/account-claims.ts';
import { INTERACTION_PATH } from '../provider/create-provider.ts';
import { isLiveKratosSession } from '../sessions/session-checks.ts';
import { setNotice } from '../../login/flow-notice.ts';
import { initFlowUrl } from '../../login/recover-from-flow-error.ts';
import type { ClaimMapping } from '../bridge-config.ts';
import { renderConsentPage } from './consent-page.ts';
import { loginResult } from './login-facts.ts';
import { buildKratosLoginUrl, decideLogin, hasSecondFactor, type LoginDecision } from './decide-login.ts';
import { unverifiedEmail } from './unverified-email.ts';

type Details = Awaited<ReturnType<Provider['interactionDetails']>>;

/** The interaction's uid in the path; the interaction itself decides whether it is one. */
const InteractionParams = Type.Object({ uid: Type.String({ minLength: 1 }) });
/**
 * The consent form (consent-page.ts): its two buttons send `decision=approve` or `decision=deny`.
 * Anything else (no decision, another value, the field twice) is refused rather than read as a
 * denial; extra fields are let through, as a browser form may carry them.
 */
const ConsentForm = Type.Object({ decision: Type.Enum(['approve', 'deny']) });

/**
 * The glue between an OIDC interaction and Kratos (architecture: "The sign-in path"):
 * GET  /interaction/:uid           login prompt: the browser's Kratos session answers it, or the
 *                                  browser goes through the Kratos login flow and comes back here;
 *                                  consent prompt: first-party apps never get here, third-party
 *                                  apps get the consent page.
 * POST /interaction/:uid/consent   approve (remember the grant) or deny (access_denied).
 * GET  /interaction/:uid/cancel    the way out of the verification the address policy asked for
 *                                  (a user who cannot verify): the app gets access_denied.
 */
export function registerInteractions(
  app: FastifyInstance,
  o: {
    provider: Provider;
    kratos: KratosClient;
    audit: AuditLog;
    publicUrl: string;
    shortcuts: boolean;
    /** `bridge.requireVerifiedEmail` and the claim mapping that says which address apps see. */
    verifiedEmail: { required: boolean; claims: readonly ClaimMapping[] };
  },
): void {
  const { provider, kratos, audit, publicUrl, shortcuts, verifiedEmail } = o;
  const secureCookies = publicUrl.startsWith('https:');
  const details = async (request: FastifyRequest, reply: FastifyReply): Promise<Details> => {
    try {
      return await provider.interactionDetails(request.raw, reply.raw);
    } catch (err) {
      // Only a missing interaction (no cookie, expired, another browser's) is the user's to fix;
      // a store that cannot answer is an outage, answered by the error path as one (503).
      if (!(err instanceof errors.SessionNotFound)) throw err;
      throw new SsoHubError('SSOHUB_ERR_INTERACTION', text('bridge.interaction.expired'), {
        status: 400,
        cause: err,
      });
    }
  };

  const finish = async (request: FastifyRequest, reply: FastifyReply, result: Record<string, unknown>) => {
    const to = await provider.interactionResult(request.raw, reply.raw, result, { mergeWithLastSubmission: false });
    return reply.header('cache-control', 'no-store').redirect(to, 303);
  };

  // Each page runs in a request scope (request-scope.ts): interactionDetails and interactionResult
  // (and interactionDetails' session lookup) read the same artefacts, once per request.
  app.get<{ Params: Static<typeof InteractionParams> }>(`${INTERACTION_PATH}/:uid`, { schema: { params: InteractionParams } }, (request, reply) => withRequestScope(async () => {
    const d = await details(request, reply);
    if (d.uid !== request.params.uid) throw new SsoHubError('SSOHUB_ERR_INTERACTION', text('bridge.interaction.other_browser'), { status: 400 });
    const clientId = String(d.params.client_id);
    carryUiLocales(request, reply, d.params.ui_locales, secureCookies);

    if (d.prompt.name === 'login') {
      let session: Session | undefined;
      let needsAal2 = false;
      try {
        session = await kratos.whoami(request.headers.cookie);
      } catch (err) {
        // Kratos requires a second factor the session has not completed (required_aal highest_available).
        if (!(err instanceof KratosError && err.status === 403 && err.errorId === 'session_aal2_required')) throw err;
        needsAal2 = true;
      }
      const live: Session | undefined = session && isLiveKratosSession(session) && session.identity ? session : undefined;
      const auth = live ? authenticationContext(live) : undefined;
      const decision: LoginDecision = needsAal2
        ? { action: 'kratos-login', refresh: false, aal: 'aal2', reason: 'kratos_requires_aal2' }
        : decideLogin({
        params: d.params as Record<string, unknown>,
        interactionIat: d.iat as number,
        kratos: auth && live ? { authenticatedAt: auth.authTime, aal: auth.acr } : undefined,
        now: Math.floor(Date.now() / 1000),
      });
      if (decision.action === 'kratos-login' && decision.aal === 'aal2' && live?.identity && !hasSecondFactor(await kratos.getIdentityWithSecurityKeys(live.identity.id))) {
        // Kratos' aal2 login flow would show no method at all: tell the app (OpenID Connect
        // Unmet Authentication Requirements) instead of leaving the user on an empty form.
        audit.record({ type: 'bridge.login.aal_unmet', actor: live.identity.id, subject: live.identity.id, clientId, outcome: 'failure', reason: 'no_second_factor', acr: auth?.acr, ip: request.ip });
        return finish(request, reply, {
          error: 'unmet_authentication_requirements',
          error_description: 'The app asked for a second factor (aal2), but the account has none set up.',
        });
      }
      if (decision.action === 'kratos-login' || !live || !auth) {
        const returnTo = `${publicUrl}${INTERACTION_PATH}/${d.uid}`;
        const reason = decision.action === 'kratos-login' ? decision.reason : 'no_session';
        // A browser with a Kratos session that must sign in again (prompt=login, max_age, step-up)
        // is its user's; one without is anonymous, named by its IP.
        audit.record({ type: 'bridge.login.redirected', actor: live?.identity?.id ?? request.ip, subject: live?.identity?.id, clientId, outcome: 'info', reason, ip: request.ip });
        const refresh = decision.action === 'kratos-login' && decision.refresh;
        const aal = decision.action === 'kratos-login' ? decision.aal : undefined;
        // The flow is started here rather than by sending the browser to Kratos' browser endpoint
        // through the proxy: one redirect fewer on every sign-in that starts at an app.
        try {
          const { flow, setCookie } = await kratos.createLoginFlow(request.headers.cookie, { returnTo, refresh, aal });
          if (setCookie.length) reply.header('set-cookie', setCookie);
          return reply.header('cache-control', 'no-store').redirect(`${publicUrl}/login?flow=${encodeURIComponent(flow.id)}`, 303);
        } catch (err) {
          // Kratos refused to start one here (say, a session appeared meanwhile): its browser
          // endpoint decides with the browser, as it did before. A Kratos that fails (5xx) or
          // cannot be reached is an outage for the error path, not something to redirect into.
          if (!(err instanceof KratosError) || isKratosOutage(err)) throw err;
          request.log.info({ status: err.status, errorId: err.errorId }, 'login flow not started on the server side; sending the browser to Kratos');
          return reply.header('cache-control', 'no-store').redirect(buildKratosLoginUrl(publicUrl, returnTo, { refresh, aal }), 303);
        }
      }
      const unverified = unverifiedEmail(live.identity!, verifiedEmail);
      if (unverified) {
        // The verified-address policy (decision 0016): the app would get email_verified false
        // (oauth2-proxy refuses that with a 403 the user cannot act on). The interaction waits,
        // valid for bridge.ttl.interaction, while the user verifies by code; the verification page
        // then sends the browser back here (register-flow-pages.ts), where a fresh whoami sees the
        // address verified. Nothing of this answer is cached.
        const returnTo = `${publicUrl}${INTERACTION_PATH}/${d.uid}`;
        audit.record({ type: 'bridge.login.redirected', actor: live.identity!.id, subject: live.identity!.id, clientId, outcome: 'info', reason: 'email_unverified', ip: request.ip });
        setNotice(reply, 'verify_required', { secure: secureCookies });
        return reply.header('cache-control', 'no-store').redirect(`${publicUrl}${initFlowUrl('verification', { return_to: returnTo })}`, 303);
      }
      audit.record({ type: 'bridge.login.accepted', actor: live.identity!.id, subject: live.identity!.id, clientId, outcome: 'success', acr: auth.acr, ip: request.ip });
      // Read back at the resume, after the provider saved its session, to bind the two
      // (provider-hooks.ts) and to spare the account lookup a Kratos call (login-facts.ts).
      return finish(request, reply, loginResult({ accountId: live.identity!.id, acr: auth.acr, amr: auth.amr, ts: auth.authTime }, { ...live, identity: live.identity! }));
    }

    if (d.prompt.name === 'consent') {
      const client = await provider.Client.find(clientId);
      if (!client) throw new SsoHubError('SSOHUB_ERR_INTERACTION', text('bridge.interaction.client_gone'), { status: 400 });
      const missing = d.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
      if ((client as unknown as { ssohub_first_party?: boolean }).ssohub_first_party === true) {
        return finish(request, reply, { consent: { grantId: await saveGrant(provider, d) } });
      }
      return reply
        .header('cache-control', 'no-store')
        .type('text/html; charset=utf-8')
        .send(
          renderConsentPage({
            uid: d.uid,
            clientName: client.clientName ?? client.clientId,
            clientUri: client.clientUri,
            logoSrc: allowClientImage(reply, client.logoUri),
            policyUri: client.policyUri,
            tosUri: client.tosUri,
            scopes: missing.missingOIDCScope ?? [],
            claims: (missing.missingOIDCClaims ?? []).filter((c) => !['sub', 'sid', 'acr', 'amr', 'auth_time'].includes(c)),
          }),
        );
    }
    throw new SsoHubError('SSOHUB_ERR_INTERACTION', text('bridge.interaction.unsupported_prompt', { prompt: d.prompt.name }), { status: 400 });
  }, { shortcuts }));

  // A link, not a form: the verification page is Kratos' flow, and a GET can do no more harm
  // than the user giving up (the interaction is bound to this browser's cookie, and only one
  // waiting on a login prompt is ended).
  app.get<{ Params: Static<typeof InteractionParams> }>(`${INTERACTION_PATH}/:uid/cancel`, { schema: { params: InteractionParams } }, (request, reply) => withRequestScope(async () => {
    const d = await details(request, reply);
    if (d.uid !== request.params.uid || d.prompt.name !== 'login') {
      throw new SsoHubError('SSOHUB_ERR_INTERACTION', text('bridge.interaction.expired'), { status: 400 });
    }
    const clientId = String(d.params.client_id);
    // The user who gave up, when the browser's session still names one (a rare path: one call).
    const who = (await kratos.whoami(request.headers.cookie).catch(() => undefined))?.identity?.id;
    audit.record({ type: 'bridge.login.cancelled', actor: who ?? request.ip, subject: who, clientId, outcome: 'info', reason: 'email_unverified', ip: request.ip });
    return finish(request, reply, { error: 'access_denied', error_description: 'The user did not verify their email address.' });
  }, { shortcuts }));

  app.post<{ Params: Static<typeof InteractionParams>; Body: Static<typeof ConsentForm> }>(`${INTERACTION_PATH}/:uid/consent`, { schema: { params: InteractionParams, body: ConsentForm } }, (request, reply) => withRequestScope(async () => {
    const d = await details(request, reply);
    if (d.uid !== request.params.uid || d.prompt.name !== 'consent') {
      throw new SsoHubError('SSOHUB_ERR_INTERACTION', text('bridge.interaction.consent_not_waiting'), { status: 400 });
    }
    const clientId = String(d.params.client_id);
    const subject = d.session?.accountId;
    if (request.body.decision === 'approve') {
      const grantId = await saveGrant(provider, d);
      audit.record({ type: 'bridge.consent.approved', actor: subject ?? request.ip, subject, clientId, outcome: 'success', ip: request.ip });
      return finish(request, reply, { consent: { grantId } });
    }
    audit.record({ type: 'bridge.consent.denied', actor: subject ?? request.ip, subject, clientId, outcome: 'info', ip: request.ip });
    return finish(request, reply, { error: 'access_denied', error_description: 'The user did not allow the app to use the account.' });
  }, { shortcuts }));
}

/**
 * Carries the language an app asked for (OIDC `ui_locales`, space-separated tags) through the
 * rest of its sign-in: Kratos' redirects drop every query parameter, so the hub's later pages
 * (login, second factor, recovery) learn it from a session cookie set here, before the browser
 * leaves for the login flow. The page of this very request (consent) is rendered in it too: the
 * request's language was negotiated before the hub knew of the interaction.
 *
 * An authorization request without a shipped language clears the cookie, so one app's choice
 * does not leak into the next app's sign-in; the request falls back to the picker's cookie and
 * the browser's languages.
 */
function carryUiLocales(request: FastifyRequest, reply: FastifyReply, uiLocales: unknown, secure: boolean): void {
  const locale = typeof uiLocales === 'string' ? firstShipped(uiLocales.split(/\s+/).filter(Boolean).slice(0, 20)) : undefined;
  const hubRequest = currentHubRequest();
  const options = { path: '/', httpOnly: true, sameSite: 'lax', secure } as const;
  if (locale) {
    reply.setCookie(UI_LOCALES_COOKIE, locale, options);
    hubRequest?.preferLocale(locale);
    return;
  }
  if (request.cookies[UI_LOCALES_COOKIE] !== undefined) {
    reply.clearCookie(UI_LOCALES_COOKIE, options);
    const accept = request.headers['accept-language'];
    hubRequest?.preferLocale(negotiateLocale({ pickerCookie: request.cookies[LANGUAGE_COOKIE], acceptLanguage: typeof accept === 'string' ? accept : undefined }));
  }
}

/** Adds what the consent prompt found missing to the (existing or new) grant and saves it. */
async function saveGrant(provider: Provider, d: Details): Promise<string> {
  const accountId = d.session?.accountId;
  if (!accountId) throw new SsoHubError('SSOHUB_ERR_INTERACTION', text('bridge.interaction.no_user'), { status: 400 });
  const clientId = String(d.params.client_id);
  const grant = (d.grantId ? await provider.Grant.find(d.grantId) : undefined) ?? new provider.Grant({ accountId, clientId });
  const missing = d.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
  if (missing.missingOIDCScope?.length) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims?.length) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
  return grant.save();
}
