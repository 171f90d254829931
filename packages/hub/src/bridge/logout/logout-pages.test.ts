import type { KoaContextWithOIDC } from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type Hub } from '../../app.ts';
import { checkConfig } from '../../config/check-config.ts';
import { createLogger } from '../../http/create-logger.ts';
import { providerEndSessionStep } from '../provider/provider-internals.ts';
import { HubRequest, runHubRequest } from '../../request/hub-request.ts';
import { hintIsForThisSession, renderLoggedOutPage, renderLogoutPage, renderProviderError } from './logout-pages.ts';

/** The little of a Koa context with oidc-provider's `ctx.oidc` that the pages read and write. */
function fakeContext(oidc: Record<string, unknown>): KoaContextWithOIDC & { body: string; headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  return {
    oidc: { entities: {}, urlFor: (name: string) => `/oidc/${name}`, ...oidc },
    headers,
    set(name: string, value: string) {
      headers[name] = value;
    },
    type: '',
    body: '',
  } as never;
}

async function errorPage(route: string, out: { error: string; error_description?: string }, reference?: string): Promise<string> {
  const ctx = fakeContext({ route });
  await renderProviderError(ctx, out, new Error(out.error_description), reference);
  expect(ctx.headers['content-security-policy']).toMatch(/default-src 'none'/);
  return ctx.body;
}

const text = (page: string, testid: string) => new RegExp(`data-testid="${testid}"[^>]*>([^<]*)<`).exec(page)?.[1];

// Issue #20: oidc-provider's error_description is written for developers; the page it renders on
// (/oidc/auth, /oidc/session/end) is read by users.
describe('the provider error page speaks the hub\'s words, not the provider\'s (#20)', () => {
  it.each([
    ['authorization', 'invalid_client', 'client is invalid', /not registered with this sign-in service/],
    ['authorization', 'invalid_redirect_uri', "redirect_uri did not match any of the client's registered redirect_uris", /address it has not registered/],
    ['end_session', 'invalid_request', 'post_logout_redirect_uri not registered', /address it has not registered/],
    ['end_session', 'invalid_client', 'unrecognized id_token_hint audience', /not registered with this sign-in service/],
    ['end_session', 'invalid_request', 'could not validate id_token_hint', /could not check/],
    ['end_session_confirm', 'invalid_request', 'xsrf token invalid', /expired or was already used/],
    ['authorization', 'invalid_request', 'some wording a later oidc-provider may use', /cannot accept/],
  ])('%s, %s "%s": plain-language copy, the code small, the description nowhere', async (route, error, description, message) => {
    const page = await errorPage(route, { error, error_description: description }, 'req-1234');
    expect(text(page, 'error/message')).toMatch(message);
    expect(text(page, 'error/next')).toMatch(/Go back to the app/);
    expect(text(page, 'oidc/error')).toBe(error);
    expect(text(page, 'error/reference')).toBe('req-1234');
    expect(page).not.toContain(description.replaceAll("'", '&#39;'));
    expect(page).not.toContain(description);
  });

  it('keeps the markup safe when the provider has no description', async () => {
    const page = await errorPage('authorization', { error: '<b>odd</b>' });
    expect(page).not.toContain('<b>odd</b>');
    expect(text(page, 'error/message')).toMatch(/cannot accept/);
  });
});

describe('the provider error page is titled after what the user was doing (#20)', () => {
  it.each(['end_session', 'end_session_confirm', 'end_session_success'])('%s: a sign-out error', async (route) => {
    const page = await errorPage(route, { error: 'invalid_request', error_description: 'post_logout_redirect_uri not registered' });
    expect(text(page, 'error/title')).toBe('We could not sign you out');
    expect(page).toContain('<title>We could not sign you out');
    expect(page).not.toMatch(/sign-in request|sign you in/i);
  });

  it.each(['authorization', 'resume'])('%s: a sign-in error', async (route) => {
    const page = await errorPage(route, { error: 'invalid_client', error_description: 'client is invalid' });
    expect(text(page, 'error/title')).toBe('We could not sign you in');
    expect(page).not.toMatch(/sign you out/i);
  });
});

