import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type Static, Type } from 'typebox';
import { SsoHubError } from '../errors/ssohub-error.ts';
import { html } from '../http/html.ts';
import { renderPage } from '../http/render-page.ts';
import type { HubContext } from '../hub-context.ts';
import { t, text, th } from '../i18n/translate.ts';
import { checkReturnTo } from './check-return-to.ts';
import { setNotice } from './flow-notice.ts';

/**
 * `/logout`: GET asks for confirmation (a link must never sign anyone out), POST signs out.
 * Kratos' logout runs on the server (session revoked, its Set-Cookie relayed), then the bridge
 * ends the OIDC sessions bound to that Kratos session and tells every client app (back-channel),
 * before the browser is sent anywhere. Kratos' logout URL cannot come after the bridge: once the
 * bridge has revoked the session, Kratos refuses that URL and would leave the cookie behind.
 */
/**
 * The sign-out form: the confirmation page sends `return_to` when it has one. Other fields are
 * let through (a form may carry a browser's or an extension's extras, and none of them could
 * change what sign-out does); a return_to that is not one string (sent twice, say) is refused
 * rather than ignored, since the browser would then not go where the form said.
 */
const LogoutForm = Type.Union([Type.Object({ return_to: Type.Optional(Type.String()) }), Type.Null()]);

export function registerLogout(app: FastifyInstance, ctx: HubContext): void {
  const secure = ctx.config.publicUrl.startsWith('https:');

  app.get('/logout', async (request, reply) => {
    const { return_to } = request.query as { return_to?: string };
    const returnTo = checkReturnTo(return_to, ctx.config);
    // A browser still owing its second factor can sign out too (lost phone, wrong account).
    const { session, aal2Required } = await ctx.kratos.whoamiOrPending(request.headers.cookie);
    reply.header('cache-control', 'no-store');
    if (!session && !aal2Required) return reply.redirect(returnTo ?? '/', 303);
    const traits = (session?.identity?.traits ?? {}) as { email?: string; name?: string };
    return reply.type('text/html; charset=utf-8').send(
      renderPage({
        title: t('flows.logout.title'),
        body: html`<h1>${t('flows.logout.heading')}</h1>
<p class="lead">${th('flows.logout.lead', { who: html`<strong>${traits.email ?? t('flows.logout.your_account')}</strong>` })}</p>
<form action="/logout" method="post" data-testid="logout/form">
${returnTo ? html`<input type="hidden" name="return_to" value="${returnTo}">` : ''}
<div class="actions"><button type="submit" class="primary" data-testid="logout/confirm">${t('flows.logout.confirm')}</button><a class="button-link secondary" href="/">${t('flows.logout.cancel')}</a></div>
</form>`,
      }),
    );
  });

  app.post<{ Body: Static<typeof LogoutForm> }>(
    '/logout',
    {
      schema: { body: LogoutForm },
      // Refused before the body is even read, and whatever it holds.
      onRequest: async (request) => checkSameOrigin(request, ctx.config.publicUrl),
    },
    async (request, reply) => {
      const returnTo = checkReturnTo(request.body?.return_to, ctx.config);
      const cookie = request.headers.cookie;
      const { session, aal2Required } = await ctx.kratos.whoamiOrPending(cookie);
      reply.header('cache-control', 'no-store');
      if ((!session && !aal2Required) || !cookie) return reply.redirect(returnTo ?? '/', 303);

      const logout = await ctx.kratos.createLogoutUrl(cookie);
      if (logout) {
        const { setCookie } = await ctx.kratos.completeLogout(cookie, logout.logoutToken);
        if (setCookie.length) reply.header('set-cookie', setCookie);
      }
      let propagated = true;
      // Kratos hides a session that owes its second factor (no id to end provider sessions by here);
      // a provider session bound to it ends at its next authorization, when the re-check finds no
      // Kratos session any more.
      if (session) {
        try {
          await ctx.bridge.endKratosSession(session.id, 'user signed out on the login domain');
        } catch (err) {
          // The user is signed out of the login domain either way; the log and audit say which apps may not know yet.
          propagated = false;
          request.log.error({ err, sessionId: session.id }, 'logout propagation failed');
        }
      }
      ctx.audit.record({
        type: 'login.logout',
        // A session still owing its second factor is hidden by Kratos: the browser is then anonymous.
        actor: session?.identity?.id ?? request.ip,
        subject: session?.id,
        ip: request.ip,
        outcome: propagated ? 'success' : 'failure',
        propagated,
      });
      setNotice(reply, 'signed_out', { secure });
      return reply.redirect(returnTo ?? '/', 303);
    },
  );
}

/**
 * A cross-site form must not sign people out. SameSite=Lax already keeps Kratos' cookie off
 * cross-site POSTs; this also refuses same-site but cross-origin ones (other subdomains).
 */
function checkSameOrigin(request: FastifyRequest, publicUrl: string): void {
  const origin = request.headers.origin;
  const site = request.headers['sec-fetch-site'];
  const ok = (origin === undefined || origin === new URL(publicUrl).origin) && (site === undefined || site === 'same-origin' || site === 'none');
  if (!ok) {
    throw new SsoHubError('SSOHUB_ERR_CSRF', text('flows.logout.cross_site'), { status: 403 });
  }
}
