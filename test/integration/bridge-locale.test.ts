import { HttpSession } from '@ssohub/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UI_LOCALES_COOKIE } from '../../packages/hub/src/i18n/negotiate-locale.ts';
import { authorizationRequest, createUser, submitKratosLogin, type TestUser, walk } from '../support/bridge-kit.ts';
import { APP_A, type BridgeWorld, CALLBACKS, PARTNER_C, signIn, startBridgeWorld, stopBridgeWorld } from '../support/bridge-suite.ts';

// Issue #20: an app asks for the language of the sign-in with OIDC ui_locales. Kratos' redirects
// drop query parameters, so the hub carries it in a session cookie set by the interaction page.
// Real Kratos and Redis.

/** The Set-Cookie header of one response for `name`, as the browser got it. */
function setCookieOf(res: { headers: Headers }, name: string): string | undefined {
  return res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
}

/** Walks the authorization request until the interaction page has answered; returns that answer. */
async function toInteraction(w: BridgeWorld, browser: HttpSession, extra: Record<string, string>) {
  const req = await authorizationRequest(w.appA, `${APP_A}/callback`, extra);
  let url = new URL(req.url);
  for (let i = 0; i < 10; i++) {
    const res = await browser.request(url, { follow: false });
    const location = res.headers.get('location');
    if (url.pathname.startsWith('/interaction/')) return { res, next: location ? new URL(location, url) : undefined };
    if (!location) throw new Error(`no interaction page: ${res.status} ${url.href}`);
    url = new URL(location, url);
  }
  throw new Error('too many redirects before the interaction page');
}

const h1Of = (body: string) => /<h1[^>]*>([\s\S]*?)<\/h1>/.exec(body)?.[1]?.replace(/<[^>]+>/g, '').trim();

describe('ui_locales carries the app\'s language through the sign-in (#20)', () => {
  let w: BridgeWorld;
  let user: TestUser;
  beforeAll(async () => {
    w = await startBridgeWorld('redis');
    user = await createUser(w.stack.kratos.adminUrl, 'locale');
  }, 120_000);
  afterAll(async () => {
    await stopBridgeWorld(w);
  });

  it('discovery lists the shipped languages', async () => {
    const res = await fetch(`${w.issuer}/.well-known/openid-configuration`);
    const doc = (await res.json()) as { ui_locales_supported?: string[]; claim_types_supported?: string[] };
    expect(doc.ui_locales_supported).toEqual(['en', 'de', 'fr', 'es']);
    expect(doc.claim_types_supported).toEqual(['normal']);
  });

  it('ui_locales=de: the session cookie is set before the login flow, and the login page is German', async () => {
    const browser = new HttpSession();
    const { res, next } = await toInteraction(w, browser, { ui_locales: 'de-AT en' });
    expect(res.status).toBe(303);
    expect(next?.pathname).toBe('/login');
    const cookie = setCookieOf(res, UI_LOCALES_COOKIE);
    expect(cookie).toMatch(new RegExp(`^${UI_LOCALES_COOKIE}=de;`));
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).not.toMatch(/Max-Age|Expires/i);

    // The login page is reached without ui_locales in its URL (Kratos' redirects drop it).
    expect(next?.searchParams.has('ui_locales')).toBe(false);
    const login = await browser.request(next!, { headers: { accept: 'text/html', 'accept-language': 'en' } });
    expect(login.status).toBe(200);
    expect(login.body).toMatch(/<html lang="de"/);
    expect(h1Of(login.body)).toBe('Anmelden');

    // The rest of the sign-in goes on as before.
    const back = await submitKratosLogin(browser, w.stack.hubUrl, next!.searchParams.get('flow')!, user);
    const end = await walk(browser, back, CALLBACKS);
    expect(end.kind).toBe('callback');

    // The same browser session: the logout confirmation (oidc-provider's logoutSource) is German too.
    const logout = await browser.request(`${w.issuer}/session/end?client_id=app-a`, { follow: false, headers: { accept: 'text/html' } });
    expect(logout.status).toBe(200);
    expect(logout.body).toContain('data-testid="logout/everywhere" autofocus>Überall abmelden</button>');
  });

  it('no ui_locales: a cookie left by an earlier app is cleared, and the pages follow the browser again', async () => {
    const browser = new HttpSession();
    await toInteraction(w, browser, { ui_locales: 'fr' });
    expect(browser.jar.get(new URL(w.stack.hubUrl), UI_LOCALES_COOKIE)).toBe('fr');

    const { res, next } = await toInteraction(w, browser, {});
    expect(res.status).toBe(303);
    const cleared = setCookieOf(res, UI_LOCALES_COOKIE);
    expect(cleared).toMatch(new RegExp(`^${UI_LOCALES_COOKIE}=;`));
    expect(cleared).toMatch(/Expires=Thu, 01 Jan 1970|Max-Age=0/);
    expect(browser.jar.get(new URL(w.stack.hubUrl), UI_LOCALES_COOKIE)).toBeUndefined();
    const login = await browser.request(next!, { headers: { accept: 'text/html', 'accept-language': 'en' } });
    expect(h1Of(login.body)).not.toBe('Se connecter');
  });

  it('an unshipped language sets nothing', async () => {
    const browser = new HttpSession();
    const { res } = await toInteraction(w, browser, { ui_locales: 'ja tlh' });
    expect(res.status).toBe(303);
    expect(setCookieOf(res, UI_LOCALES_COOKIE)).toBeUndefined();
  });

  it('the consent page of the very request that brings ui_locales is already in that language', async () => {
    const browser = new HttpSession();
    await signIn(w, browser, w.appA, `${APP_A}/callback`, user);
    const req = await authorizationRequest(w.partnerC, `${PARTNER_C}/cb`, { ui_locales: 'es' });
    const end = await walk(browser, req.url, CALLBACKS);
    if (end.kind !== 'page') throw new Error(`expected the consent page, got ${end.kind}`);
    expect(end.res.body).toContain('data-testid="consent/form"');
    expect(setCookieOf(end.res, UI_LOCALES_COOKIE)).toMatch(new RegExp(`^${UI_LOCALES_COOKIE}=es;`));
    expect(h1Of(end.res.body)).toBe('¿Permitir que Partner C use su cuenta?');
    expect(end.res.body).toContain('data-testid="consent/approve">Permitir</button>');
  });
});
