/**
 * Owns the consent page for third-party apps: which app, which data, each scope in plain words.
 */
import { html } from '../../http/html.ts';
import { renderClientName, renderClientPolicies } from '../../http/render-client.ts';
import { renderPage } from '../../http/render-page.ts';

const SCOPE_TEXT: Record<string, string> = {
  openid: 'Know who you are (your account identifier)',
  email: 'See your email address and whether it is verified',
  profile: 'See your name',
  offline_access: 'Keep access while you are away',
};

/**
 * Approve and deny are two buttons of one form (no script). The form posts to the interaction's
 * own path, where the interaction cookie (SameSite=Lax, path-scoped) binds it to this browser, so
 * a cross-site page cannot submit it.
 */
export function renderConsentPage(o: {
  uid: string;
  clientName: string;
  clientUri: string | undefined;
  policyUri?: string | undefined;
  tosUri?: string | undefined;
  scopes: string[];
  claims: string[];
}): string {
  const items = [...o.scopes.map((s) => SCOPE_TEXT[s] ?? `Use the "${s}" permission`), ...o.claims.map((c) => `See your ${c}`)];
  return renderPage({
    title: `Allow ${o.clientName}?`,
    body: html`<h1>Allow <span data-testid="consent/client">${o.clientName}</span> to use your account?</h1>
${o.clientUri ? html`<p class="muted" data-testid="consent/client-uri">${renderClientName({ name: o.clientUri, clientUri: o.clientUri }, 'consent/client-link')}</p>` : ''}
${renderClientPolicies({ name: o.clientName, policyUri: o.policyUri, tosUri: o.tosUri }, 'consent/client')}
<p class="lead">This app is not run by the team behind this sign-in. If you allow it, it can:</p>
<ul data-testid="consent/scopes">${items.map((i) => html`<li>${i}</li>`)}</ul>
<form method="post" action="/interaction/${o.uid}/consent" data-testid="consent/form">
<button type="submit" name="decision" value="approve" data-testid="consent/approve">Allow</button>
<button type="submit" name="decision" value="deny" class="secondary" data-testid="consent/deny">Deny</button>
</form>`,
  });
}
