/**
 * Owns the pages oidc-provider shows the browser itself: the logout confirmation, the signed-out
 * page, and the errors it cannot send back to a client. They are the hub's pages, so they carry
 * its content security policy (no script), not the one the mount sets on the provider's answers
 * (mount-provider.ts, which lets the provider's auto-submit script run).
 */
import type { KoaContextWithOIDC } from 'oidc-provider';
import { html } from '../../http/html.ts';
import { renderPage } from '../../http/render-page.ts';
import { CONTENT_SECURITY_POLICY } from '../../http/security-headers.ts';

function send(ctx: KoaContextWithOIDC, body: string): void {
  ctx.type = 'html';
  ctx.set('content-security-policy', CONTENT_SECURITY_POLICY);
  ctx.body = body;
}

/**
 * The RP-initiated logout confirmation. A plain form, no script: it works without JavaScript,
 * and only a POST carrying the session's xsrf value ends anything, so a link alone cannot sign
 * a user out. "Everywhere" ends the hub session, the Kratos session and every app's session.
 */
export async function renderLogoutPage(ctx: KoaContextWithOIDC): Promise<void> {
  const session = ctx.oidc.session!;
  const client = ctx.oidc.client;
  const app = client?.clientName ?? client?.clientId;
  const action = ctx.oidc.urlFor('end_session_confirm');
  send(
    ctx,
    renderPage({
      title: 'Sign out',
      body: html`<h1>Sign out</h1>
<p class="lead">${app ? html`<strong>${app}</strong> asks to sign you out.` : 'Do you want to sign out?'} Signing out everywhere ends your session on every app that uses this sign-in.</p>
<form method="post" action="${action}" data-testid="logout/form">
<input type="hidden" name="xsrf" value="${session.state?.secret as string}">
<button type="submit" name="logout" value="yes" data-testid="logout/everywhere" autofocus>Sign out everywhere</button>
${app ? html`<button type="submit" class="secondary" data-testid="logout/only-app">Only sign out of ${app}</button>` : ''}
</form>`,
    }),
  );
}

export async function renderLoggedOutPage(ctx: KoaContextWithOIDC): Promise<void> {
  send(
    ctx,
    renderPage({
      title: 'Signed out',
      body: html`<h1>You are signed out</h1>
<p class="lead" data-testid="logout/done">You can close this window.</p>
<div class="links"><a href="/login">Sign in again</a></div>`,
    }),
  );
}

/**
 * Errors the provider shows the browser itself (it cannot redirect to the client because the
 * client or its redirect URI is not trusted). The OAuth error code stays visible for support.
 */
export async function renderProviderError(ctx: KoaContextWithOIDC, out: { error: string; error_description?: string }, _error: unknown): Promise<void> {
  send(
    ctx,
    renderPage({
      title: 'Sign-in request refused',
      body: html`<h1>This sign-in request cannot be completed</h1>
<p class="lead" data-testid="error/message" data-code="${out.error}">${out.error_description ?? 'The request was not valid.'}</p>
<p class="muted">Error: <code data-testid="oidc/error">${out.error}</code>. Go back to the app and try again.</p>`,
    }),
  );
}