describe('RP-initiated logout asks only when the request does not prove this session (#20)', () => {
  const session = (sids: Record<string, string>) => ({
    accountId: 'user-1',
    state: { secret: 'xsrf-secret' },
    sidFor: (clientId: string) => sids[clientId],
  });
  const client = { clientId: 'app-a', clientName: 'App A' };
  const hint = (payload: Record<string, unknown>) => ({ IdTokenHint: { payload } });
  const good = { aud: 'app-a', sub: 'user-1', sid: 'sid-a' };

  it.each([
    ['a hint for this session, account and app', hint(good), true],
    ['no hint', {}, false],
    ['a hint of another session (other sid)', hint({ ...good, sid: 'sid-elsewhere' }), false],
    ['a hint without sid', hint({ ...good, sid: undefined }), false],
    ['a hint for another account', hint({ ...good, sub: 'user-2' }), false],
    ['a hint for another app', hint({ ...good, aud: 'shop-b' }), false],
  ])('%s: %s', (_name, entities, expected) => {
    const ctx = fakeContext({ route: 'end_session', entities, client, session: session({ 'app-a': 'sid-a', 'shop-b': 'sid-b' }) });
    expect(hintIsForThisSession(ctx)).toBe(expected);
  });

  it('no signed-in account: never skipped', () => {
    const ctx = fakeContext({ route: 'end_session', entities: hint(good), client, session: { ...session({ 'app-a': 'sid-a' }), accountId: undefined } });
    expect(hintIsForThisSession(ctx)).toBe(false);
  });

  it('renders the confirmation form, no script, when the hint does not prove this session', async () => {
    const ctx = fakeContext({ route: 'end_session', entities: hint({ ...good, sid: 'other' }), client, session: session({ 'app-a': 'sid-a' }), params: {} });
    await renderLogoutPage(ctx);
    expect(ctx.body).toContain('data-testid="logout/form"');
    expect(ctx.body).toContain('name="xsrf" value="xsrf-secret"');
    expect(ctx.body).not.toContain('<script');
  });

  it("shows the app's https logo and lets only this answer's CSP load it; no logo otherwise", async () => {
    const img = (csp: string | undefined) => csp?.split('; ').find((d) => d.startsWith('img-src'));
    const withLogo = fakeContext({ route: 'end_session', client: { ...client, logoUri: 'https://cdn.app-a.example/logo.svg' }, session: session({}), params: {} });
    await renderLogoutPage(withLogo);
    expect(withLogo.body).toContain('<img class="client-logo" src="https://cdn.app-a.example/logo.svg" alt=""');
    expect(img(withLogo.headers['content-security-policy'])).toBe("img-src 'self' data: https://cdn.app-a.example");
    const plainHttp = fakeContext({ route: 'end_session', client: { ...client, logoUri: 'http://cdn.app-a.example/logo.svg' }, session: session({}), params: {} });
    await renderLogoutPage(plainHttp);
    expect(plainHttp.body).not.toContain('client-logo');
    expect(img(plainHttp.headers['content-security-policy'])).toBe("img-src 'self' data:");
  });

  // oidc-provider internals (checked against 9.13): the confirmation step the hub runs itself.
  it('finds oidc-provider\'s own end_session confirmation step (lib/actions/end_session.js)', async () => {
    const step = await providerEndSessionStep();
    expect(typeof step).toBe('function');
    expect(step?.name).toBe('endSession');
  });
});

// Issue #20: the provider's pages speak the language of the request they answer.
describe('the provider pages in the request\'s language (#20)', () => {
  const inLocale = <T>(acceptLanguage: string, fn: () => T): T => runHubRequest(fn, new HubRequest('req-de', { acceptLanguage }));
  const session = { accountId: 'user-1', state: { secret: 'xsrf-secret' }, sidFor: () => undefined };

  it('German logout confirmation: title, question, buttons; the form unchanged', async () => {
    const ctx = fakeContext({ route: 'end_session', client: { clientId: 'app-a', clientName: 'App A' }, session, params: {} });
    await inLocale('de-DE,de;q=0.9', () => renderLogoutPage(ctx));
    expect(ctx.body).toContain('<title>Abmelden');
    expect(ctx.body).toContain('<strong>App A</strong> möchte Sie abmelden.');
    expect(text(ctx.body, 'logout/everywhere')).toBe('Überall abmelden');
    expect(text(ctx.body, 'logout/only-app')).toBe('Nur von App A abmelden');
    expect(ctx.body).toContain('name="xsrf" value="xsrf-secret"');
    expect(/<main[^>]*>([\s\S]*)<\/main>/.exec(ctx.body)?.[1]).not.toMatch(/sign|app that/i);
  });

  it('French logout confirmation without an app, and the French signed-out page', async () => {
    const ctx = fakeContext({ route: 'end_session', session, params: {} });
    await inLocale('fr', () => renderLogoutPage(ctx));
    expect(ctx.body).toContain('Voulez-vous vous déconnecter\u00a0?');
    expect(text(ctx.body, 'logout/everywhere')).toBe('Se déconnecter partout');
    expect(ctx.body).not.toContain('logout/only-app');
    const done = fakeContext({ route: 'end_session_success' });
    await inLocale('fr', () => renderLoggedOutPage(done));
    expect(done.body).toContain('<h1>Vous êtes déconnecté</h1>');
    expect(text(done.body, 'logout/done')).toBe('Vous pouvez fermer cette fenêtre.');
    expect(done.body).toContain('<a href="/login">Se reconnecter</a>');
  });

  it('German and Spanish error pages: title, copy, code and reference kept for support', async () => {
    const de = fakeContext({ route: 'end_session' });
    await inLocale('de', () => renderProviderError(de, { error: 'invalid_request', error_description: 'post_logout_redirect_uri not registered' }, undefined, 'req-42'));
    expect(text(de.body, 'error/title')).toBe('Wir konnten Sie nicht abmelden');
    expect(text(de.body, 'error/message')).toMatch(/^Die App wollte Sie an eine Adresse zurückschicken/);
    expect(text(de.body, 'error/next')).toMatch(/^Kehren Sie zur App zurück/);
    expect(de.body).toContain('Fehlercode: <code data-testid="oidc/error">invalid_request</code> · Referenz: <span data-testid="error/reference">req-42</span>');
    const es = fakeContext({ route: 'authorization' });
    await inLocale('es', () => renderProviderError(es, { error: 'invalid_client' }, undefined));
    expect(text(es.body, 'error/title')).toBe('No pudimos iniciar su sesión');
    expect(text(es.body, 'error/message')).toMatch(/no está registrada/);
    expect(es.body).toContain('Código de error: <code data-testid="oidc/error">invalid_client</code> · Referencia: <span data-testid="error/reference">req-de</span>');
  });

  it('outside any request: English', async () => {
    const ctx = fakeContext({ route: 'end_session_success' });
    await renderLoggedOutPage(ctx);
    expect(ctx.body).toContain('<h1>You are signed out</h1>');
  });
});

