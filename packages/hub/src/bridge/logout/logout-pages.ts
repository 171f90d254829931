/**
 * Owns the pages oidc-provider shows the browser itself: the logout confirmation, the signed-out
 * page, and the errors it cannot send back to a client. They are the hub's pages, so they carry
 * its content security policy (no script), not the one the mount sets on the provider's answers
 * (mount-provider.ts, which lets the provider's auto-submit script run). They speak the request's
 * language (i18n/translate.ts): oidc-provider calls them inside the hub request's scope.
 */
import type { KoaContextWithOIDC } from 'oidc-provider';
import { html } from '../../http/html.ts';
import { currentPageBranding, renderPage } from '../../http/render-page.ts';
import { renderClientLogo } from '../../http/render-client.ts';
import { clientImageUrl, contentSecurityPolicy } from '../../http/security-headers.ts';
import { type MessageKey, t, th } from '../../i18n/translate.ts';
import { currentHubRequest } from '../../request/hub-request.ts';
import { PROVIDER_ROUTES, providerEndSessionStep } from '../provider/provider-internals.ts';

function send(ctx: KoaContextWithOIDC, body: string, clientImage?: URL): void {
  ctx.type = 'html';
  ctx.set(
    'content-security-policy',
    contentSecurityPolicy({ imgOrigin: logoOrigin(currentPageBranding().logoSrc), clientImgOrigins: clientImage ? [clientImage.origin] : [] }),
  );
  ctx.body = body;
}

/** The origin a logo URL (branding.logo) adds to img-src; none for the hub's own asset. */
function logoOrigin(src: string | undefined): string | undefined {
  return src && /^https?:\/\//i.test(src) ? new URL(src).origin : undefined;
}

/**
 * The RP-initiated logout confirmation (oidc-provider's logoutSource). A plain form, no script: it
 * works without JavaScript, and only a POST carrying the session's xsrf value ends anything, so a
 * link alone cannot sign a user out. "Everywhere" ends the hub session, the Kratos session and
 * every app's session.
 *
 * Not asked when the app proved it speaks for this very session (hintIsForThisSession): the user
 * already chose "sign out everywhere" at the app, and asking again at the hub is the second
 * question of issue #20. The confirmation step then runs here, server-side (signOutWithoutAsking).
 */
export async function renderLogoutPage(ctx: KoaContextWithOIDC): Promise<void> {
  if (hintIsForThisSession(ctx) && (await signOutWithoutAsking(ctx))) return;
  const session = ctx.oidc.session!;
  const client = ctx.oidc.client;
  const app = client?.clientName ?? client?.clientId;
  // The app's logo (logo_uri), as on its sign-in and consent pages; this answer's CSP allows it.
  const logo = clientImageUrl(client?.logoUri);
  const action = ctx.oidc.urlFor('end_session_confirm');
  send(
    ctx,
    renderPage({
      title: t('bridge.logout.title'),
      body: html`${renderClientLogo(logo?.href, 'logout/client-logo')}<h1>${t('bridge.logout.title')}</h1>
<p class="lead">${app ? th('bridge.logout.app_asks', { app: html`<strong>${app}</strong>` }) : t('bridge.logout.question')} ${t('bridge.logout.everywhere_explained')}</p>
<form method="post" action="${action}" data-testid="logout/form">
<input type="hidden" name="xsrf" value="${session.state?.secret as string}">
<button type="submit" name="logout" value="yes" data-testid="logout/everywhere" autofocus>${t('bridge.logout.everywhere')}</button>
${app ? html`<button type="submit" class="secondary" data-testid="logout/only-app">${t('bridge.logout.only_app', { app })}</button>` : ''}
</form>`,
    }),
    logo,
  );
}

/**
 * Whether the logout request carries an id_token_hint issued to the requesting app in the
 * browser's current provider session, for its signed-in account. By the time logoutSource runs,
 * oidc-provider has checked the hint (signature by the hub's keys, issuer, audience: its
 * endSessionChecks step throws otherwise) and made its audience the request's client; its `sid`
 * is the one the provider gave that app in this session (Session#sidFor), which no other session,
 * browser or app shares. OpenID Connect RP-Initiated Logout 1.0 asks for the End-User's explicit
 * confirmation of logout requests without a valid id_token_hint (section 6: they are a means of
 * denial of service); one that proves the app's session in this browser is what lets the hub
 * skip it. Without a hint, with an expired session's or another session's hint, the form asks.
 */
export function hintIsForThisSession(ctx: KoaContextWithOIDC): boolean {
  const hint = (ctx.oidc.entities as { IdTokenHint?: { payload?: { sub?: unknown; sid?: unknown; aud?: unknown } } }).IdTokenHint?.payload;
  const session = ctx.oidc.session;
  const client = ctx.oidc.client;
  if (!hint || !session?.accountId || !client) return false;
  return (
    hint.aud === client.clientId &&
    hint.sub === session.accountId &&
    typeof hint.sid === 'string' &&
    hint.sid.length > 0 &&
    session.sidFor(client.clientId) === hint.sid
  );
}

/**
 * Answers the logout request as the confirmation POST would have with "Sign out everywhere"
 * (logout=yes). The xsrf value it skips only exists to prove the user, not a third party, asked:
 * the checked hint for this session proves the app did, which the user trusted with the session.
 * The request then is the confirmation (route end_session_confirm) for the hub's own hooks, so
 * the Kratos session and every provider session bound to it end as after the form
 * (sessions/provider-hooks.ts), and the audit names it the same way. Returns false, having
 * changed nothing, when the provider's step is not available.
 */
