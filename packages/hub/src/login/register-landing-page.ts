import type { FastifyInstance } from 'fastify';
import { html } from '../http/html.ts';
import { renderPage } from '../http/render-page.ts';
import type { HubContext } from '../hub-context.ts';
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
          title: 'Two-step verification',
          body: html`<h1>Two-step verification</h1>
<p class="lead" data-testid="landing/aal2-required">Your account uses an authenticator app. Enter a code from it to finish signing in.</p>
${messages}
<div class="actions"><a class="button-link" href="/login?aal=aal2" data-testid="link/login-aal2">Enter a code</a><a class="button-link secondary" href="/logout" data-testid="link/logout">Sign out</a></div>`,
        }),
      );
    }
    if (!session) {
      return reply.send(
        renderPage({
          title: 'Welcome',
          body: html`<h1>Welcome</h1>
<p class="lead" data-testid="landing/signed-out">You are not signed in. One account gives you access to every app connected to this service.</p>
${messages}
<div class="actions"><a class="button-link" href="/login" data-testid="link/login">Sign in</a><a class="button-link secondary" href="/registration" data-testid="link/registration">Create an account</a></div>`,
        }),
      );
    }
    const identity = session.identity;
    const traits = (identity?.traits ?? {}) as { email?: string; name?: string };
    const address = identity?.verifiable_addresses?.find((a) => a.value === traits.email);
    return reply.send(
      renderPage({
        title: 'Your account',
        body: html`<h1>Hello${traits.name ? html`, <span data-testid="landing/name">${traits.name}</span>` : ''}</h1>
<p class="lead" data-testid="landing/signed-in">You are signed in as <strong data-testid="landing/email">${traits.email ?? identity?.id ?? ''}</strong>.</p>
${messages}
<dl class="kv">
<dt>Email</dt><dd>${traits.email ?? ''} ${address ? html`<span class="badge ${address.verified ? 'ok' : 'warn'}" data-testid="landing/verified">${address.verified ? 'verified' : 'not verified'}</span>` : ''}</dd>
<dt>Signed in</dt><dd>${session.authenticated_at ? new Date(session.authenticated_at).toUTCString() : ''}</dd>
</dl>
<div class="actions"><a class="button-link" href="/settings" data-testid="link/settings">Account settings</a>${address && !address.verified ? html`<a class="button-link secondary" href="/verification" data-testid="link/verification">Verify email</a>` : ''}<a class="button-link secondary" href="/logout" data-testid="link/logout">Sign out</a></div>`,
      }),
    );
  });
}
