import { createHash } from 'node:crypto';
import { importJWK, SignJWT } from 'jose';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpSession, type TestBrowser } from '@ssohub/testkit';
import { openBrowser, screenshot } from '../support/browser.ts';
import { type Deployment, startDeployment } from '../support/deployment.ts';
import { button, node } from '../support/flow-page.ts';

// The mission, end to end in a real Chromium over https: apps on unrelated domains
// (app-a.test, shop-b.example) share one sign-in at login.sso.test, and each keeps its own session.

const EVENT = 'http://schemas.openid.net/event/backchannel-logout';
const sessionKey = (cookieValue: string) => createHash('sha256').update(cookieValue).digest('base64url');

describe('cross-domain single sign-on (Chromium, https, real Kratos and Redis)', () => {
  let d: Deployment;
  let browser: TestBrowser;
  let context: BrowserContext;
  let page: Page;
  const email = `sso.${Date.now()}@example.test`;

  /** Every page load the browser made on the hub (not redirects): proves "without any page". */
  const hubPages: string[] = [];

  beforeAll(async () => {
    d = await startDeployment();
    browser = await openBrowser();
    context = await browser.newContext();
    page = await context.newPage();
    page.on('response', (res) => {
      if (res.url().startsWith(d.hubUrl) && res.request().resourceType() === 'document' && res.status() < 300) hubPages.push(res.url());
    });
  });
  afterAll(async () => {
    await browser?.close();
    await d?.stop();
  });

  /**
   * Follows sign-in redirects from Node with a copy of the browser's cookies up to the app's
   * callback URL, without opening it, then hands the app's new transaction cookie to the browser.
   * (Playwright cannot rewrite a redirected navigation, and its request API does not see the
   * test host names.)
   */
  const callbackUrlOf = async (start: string): Promise<URL> => {
    const http = new HttpSession();
    for (const c of await context.cookies()) {
      http.jar.store(new URL(`https://${c.domain.replace(/^\./, '')}/`), [`${c.name}=${c.value}; Path=${c.path}${c.secure ? '; Secure' : ''}`]);
    }
    const last = await http.request(start, { follow: true, stopAt: (u: URL) => u.href.startsWith(`${d.appA.url}/auth/callback`) });
    const callback = last.url;
    if (!callback.href.startsWith(`${d.appA.url}/auth/callback`)) throw new Error(`sign-in stopped at ${callback} (${last.status})`);
    const appCookies = http.jar.all().filter((c) => c.domain === 'app-a.test');
    await context.addCookies(appCookies.map((c) => ({ name: c.name, value: c.value, domain: c.domain, path: c.path, secure: c.secure, httpOnly: c.httpOnly, sameSite: 'Lax' as const })));
    return callback;
  };

  const appCookie = async (url: string) => {
    const cookies = await context.cookies(url);
    return cookies.find((c) => c.name.startsWith('__Host-ssohub-'));
  };

  it('registers by code at the hub starting from App A, and lands back in App A signed in', async () => {
    await page.goto(d.appA.url);
    await page.locator('[data-testid="sign-in"]').click();
    await page.waitForURL(new RegExp(`^${d.hubUrl}/login\\?flow=`));
    await page.locator('[data-testid="link/registration"]').click();
    await page.waitForURL(new RegExp(`^${d.hubUrl}/registration\\?flow=`));
    await node(page, 'default/traits.email').fill(email);
    await node(page, 'default/traits.name').fill('Katherine Johnson');
    await button(page, 'profile', 'method').click();
    await page.waitForSelector('[data-testid="node/code/method"]');
    const since = Date.now();
    await button(page, 'code', 'method').click();
    await page.waitForSelector('[data-testid="node/code/code"]');
    await node(page, 'code/code').fill(await d.stack.smtp.latestCode(email, { since }));
    await button(page, 'code', 'method').click();
    await page.waitForURL(`${d.appA.url}/`);
    expect(await page.locator('[data-testid="email"]').textContent()).toBe(email);
    expect(await page.locator('[data-testid="user"]').textContent()).toBe('Katherine Johnson');
    expect(await page.locator('[data-testid="acr"]').textContent()).toMatch(/^aal1/);
    await screenshot(page, 'app-a-signed-in');
  });

  it('opens Shop B signed in without any page at the hub', async () => {
    hubPages.length = 0;
    await page.goto(d.shopB.url);
    await page.locator('[data-testid="sign-in"]').click();
    await page.waitForURL(`${d.shopB.url}/`);
    expect(await page.locator('[data-testid="email"]').textContent()).toBe(email);
    expect(hubPages).toEqual([]);
    await screenshot(page, 'shop-b-signed-in');
  });

  it("keeps each app's session cookie host-only on its own host, none of the hub's visible to the apps, ids different", async () => {
    const all = await context.cookies();
    const a = await appCookie(d.appA.url);
    const b = await appCookie(d.shopB.url);
    expect(a).toMatchObject({ domain: 'app-a.test', path: '/', secure: true, httpOnly: true, sameSite: 'Lax' });
    expect(b).toMatchObject({ domain: 'shop-b.example', path: '/', secure: true, httpOnly: true, sameSite: 'Lax' });
    // Playwright shows Domain cookies with a leading dot; host-only cookies without one.
    expect(all.filter((c) => c.domain.startsWith('.'))).toEqual([]);
    expect(all.filter((c) => c.domain === 'app-a.test').map((c) => c.name)).toEqual([a!.name]);
    expect(all.filter((c) => c.domain === 'shop-b.example').map((c) => c.name)).toEqual([b!.name]);
    const hubCookieNames = all.filter((c) => c.domain === 'login.sso.test').map((c) => c.name);
    expect(hubCookieNames).toContain('ory_kratos_session');
    for (const appUrl of [d.appA.url, d.shopB.url]) {
      expect((await context.cookies(appUrl)).map((c) => c.name).filter((n) => hubCookieNames.includes(n))).toEqual([]);
    }
    expect(a!.value).not.toBe(b!.value);
    const [recA, recB] = [await d.appA.store.get(sessionKey(a!.value)), await d.shopB.store.get(sessionKey(b!.value))];
    expect(recA?.claims.email).toBe(email);
    expect(recB?.claims.email).toBe(email);
    expect(recA!.id).not.toBe(recB!.id);
    expect(recA!.sid).not.toBe(recB!.sid);
    // Each app's SDK verified an ID token signed the way its registration asks (deployment.ts).
    const alg = (jwt: string) => (JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()) as { alg: string }).alg;
    expect([alg(recA!.tokens.idToken), alg(recB!.tokens.idToken)]).toEqual(['RS256', 'ES256']);
    // Each app's store namespace holds only its own session.
    expect(await d.shopB.store.get(recA!.id)).toBeUndefined();
  });

  it("refuses App A's access token at Shop B's API (audience), and accepts it at App A's", async () => {
    const rec = await d.appA.store.get(sessionKey((await appCookie(d.appA.url))!.value));
    const token = rec!.tokens.accessToken;
    const atB = await fetch(`${d.shopB.url}/api/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(atB.status).toBe(401);
    const atA = await fetch(`${d.appA.url}/api/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(atA.status).toBe(200);
    expect(((await atA.json()) as { app: string }).app).toBe('app-a');
  });

  it("refuses App A's own refresh token and ID token at App A's API with 401 invalid_token (not 200, not 503)", async () => {
    const rec = await d.appA.store.get(sessionKey((await appCookie(d.appA.url))!.value));
    expect(rec!.tokens.refreshToken).toBeTruthy();
    for (const [kind, token] of [
      ['refresh token', rec!.tokens.refreshToken!],
      ['ID token', rec!.tokens.idToken],
    ] as const) {
      const res = await fetch(`${d.appA.url}/api/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status, kind).toBe(401);
      expect(res.headers.get('www-authenticate'), kind).toBe('Bearer error="invalid_token"');
      expect(((await res.json()) as { error: string }).error, kind).toBe('invalid_token');
    }
  });

  it('ends only App A on local logout; Shop B stays signed in', async () => {
    await page.goto(d.appA.url);
    await page.locator('[data-testid="logout-local"]').click();
    await page.waitForURL(`${d.appA.url}/`);
    expect(await page.locator('[data-testid="sign-in"]').isVisible()).toBe(true);
    await page.goto(d.shopB.url);
    expect(await page.locator('[data-testid="email"]').textContent()).toBe(email);
  });

  it('refuses forged, expired, wrong-audience and replayed logout tokens, ending nothing', async () => {
    // Sign App A in again (single sign-on, no page) for a live session to aim at.
    await page.goto(`${d.appA.url}/auth/login?returnTo=%2F`);
    await page.waitForURL(`${d.appA.url}/`);
    const rec = (await d.appA.store.get(sessionKey((await appCookie(d.appA.url))!.value)))!;
    const hubKey = await importJWK(d.signingKeys.rs256, 'RS256');
    const sign = (claims: Record<string, unknown>, key: Parameters<SignJWT['sign']>[0] = hubKey, kid = 'e2e-rs256') =>
      new SignJWT({ events: { [EVENT]: {} }, sid: rec.sid, ...claims })
        .setProtectedHeader({ alg: 'RS256', typ: 'logout+jwt', kid })
        .setIssuer(d.issuer)
        .setAudience('app-a')
        .setIssuedAt()
        .setJti(crypto.randomUUID())
        .sign(key);
    const post = (token: string) =>
      fetch(`${d.appA.url}/auth/backchannel-logout`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ logout_token: token }) });
    const { privateKey: strangerKey } = await import('jose').then((j) => j.generateKeyPair('RS256'));

    const bad = {
      forged: await sign({}, strangerKey),
      expired: await new SignJWT({ events: { [EVENT]: {} }, sid: rec.sid }).setProtectedHeader({ alg: 'RS256', typ: 'logout+jwt', kid: 'e2e-rs256' }).setIssuer(d.issuer).setAudience('app-a').setIssuedAt(Math.floor(Date.now() / 1000) - 3600).setExpirationTime(Math.floor(Date.now() / 1000) - 3000).setJti(crypto.randomUUID()).sign(hubKey),
      wrongAudience: await new SignJWT({ events: { [EVENT]: {} }, sid: rec.sid }).setProtectedHeader({ alg: 'RS256', typ: 'logout+jwt', kid: 'e2e-rs256' }).setIssuer(d.issuer).setAudience('shop-b').setIssuedAt().setJti(crypto.randomUUID()).sign(hubKey),
    };
    for (const [label, token] of Object.entries(bad)) {
      const res = await post(token);
      expect(res.status, label).toBe(400);
      expect(await d.appA.store.get(rec.id), label).toBeDefined();
    }
    // A replay: a genuine token aimed at a sid of no live session is accepted once (ends nothing),
    // then refused because its jti was seen.
    const genuine = await sign({ sid: 'no-such-session' });
    expect((await post(genuine)).status).toBe(200);
    expect((await post(genuine)).status).toBe(400);
    expect(await d.appA.store.get(rec.id)).toBeDefined();
  });

  it('answers a callback without a pending sign-in, a tampered state and a replayed callback with a clear error page', async () => {
    const noPending = await page.goto(`${d.appA.url}/auth/callback?code=abc&state=def&iss=${encodeURIComponent(d.issuer)}`);
    expect(noPending?.status()).toBe(400);
    expect(await page.locator('[data-testid="sso-error-code"]').textContent()).toMatch(/^SSOHUB_CLIENT_ERR_/);
    await screenshot(page, 'app-a-callback-error');

    // Tampered state: walk the sign-in redirects with the context's own cookies (Playwright cannot
    // rewrite a redirected navigation), change the state in the hub's answer, then open it.
    const callback = await callbackUrlOf(`${d.appA.url}/auth/login?returnTo=%2F`);
    callback.searchParams.set('state', 'tampered-state');
    const tampered = await page.goto(callback.toString());
    expect(tampered?.status()).toBe(400);
    expect(await page.locator('[data-testid="sso-error-code"]').textContent()).toMatch(/STATE/);

    // Replayed callback: a genuine callback URL used a second time.
    let callbackUrl = '';
    const capture = (r: { url(): string }) => {
      if (r.url().startsWith(`${d.appA.url}/auth/callback`)) callbackUrl = r.url();
    };
    page.on('request', capture);
    await page.goto(`${d.appA.url}/auth/login?returnTo=%2F`);
    await page.waitForURL(`${d.appA.url}/`);
    page.off('request', capture);
    expect(await page.locator('[data-testid="email"]').textContent()).toBe(email);
    const replay = await page.goto(callbackUrl);
    expect(replay?.status()).toBe(400);
    expect(await page.locator('[data-testid="sso-error-message"]').textContent()).toMatch(/\S/);
  });

  it("ends App A's session through back-channel logout when the user logs out everywhere from Shop B, and the Kratos session", async () => {
    const recA = (await d.appA.store.get(sessionKey((await appCookie(d.appA.url))!.value)))!;
    const kratosCookie = (await context.cookies(d.hubUrl)).find((c) => c.name === 'ory_kratos_session')!;
    await page.goto(d.shopB.url);
    // Shop B sends its id_token_hint for this browser's hub session: the user chose "everywhere"
    // at Shop B and the hub does not ask again (issue #20); a request without it still would.
    // The first page the browser shows after the click is Shop B's again (redirects are not shown).
    const shown = page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame() });
    const started = performance.now();
    await page.locator('[data-testid="logout-global"]').click();
    expect(new URL((await shown).url()).origin).toBe(d.shopB.url);
    await page.waitForLoadState();
    // Poll App A's own store: the back-channel delivery is what ends it.
    let endedAfterMs = -1;
    for (let i = 0; i < 200; i++) {
      if ((await d.appA.store.get(recA.id)) === undefined) {
        endedAfterMs = performance.now() - started;
        break;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(endedAfterMs).toBeGreaterThan(0);
    console.log(`back-channel logout ended App A's session ${endedAfterMs.toFixed(0)} ms after the click at Shop B`);
    expect(endedAfterMs).toBeLessThan(5_000);
    await page.goto(d.appA.url);
    expect(await page.locator('[data-testid="sign-in"]').isVisible()).toBe(true);
    const whoami = await fetch(`${d.hubUrl}/sessions/whoami`, { headers: { cookie: `ory_kratos_session=${kratosCookie.value}`, accept: 'application/json' } });
    expect(whoami.status).toBe(401);
  });

});