async function signOutWithoutAsking(ctx: KoaContextWithOIDC): Promise<boolean> {
  const endSession = await providerEndSessionStep();
  if (!endSession || !ctx.oidc.session?.state) return false;
  (ctx.oidc.params as Record<string, unknown>).logout = 'yes';
  (ctx.oidc as { route: string }).route = PROVIDER_ROUTES.endSessionConfirm;
  await endSession(ctx);
  return true;
}

export async function renderLoggedOutPage(ctx: KoaContextWithOIDC): Promise<void> {
  send(
    ctx,
    renderPage({
      title: t('bridge.logged_out.title'),
      body: html`<h1>${t('bridge.logged_out.heading')}</h1>
<p class="lead" data-testid="logout/done">${t('bridge.logged_out.close')}</p>
<div class="links"><a href="/login">${t('bridge.logged_out.sign_in_again')}</a></div>`,
    }),
  );
}

/** What the browser was doing when the provider refused: the title of the error page says it. */
export type ProviderErrorAction = 'sign-in' | 'sign-out';

/** The provider's routes of RP-initiated logout: their errors are sign-out errors. */
const SIGN_OUT_ROUTES: ReadonlySet<string> = new Set(['end_session', 'end_session_confirm', 'end_session_success']);

export function providerErrorAction(route: string | undefined): ProviderErrorAction {
  return route && SIGN_OUT_ROUTES.has(route) ? 'sign-out' : 'sign-in';
}

/** The hub's own words for one provider error: what happened, and what the user can do. */
export interface ProviderErrorCopy {
  message: string;
  next: string;
}

/** The catalog keys of one provider error's copy (catalogs/<locale>/bridge.ts). */
interface CopyKeys {
  message: MessageKey;
  next: MessageKey;
}

const BACK_TO_APP: MessageKey = 'bridge.error.next.back_to_app';

/**
 * The hub's copy for oidc-provider's errors, by error code and, where one code covers causes a
 * user should hear apart, by the provider's error_description (its wording in 9.x: an unknown
 * description falls back to the code's copy). The description itself is never shown: it is
 * written for developers ("client is invalid", "post_logout_redirect_uri not registered").
 */
const BY_DESCRIPTION: Readonly<Record<string, CopyKeys>> = {
  'post_logout_redirect_uri not registered': { message: 'bridge.error.unregistered_address', next: BACK_TO_APP },
  'could not decode id_token_hint': { message: 'bridge.error.unchecked_details', next: BACK_TO_APP },
  'could not validate id_token_hint': { message: 'bridge.error.unchecked_details', next: BACK_TO_APP },
  'client_id does not match the provided id_token_hint': { message: 'bridge.error.other_app_details', next: BACK_TO_APP },
  'xsrf token invalid': { message: 'bridge.error.form_expired', next: 'bridge.error.next.start_again' },
  'could not find logout details': { message: 'bridge.error.logout_form_expired', next: 'bridge.error.next.sign_out_again' },
};

const BY_CODE: Readonly<Record<string, CopyKeys>> = {
  invalid_client: { message: 'bridge.error.invalid_client', next: 'bridge.error.next.contact_support' },
  unauthorized_client: { message: 'bridge.error.unauthorized_client', next: 'bridge.error.next.contact_support' },
  invalid_redirect_uri: { message: 'bridge.error.unregistered_address', next: BACK_TO_APP },
  invalid_scope: { message: 'bridge.error.invalid_scope', next: BACK_TO_APP },
  access_denied: { message: 'bridge.error.access_denied', next: BACK_TO_APP },
  server_error: { message: 'bridge.error.server_error', next: 'bridge.error.next.wait' },
  temporarily_unavailable: { message: 'bridge.error.temporarily_unavailable', next: 'bridge.error.next.wait' },
};

const FALLBACK: CopyKeys = { message: 'bridge.error.fallback', next: BACK_TO_APP };

/** The copy for one provider error, in the current request's language. */
export function providerErrorCopy(out: { error: string; error_description?: string }): ProviderErrorCopy {
  const description = out.error_description;
  const keys =
    (description !== undefined && Object.hasOwn(BY_DESCRIPTION, description) ? BY_DESCRIPTION[description] : undefined) ??
    (Object.hasOwn(BY_CODE, out.error) ? BY_CODE[out.error] : undefined) ??
    FALLBACK;
  return { message: t(keys.message), next: t(keys.next) };
}

/**
 * Errors the provider shows the browser itself (it cannot redirect to the client because the
 * client or its redirect URI is not trusted). The hub's words, titled after what the user was
 * doing (signing in at /auth, signing out at end_session); the OAuth error code and the request's
 * reference stay visible, small, for support. The provider has set the status.
 */
export async function renderProviderError(
  ctx: KoaContextWithOIDC,
  out: { error: string; error_description?: string },
  _error: unknown,
  reference: string | undefined = currentHubRequest()?.id,
): Promise<void> {
  const action = providerErrorAction(ctx.oidc?.route);
  const copy = providerErrorCopy(out);
  const title = t(action === 'sign-out' ? 'bridge.error.title.sign_out' : 'bridge.error.title.sign_in');
  send(
    ctx,
    renderPage({
      title,
      body: html`<div class="error-mark" aria-hidden="true">!</div>
<h1 data-testid="error/title" data-action="${action}">${title}</h1>
<p class="lead" role="alert" data-testid="error/message" data-code="${out.error}">${copy.message}</p>
<p data-testid="error/next">${copy.next}</p>
<p class="reference muted">${th('bridge.error.code', { code: html`<code data-testid="oidc/error">${out.error}</code>` })}${reference ? html` · ${th('bridge.error.reference', { reference: html`<span data-testid="error/reference">${reference}</span>` })}` : ''}</p>`,
    }),
  );
}
