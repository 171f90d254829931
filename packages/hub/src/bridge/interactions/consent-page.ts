/**
 * Owns the consent page for third-party apps: which app, which data, each scope in plain words.
 */
import { html } from '../../http/html.ts';
import { renderClientLogo, renderClientName, renderClientPolicies } from '../../http/render-client.ts';
import { renderPage } from '../../http/render-page.ts';
import type { Locale } from '../../i18n/locales.ts';
import { currentLocale, type MessageKey, t, th } from '../../i18n/translate.ts';

const SCOPE_TEXT: Readonly<Record<string, MessageKey>> = {
  openid: 'bridge.consent.scope.openid',
  email: 'bridge.consent.scope.email',
  profile: 'bridge.consent.scope.profile',
  offline_access: 'bridge.consent.scope.offline_access',
};

/**
 * Approve and deny are two buttons of one form (no script). The form posts to the interaction's
 * own path, where the interaction cookie (SameSite=Lax, path-scoped) binds it to this browser, so
 * a cross-site page cannot submit it.
 *
 * `locale` defaults to the request's; the interaction page passes the language an app asked for
 * (ui_locales), which the request learns only once it has read the interaction.
 */
export function renderConsentPage(o: {
  uid: string;
  clientName: string;
  clientUri: string | undefined;
  /** The app's logo, as allowed in the answer's CSP (http/security-headers.ts, allowClientImage). */
  logoSrc?: string | undefined;
  policyUri?: string | undefined;
  tosUri?: string | undefined;
  scopes: string[];
  claims: string[];
  locale?: Locale | undefined;
}): string {
  const locale = o.locale ?? currentLocale();
  const items = [
    ...o.scopes.map((s) => (Object.hasOwn(SCOPE_TEXT, s) ? t(SCOPE_TEXT[s]!, undefined, locale) : t('bridge.consent.scope.other', { scope: s }, locale))),
    ...o.claims.map((c) => t('bridge.consent.claim', { claim: c }, locale)),
  ];
  return renderPage({
    title: t('bridge.consent.title', { app: o.clientName }, locale),
    body: html`${renderClientLogo(o.logoSrc, 'consent/client-logo')}<h1>${th('bridge.consent.heading', { app: html`<span data-testid="consent/client">${o.clientName}</span>` }, locale)}</h1>
${o.clientUri ? html`<p class="muted" data-testid="consent/client-uri">${renderClientName({ name: o.clientUri, clientUri: o.clientUri }, 'consent/client-link')}</p>` : ''}
${renderClientPolicies({ name: o.clientName, policyUri: o.policyUri, tosUri: o.tosUri }, 'consent/client')}
<p class="lead">${th('bridge.consent.lead', undefined, locale)}</p>
<ul data-testid="consent/scopes">${items.map((i) => html`<li>${i}</li>`)}</ul>
<form method="post" action="/interaction/${o.uid}/consent" data-testid="consent/form">
<button type="submit" name="decision" value="approve" data-testid="consent/approve">${t('bridge.consent.approve', undefined, locale)}</button>
<button type="submit" name="decision" value="deny" class="secondary" data-testid="consent/deny">${t('bridge.consent.deny', undefined, locale)}</button>
</form>`,
  });
}
