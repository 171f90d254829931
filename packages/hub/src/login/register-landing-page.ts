import type { FastifyInstance } from 'fastify';
import { html } from '../http/html.ts';
import { renderPage } from '../http/render-page.ts';
import type { HubContext } from '../hub-context.ts';
import { currentLocale, t, th } from '../i18n/translate.ts';
import { takeNotice } from './flow-notice.ts';
import { renderNotice } from './render-flow-page.ts';
import { renderMessages } from './render-nodes.ts';

/** `/`: who is signed in on the login domain, with the way to their settings and to sign out. */
export function registerLandingPage(app: FastifyInstance, ctx: HubContext): void {
  app.get('/', async (request, reply) => {
    const { session, aal2Required } = await ctx.kratos.whoamiOrPending(request.headers.cookie);
    const notice = renderNotice(takeNotice(request, reply));
    const messages = renderMessages(undefined, notice);
    reply.header('cache-control', 'no-store').type('text/html; charset=utf-8');
    if (aal2Required) {
      // The password was right, the second factor is still missing: not signed in yet.
      return reply.send(
        renderPage({
          title: t('flows.landing.aal2.title'),
          body: html`<h1>${t('flows.landing.aal2.title')}</h1>
<p class="lead" data-testid="landing/aal2-required">${t('flows.landing.aal2.lead')}</p>
${messages}
<div class="actions"><a class="button-link" href="/login?aal=aal2" data-testid="link/login-aal2">${t('flows.landing.aal2.enter_code')}</a><a class="button-link secondary" href="/logout" data-testid="link/logout">${t('flows.landing.sign_out')}</a></div>`,
        }),
      );
    }
    if (!session) {
      return reply.send(
        renderPage({
          title: t('flows.landing.welcome.title'),
          body: html`<h1>${t('flows.landing.welcome.title')}</h1>
<p class="lead" data-testid="landing/signed-out">${t('flows.landing.welcome.lead')}</p>
${messages}
<div class="actions"><a class="button-link" href="/login" data-testid="link/login">${t('flows.landing.sign_in')}</a><a class="button-link secondary" href="/registration" data-testid="link/registration">${t('flows.landing.create_account')}</a></div>`,
        }),
      );
    }
    const identity = session.identity;
    const traits = (identity?.traits ?? {}) as { email?: string; name?: string };
    const address = identity?.verifiable_addresses?.find((a) => a.value === traits.email);
    return reply.send(
      renderPage({
        title: t('flows.landing.account.title'),
        body: html`<h1>${traits.name ? th('flows.landing.hello_named', { name: html`<span data-testid="landing/name">${traits.name}</span>` }) : t('flows.landing.hello')}</h1>
<p class="lead" data-testid="landing/signed-in">${th('flows.landing.signed_in_as', { who: html`<strong data-testid="landing/email">${traits.email ?? identity?.id ?? ''}</strong>` })}</p>
${messages}
<dl class="kv">
<dt>${t('flows.landing.email')}</dt><dd>${traits.email ?? ''} ${address ? html`<span class="badge ${address.verified ? 'ok' : 'warn'}" data-testid="landing/verified">${address.verified ? t('flows.landing.verified') : t('flows.landing.not_verified')}</span>` : ''}</dd>
<dt>${t('flows.landing.signed_in_at')}</dt><dd>${session.authenticated_at ? signedInAt(new Date(session.authenticated_at)) : ''}</dd>
</dl>
<div class="actions"><a class="button-link" href="/settings" data-testid="link/settings">${t('flows.landing.settings')}</a><a class="button-link secondary" href="/account" data-testid="link/account">${t('account.landing_link')}</a>${address && !address.verified ? html`<a class="button-link secondary" href="/verification" data-testid="link/verification">${t('flows.landing.verify_email')}</a>` : ''}<a class="button-link secondary" href="/logout" data-testid="link/logout">${t('flows.landing.sign_out')}</a></div>`,
      }),
    );
  });
}

/**
 * When the session began, in UTC like the English page has always shown it (toUTCString); other
 * languages get the same instant in their own words and order.
 */
function signedInAt(at: Date): string {
  const locale = currentLocale();
  if (locale === 'en') return at.toUTCString();
  return new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'long', timeZone: 'UTC' }).format(at);
}
