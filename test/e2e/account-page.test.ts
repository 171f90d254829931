import { createHash } from 'node:crypto';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpSession, type TestBrowser } from '@ssohub/testkit';
import { openBrowser, screenshot } from '../support/browser.ts';
import { type Deployment, startDeployment } from '../support/deployment.ts';
import { button, node } from '../support/flow-page.ts';

// Issue #20, the account page: a user signed in at App A and Shop B sees, on the login domain, the devices
// signed in to the account and the apps holding access; removing App A's access ends App A's own
// session (back-channel logout), and signing out another device ends that device's session.

const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
const sessionKey = (cookieValue: string) => createHash('sha256').update(cookieValue).digest('base64url');

describe('the account page (Chromium, https, real Kratos and Redis)', () => {
  let d: Deployment;
  let browser: TestBrowser;
  let laptop: BrowserContext;
  let page: Page;
  let phone: BrowserContext;
  const email = `account.${Date.now()}@example.test`;

  beforeAll(async () => {
    d = await startDeployment();
    browser = await openBrowser();
    laptop = await browser.newContext();
    page = await laptop.newPage();
    phone = await browser.newContext();
    // The test browser takes no context options: the phone says what it is in every request.
    await phone.setExtraHTTPHeaders({ 'user-agent': IPHONE });
  });
  afterAll(async () => {
    await browser?.close();
    await d?.stop();
  });

  const appASession = async () => {
    const cookie = (await laptop.cookies(d.appA.url)).find((c) => c.name.startsWith('__Host-ssohub-'));
    return cookie ? d.appA.store.get(sessionKey(cookie.value)) : undefined;
  };

  /** Signs the phone in at the login domain by a code sent by email; returns its Kratos session cookie. */
  const signInPhone = async () => {
    const p = await phone.newPage();
    await p.goto(`${d.hubUrl}/login`);
    await node(p, 'default/identifier').fill(email);
    const since = Date.now();
    await button(p, 'code', 'method').click();
    await p.waitForSelector('[data-testid="node/code/code"]');
    await node(p, 'code/code').fill(await d.stack.smtp.latestCode(email, { since }));
    await button(p, 'code', 'method').click();
    await p.waitForURL(`${d.hubUrl}/`);
    await p.close();
    return (await phone.cookies(d.hubUrl)).find((c) => c.name === 'ory_kratos_session')!;
  };

  const whoamiStatus = async (cookieValue: string) =>
    (await fetch(`${d.hubUrl}/sessions/whoami`, { headers: { cookie: `ory_kratos_session=${cookieValue}`, accept: 'application/json' } })).status;

  it('sends an anonymous browser to sign in first', async () => {
    await page.goto(`${d.hubUrl}/account`);
    await page.waitForURL(new RegExp(`^${d.hubUrl}/login\\?flow=`));
    expect(await page.locator('[data-testid="ui/notice/session_required"]').isVisible()).toBe(true);
  });

  it('registers at the hub starting from App A, signs in to Shop B, and a second device signs in', async () => {
    await page.goto(d.appA.url);
    await page.locator('[data-testid="sign-in"]').click();
    await page.waitForURL(new RegExp(`^${d.hubUrl}/login\\?flow=`));
    await page.locator('[data-testid="link/registration"]').click();
    await page.waitForURL(new RegExp(`^${d.hubUrl}/registration\\?flow=`));
    await node(page, 'default/traits.email').fill(email);
    await node(page, 'default/traits.name').fill('Grace Hopper');
    await button(page, 'profile', 'method').click();
    await page.waitForSelector('[data-testid="node/code/method"]');
    const since = Date.now();
    await button(page, 'code', 'method').click();
    await page.waitForSelector('[data-testid="node/code/code"]');
    await node(page, 'code/code').fill(await d.stack.smtp.latestCode(email, { since }));
    await button(page, 'code', 'method').click();
    await page.waitForURL(`${d.appA.url}/`);
    expect(await page.locator('[data-testid="email"]').textContent()).toBe(email);
    expect(await appASession()).toBeDefined();
    // Shop B signs in through the same hub session, without a page at the hub.
    await page.goto(d.shopB.url);
    await page.locator('[data-testid="sign-in"]').click();
    await page.waitForURL(`${d.shopB.url}/`);
    expect(await page.locator('[data-testid="email"]').textContent()).toBe(email);
    await signInPhone();
  });

  it('lists this device, the other one, and both apps with what they may do', async () => {
    await page.goto(`${d.hubUrl}/account`);
    expect(page.url()).toBe(`${d.hubUrl}/account`);
    const sessions = page.locator('[data-testid^="account/session/"]');
    expect(await sessions.count()).toBe(2);
    // This device first, marked, with no button of its own; the phone named in plain words.
    expect(await sessions.first().locator('[data-testid="account/this-device"]').isVisible()).toBe(true);
    expect(await page.locator('[data-testid^="account/revoke-session/"]').count()).toBe(1);
    expect(await sessions.nth(1).textContent()).toContain('Safari on iPhone');
    const app = page.locator('[data-testid="account/app/app-a"]');
    expect(await app.textContent()).toContain('App A');
    expect(await app.textContent()).toContain('See your email address');
    expect(await page.locator('[data-testid="account/app/shop-b"]').textContent()).toContain('Shop B');
    expect(await page.locator('[data-testid="account/link/settings"]').getAttribute('href')).toBe('/settings');
    await screenshot(page, 'account-page');
  });

  it("removes App A's access: its tokens die and App A's own session ends by back-channel", async () => {
    const rec = (await appASession())!;
    expect(rec.tokens.refreshToken).toBeTruthy();
    await page.locator('[data-testid="account/revoke-app/app-a"]').click();
    await page.waitForURL(`${d.hubUrl}/account`);
    expect(await page.locator('[data-testid="account/notice/app_removed"]').textContent()).toContain('App A');
    expect(await page.locator('[data-testid="account/app/app-a"]').count()).toBe(0);
    expect(await page.locator('[data-testid="account/app/shop-b"]').count()).toBe(1);
    for (let i = 0; i < 200 && (await d.appA.store.get(rec.id)) !== undefined; i++) await new Promise((r) => setTimeout(r, 25));
    expect(await d.appA.store.get(rec.id)).toBeUndefined();
    // The refresh token App A held is revoked at the hub.
    const refreshed = await fetch(`${d.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`app-a:${d.appA.secret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: rec.tokens.refreshToken! }),
    });
    expect(refreshed.status).toBe(400);
    expect(((await refreshed.json()) as { error: string }).error).toBe('invalid_grant');
    await page.goto(d.appA.url);
    expect(await page.locator('[data-testid="sign-in"]').isVisible()).toBe(true);
    // Only App A: Shop B stays signed in.
    await page.goto(d.shopB.url);
    expect(await page.locator('[data-testid="email"]').textContent()).toBe(email);
    // Audited, with the user as the actor.
    const events = await d.stack.hub.ctx.audit.tail({ count: 200 });
    const revoked = events.filter((e) => e.type === 'account.app_revoked');
    expect(revoked).toEqual([expect.objectContaining({ actor: rec.claims.sub, subject: rec.claims.sub, clientId: 'app-a', outcome: 'success' })]);
    // Still signed in at the login domain: only App A's access went.
    await page.goto(`${d.hubUrl}/account`);
    expect(page.url()).toBe(`${d.hubUrl}/account`);
  });

  it('signs out the other device, and only it', async () => {
    const phoneCookie = (await phone.cookies(d.hubUrl)).find((c) => c.name === 'ory_kratos_session')!;
    expect(await whoamiStatus(phoneCookie.value)).toBe(200);
    await page.locator('[data-testid^="account/revoke-session/"]').click();
    await page.waitForURL(`${d.hubUrl}/account`);
    expect(await page.locator('[data-testid="account/notice/device_signed_out"]').isVisible()).toBe(true);
    expect(await page.locator('[data-testid^="account/session/"]').count()).toBe(1);
    expect(await page.locator('[data-testid="account/no-other-sessions"]').isVisible()).toBe(true);
    expect(await whoamiStatus(phoneCookie.value)).toBe(401);
    const laptopCookie = (await laptop.cookies(d.hubUrl)).find((c) => c.name === 'ory_kratos_session')!;
    expect(await whoamiStatus(laptopCookie.value)).toBe(200);
  });

  it('signs out every other device at once', async () => {
    const phoneCookie = await signInPhone();
    await page.goto(`${d.hubUrl}/account`);
    await page.locator('[data-testid="account/revoke-others"]').click();
    await page.waitForURL(`${d.hubUrl}/account`);
    expect(await page.locator('[data-testid="account/notice/others_signed_out"]').textContent()).toMatch(/1 other device/);
    expect(await whoamiStatus(phoneCookie.value)).toBe(401);
  });

  it('brings a browser that had to sign in back to the account page', async () => {
    const other = await browser.newContext();
    const p = await other.newPage();
    await p.goto(`${d.hubUrl}/account`);
    await p.waitForURL(new RegExp(`^${d.hubUrl}/login\\?flow=`));
    await node(p, 'default/identifier').fill(email);
    const since = Date.now();
    await button(p, 'code', 'method').click();
    await p.waitForSelector('[data-testid="node/code/code"]');
    await node(p, 'code/code').fill(await d.stack.smtp.latestCode(email, { since }));
    await button(p, 'code', 'method').click();
    await p.waitForURL(`${d.hubUrl}/account`);
    expect(await p.locator('[data-testid="account/this-device"]').isVisible()).toBe(true);
    await other.close();
  });

  it('refuses an action without the page’s token', async () => {
    const http = new HttpSession();
    for (const c of await laptop.cookies(d.hubUrl)) http.jar.store(new URL(`${d.hubUrl}/`), [`${c.name}=${c.value}; Path=${c.path}; Secure`]);
    const res = await http.request(`${d.hubUrl}/account/sessions/revoke-others`, { method: 'POST', form: { csrf: 'forged' } });
    expect(res.status).toBe(403);
  });
});