// The same pages from the mounted provider, in the hub (memory store; Kratos is never asked).
describe('the provider error pages of a running hub (#20)', () => {
  let hub: Hub;
  const lines: { msg: string; reqId?: string; url?: string }[] = [];
  beforeAll(async () => {
    const config = checkConfig({
      mode: 'development',
      publicUrl: 'http://login.localhost:4000',
      store: { kind: 'memory' },
      kratos: { publicUrl: 'http://127.0.0.1:9', adminUrl: 'http://127.0.0.1:9' },
      bridge: {
        cookieKeys: ['logout-pages-test-cookie-key-0123456789abcdef'],
        clients: [
          {
            client_id: 'app-a',
            client_secret: 'app-a-secret-0123456789abcdefghijklmnop',
            redirect_uris: ['https://app-a.test/callback'],
            post_logout_redirect_uris: ['https://app-a.test/signed-out'],
            token_endpoint_auth_method: 'client_secret_basic',
          },
        ],
      },
    });
    hub = await buildApp(config, { log: createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line)) }) });
    await hub.app.ready();
  });
  afterAll(async () => {
    await hub?.close();
  });

  it.each([
    ['/oidc/auth?client_id=nobody&response_type=code&scope=openid', 'We could not sign you in', 'invalid_client', 'client is invalid'],
    ['/oidc/session/end?client_id=nobody', 'We could not sign you out', 'invalid_client', 'client is invalid'],
    [
      `/oidc/session/end?client_id=app-a&post_logout_redirect_uri=${encodeURIComponent('https://evil.example/')}`,
      'We could not sign you out',
      'invalid_request',
      'post_logout_redirect_uri not registered',
    ],
  ])('%s: "%s", the code %s and the request\'s reference, never "%s"', async (url, title, code, description) => {
    const res = await hub.app.inject({ method: 'GET', url, headers: { accept: 'text/html' } });
    expect(res.statusCode).toBe(400);
    expect(text(res.body, 'error/title')).toBe(title);
    expect(text(res.body, 'oidc/error')).toBe(code);
    expect(res.body).not.toContain(description);
    const reference = text(res.body, 'error/reference');
    expect(reference).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines.some((l) => l.reqId === reference)).toBe(true);
  });

  // oidc-provider calls renderError, logoutSource and postLogoutSuccessSource itself: they must
  // still run inside the hub request's scope to know its language.
  it('renderError speaks the request\'s language (Accept-Language, ui_locales)', async () => {
    const de = await hub.app.inject({ method: 'GET', url: '/oidc/session/end?client_id=nobody', headers: { accept: 'text/html', 'accept-language': 'de-CH, en;q=0.5' } });
    expect(de.statusCode).toBe(400);
    expect(text(de.body, 'error/title')).toBe('Wir konnten Sie nicht abmelden');
    const fr = await hub.app.inject({ method: 'GET', url: '/oidc/auth?client_id=nobody&response_type=code&scope=openid&ui_locales=fr-CA', headers: { accept: 'text/html' } });
    expect(text(fr.body, 'error/title')).toBe('Nous n’avons pas pu vous connecter');
  });

  // logoutSource needs a signed-in provider session (bridge-locale.test.ts, with Kratos); without
  // one the provider confirms by itself and ends on postLogoutSuccessSource.
  it('postLogoutSuccessSource speaks the request\'s language', async () => {
    const start = await hub.app.inject({ method: 'GET', url: '/oidc/session/end', headers: { accept: 'text/html' } });
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(start.body)?.[1];
    expect(xsrf).toBeTruthy();
    const cookie = start.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const confirm = await hub.app.inject({ method: 'POST', url: '/oidc/session/end/confirm', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: `xsrf=${xsrf}&logout=yes` });
    expect(confirm.statusCode).toBe(303);
    const done = await hub.app.inject({ method: 'GET', url: new URL(confirm.headers.location as string, 'http://localhost').pathname, headers: { accept: 'text/html', cookie, 'accept-language': 'es' } });
    expect(text(done.body, 'logout/done')).toBe('Puede cerrar esta ventana.');
    expect(done.body).toContain('<h1>Ha cerrado la sesión</h1>');
  });
});
