import { createHash } from 'node:crypto';
import { freePort, type TestBrowser } from '@ssohub/testkit';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import flows from '../../packages/hub/src/i18n/catalogs/en/flows.ts';
import { openBrowser, screenshot } from '../support/browser.ts';
import { type Deployment, startDeployment } from '../support/deployment.ts';
import { button, flowIdOf, node } from '../support/flow-page.ts';
import { adminTokenForTests } from '../support/hub-stack.ts';
import { authorizationUrl } from '../support/page-suite.ts';
import { PageWalk } from '../support/page-walk.ts';
import { totp } from '../support/totp.ts';

// Issue #27, done when: in Chromium an admin signs in to the console on the admin listener,
// onboards a client, finds a user, disables them (their session at App A ends by back-channel
// logout, their next sign-in is refused with a clear page), re-enables them, resets their TOTP
// and reads each of those events in the console's audit view; axe finds no violation on any
// console page, at 1280×800 and at 390×844 in both colour schemes (PageWalk). Pages are found
// by data-testid, never by English copy; the back-channel figure is printed.

const sessionKey = (cookieValue: string) => createHash('sha256').update(cookieValue).digest('base64url');
/** How long the back-channel logout may take to end App A's session: its first attempt is immediate. */
const BACKCHANNEL_DEADLINE_MS = 5_000;

describe('the admin console (Chromium, real Kratos and Redis, https apps)', () => {
  let d: Deployment;
  let browser: TestBrowser;
  let userContext: BrowserContext;
  let user: Page;
  let adminContext: BrowserContext;
  let admin: Page;
  let consoleUrl: string;
  const walk = new PageWalk({ label: 'console', screenshots: process.env.SCREENSHOTS === '1' });
  const email = `console.${Date.now()}@example.test`;
  const password = `correct-horse-${Math.random().toString(36).slice(2)}-9`;
  let secret = '';
  let userId = '';
  let partnerUrl = '';

  beforeAll(async () => {
    d = await startDeployment();
    consoleUrl = `${d.stack.adminUrl}/console`;
    browser = await openBrowser();
    userContext = await browser.newContext();
    user = await userContext.newPage();
    adminContext = await browser.newContext();
    admin = await adminContext.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await d?.stop();
  });

  const testid = (page: Page, id: string) => page.locator(`[data-testid="${id}"]`);

  /** App A's own session record for the user's browser, if it has one. */
  const appASession = async () => {
    const cookie = (await userContext.cookies(d.appA.url)).find((c) => c.name.startsWith('__Host-ssohub-'));
    return cookie ? d.appA.store.get(sessionKey(cookie.value)) : undefined;
  };

  /** The code in the mail sent to `to` for the flow `flowId` (several flows may have mailed codes). */
  const codeForFlow = async (to: string, flowId: string) => {
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
      const mail = d.stack.smtp.messages.find((m) => m.to.includes(to.toLowerCase()) && m.text.includes(flowId));
      const code = mail && /\b(\d{6})\b/.exec(mail.text)?.[1];
      if (code) return code;
    }
    throw new Error(`no mail with a code for flow ${flowId} to ${to}`);
  };

  /** The user starts signing in at App A: the password step (the code step, when asked, is enterTotp). */
  const signInAtAppA = async () => {
    await user.goto(d.appA.url);
    await testid(user, 'sign-in').click();
    await user.waitForURL(new RegExp(`^${d.hubUrl}/login\\?flow=`));
    await node(user, 'default/identifier').fill(email);
    await node(user, 'password/password').fill(password);
    await button(user, 'password', 'method').click();
  };
  const enterTotp = async () => {
    await node(user, 'totp/totp_code').waitFor();
    await node(user, 'totp/totp_code').fill(totp(secret));
    await button(user, 'totp', 'method').click();
  };

  it('signs a user up at App A with a password, then sets up an authenticator app', async () => {
    await user.goto(d.appA.url);
    await testid(user, 'sign-in').click();
    await user.waitForURL(new RegExp(`^${d.hubUrl}/login\\?flow=`));
    await testid(user, 'link/registration').click();
    await user.waitForURL(new RegExp(`^${d.hubUrl}/registration\\?flow=`));
    await node(user, 'default/traits.email').fill(email);
    await node(user, 'default/traits.name').fill('Katherine Johnson');
    await button(user, 'profile', 'method').click();
    await node(user, 'password/password').fill(password);
    await button(user, 'password', 'method').click();
    // App A asks for a verified address: the hub has the user prove it by a code first.
    await user.waitForURL(new RegExp(`^${d.hubUrl}/verification\\?flow=`));
    await node(user, 'code/email').fill(email);
    await button(user, 'code', 'method').click();
    await node(user, 'code/code').waitFor();
    // Registration mailed a code too (for another flow): take the one for this page's flow.
    await node(user, 'code/code').fill(await codeForFlow(email, flowIdOf(user)));
    await button(user, 'code', 'method').click();
    await user.waitForURL(`${d.appA.url}/`);
    expect(await testid(user, 'email').textContent()).toBe(email);
    userId = (await testid(user, 'sub').textContent())?.trim() ?? '';
    expect(userId).toMatch(/^[0-9a-f-]{36}$/);

    await user.goto(`${d.hubUrl}/settings`);
    await user.waitForURL(/\/settings\?flow=/);
    secret = (await user.locator('[data-testid="node/totp/totp_secret_key"] code').textContent()) ?? '';
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    await node(user, 'totp/totp_code').fill(totp(secret));
    await button(user, 'totp', 'method').click();
    await user.waitForSelector('[data-testid="ui/message/1050001"]');
    // Still signed in at App A, with a session of its own.
    expect(await appASession()).toBeDefined();
  });


  it('keeps every console page closed without signing in, and lets an admin in with the admin token', async () => {
    const res = await fetch(`${consoleUrl}/users`, { redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/console/sign-in?next=%2Fconsole%2Fusers');
    expect((await fetch(`${d.stack.adminUrl}/admin/users?query=x`)).status).toBe(401);

    await admin.goto(`${consoleUrl}/users`);
    await admin.waitForURL(`${consoleUrl}/sign-in?next=%2Fconsole%2Fusers`);
    await walk.check(admin, 'sign-in');
    await testid(admin, 'console/name').fill('grace');
    await testid(admin, 'console/token').fill('not-the-admin-token-0123456789');
    await testid(admin, 'console/sign-in').locator('button[type="submit"]').click();
    await testid(admin, 'console/error').waitFor();
    await walk.check(admin, 'sign-in-refused');
    await testid(admin, 'console/token').fill(adminTokenForTests);
    await testid(admin, 'console/sign-in').locator('button[type="submit"]').click();
    await admin.waitForURL(`${consoleUrl}/users`);
    expect(await testid(admin, 'console/who').textContent()).toContain('grace');
    // The session cookie: HttpOnly, SameSite=Strict, scoped to the console on this http listener.
    const cookie = (await adminContext.cookies(`${consoleUrl}/`)).find((c) => c.name === 'ssohub_console');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/console' });
    await admin.goto(consoleUrl);
    await testid(admin, 'console/doctor-checks').waitFor();
    await walk.check(admin, 'overview');
  });

  it('onboards a client (Partner C, first-party, with a back-channel endpoint nobody answers)', async () => {
    partnerUrl = `https://partner-c.example:${await freePort()}`;
    await admin.goto(`${consoleUrl}/clients`);
    await walk.check(admin, 'clients');
    await testid(admin, 'console/new-client').click();
    await testid(admin, 'console/client-form').waitFor();
    await walk.check(admin, 'client-new');
    await testid(admin, 'console/client-id').fill('partner-c');
    await testid(admin, 'console/client-name').fill('Partner C');
    await testid(admin, 'console/client-redirect-uris').fill(`${partnerUrl}/cb`);
    await testid(admin, 'console/client-backchannel-uri').fill(`${partnerUrl}/backchannel-logout`);
    await testid(admin, 'console/client-first-party').check();
    await testid(admin, 'console/client-form').locator('button[type="submit"]').click();
    await testid(admin, 'console/confirm').waitFor();
    await walk.check(admin, 'client-new-confirm');
    await testid(admin, 'console/confirm').locator('button[type="submit"]').click();
    await testid(admin, 'console/client-secret').waitFor();
    expect(await testid(admin, 'console/client-secret').textContent()).toMatch(/\S{20,}/);
    await walk.check(admin, 'client-created');
    await admin.goto(`${consoleUrl}/clients/partner-c`);
    await testid(admin, 'console/delete-client').waitFor();
    await walk.check(admin, 'client-detail');
    expect(await d.stack.hub.ctx.clients.find('partner-c')).toBeDefined();

    // The user signs in at Partner C through the hub session they have: no page at the hub, the
    // browser's last hop (to Partner C, which does not run) fails once the code is issued.
    const tab = await userContext.newPage();
    const callback = tab.waitForRequest((r) => r.url().startsWith(`${partnerUrl}/cb`));
    await tab.goto(authorizationUrl(d.hubUrl, 'partner-c', `${partnerUrl}/cb`)).catch(() => undefined);
    expect(new URL((await callback).url()).searchParams.get('code')).toBeTruthy();
    await tab.close();
  });

  it('finds the user, and shows their methods, second factor, sessions and apps', async () => {
    await admin.goto(`${consoleUrl}/users`);
    await walk.check(admin, 'users');
    await testid(admin, 'console/user-query').fill(email.split('@')[0]!);
    await testid(admin, 'console/user-find').click();
    await testid(admin, 'console/users').waitFor();
    await walk.check(admin, 'users-found');
    await testid(admin, 'console/user-link').filter({ hasText: email }).click();
    await admin.waitForURL(`${consoleUrl}/users/${userId}`);
    expect(await testid(admin, 'console/user-id').textContent()).toBe(userId);
    expect(await testid(admin, 'console/user-methods/password').count()).toBe(1);
    expect(await testid(admin, 'console/user-factors/totp').count()).toBe(1);
    expect(await testid(admin, 'console/user-apps').textContent()).toContain('App A');
    expect(await testid(admin, 'console/user-apps').textContent()).toContain('Partner C');
    expect(await testid(admin, 'console/sessions').textContent()).toContain('App A');
    await walk.check(admin, 'user-detail');
    await screenshot(admin, 'console-user-detail');
  });

  it("disables the user: App A's session ends by back-channel logout, and their next sign-in is refused with a clear page", async () => {
    const rec = (await appASession())!;
    expect(rec).toBeDefined();
    await testid(admin, 'console/user-action/disable').locator('button').click();
    await testid(admin, 'console/confirm').waitFor();
    await walk.check(admin, 'user-disable-confirm');
    const started = performance.now();
    await testid(admin, 'console/confirm').locator('button[type="submit"]').click();
    let endedAfterMs = -1;
    while (performance.now() - started < BACKCHANNEL_DEADLINE_MS) {
      if ((await d.appA.store.get(rec.id)) === undefined) {
        endedAfterMs = performance.now() - started;
        break;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    console.log(`back-channel logout ended App A's session ${endedAfterMs.toFixed(0)} ms after the admin confirmed "disable"`);
    expect(endedAfterMs).toBeGreaterThan(0);
    await admin.waitForURL(`${consoleUrl}/users/${userId}`);
    expect(await testid(admin, 'console/notice').textContent()).toContain(email);
    expect(await testid(admin, 'console/user-disabled').isVisible()).toBe(true);
    expect(await testid(admin, 'console/sessions-empty').count()).toBe(1);
    await walk.check(admin, 'user-disabled');

    // App A shows the user signed out; signing in again ends on the hub's page saying why.
    await user.goto(d.appA.url);
    expect(await testid(user, 'sign-in').isVisible()).toBe(true);
    await signInAtAppA();
    await user.waitForURL(new RegExp(`^${d.hubUrl}/error\\?id=`));
    const message = testid(user, 'error/message');
    expect(await message.textContent()).toBe(flows['flows.error.account_disabled']);
    await screenshot(user, 'console-disabled-sign-in');
  });

  it("lists Partner C's failed attempt among the back-channel deliveries, and retries it now", async () => {
    await admin.goto(`${consoleUrl}/backchannel`);
    const row = testid(admin, 'console/deliveries-pending').locator('tr').filter({ hasText: 'partner-c' });
    await row.first().waitFor();
    expect(await row.first().textContent()).toContain(userId);
    await walk.check(admin, 'backchannel');
    await row.first().locator('[data-testid^="console/retry/"] button').click();
    await testid(admin, 'console/confirm').waitFor();
    await walk.check(admin, 'backchannel-retry-confirm');
    await testid(admin, 'console/confirm').locator('button[type="submit"]').click();
    await admin.waitForURL(`${consoleUrl}/backchannel`);
    expect(await testid(admin, 'console/notice').textContent()).toContain('partner-c');
  });

  it('re-enables the user, who can sign in again', async () => {
    await admin.goto(`${consoleUrl}/users/${userId}`);
    await testid(admin, 'console/user-action/enable').locator('button').click();
    await testid(admin, 'console/confirm').waitFor();
    await walk.check(admin, 'user-enable-confirm');
    await testid(admin, 'console/confirm').locator('button[type="submit"]').click();
    await admin.waitForURL(`${consoleUrl}/users/${userId}`);
    expect(await testid(admin, 'console/user-disabled').count()).toBe(0);

    await signInAtAppA();
    await enterTotp();
    await user.waitForURL(`${d.appA.url}/`);
    expect(await testid(user, 'email').textContent()).toBe(email);
  });

  it("shows the user's sessions, with a confirmation before ending one", async () => {
    await admin.goto(`${consoleUrl}/sessions`);
    await walk.check(admin, 'sessions');
    await testid(admin, 'console/session-user').fill(email);
    await testid(admin, 'console/session-find').click();
    await testid(admin, 'console/sessions').waitFor();
    expect(await testid(admin, 'console/sessions').textContent()).toContain('App A');
    await walk.check(admin, 'sessions-of-user');
    await testid(admin, 'console/sessions').locator('[data-testid^="console/end-session/"] button').first().click();
    await testid(admin, 'console/confirm').waitFor();
    await walk.check(admin, 'session-end-confirm');
    // Cancelled: nothing ends.
    await testid(admin, 'console/cancel').click();
    await testid(admin, 'console/sessions').waitFor();
    expect(await appASession()).toBeDefined();
  });

  it('resets their TOTP: the account page no longer lists it', async () => {
    await admin.goto(`${consoleUrl}/users/${userId}`);
    await testid(admin, 'console/user-action/reset-mfa').locator('button').click();
    await testid(admin, 'console/confirm').waitFor();
    await walk.check(admin, 'user-reset-mfa-confirm');
    await testid(admin, 'console/confirm').locator('button[type="submit"]').click();
    await admin.waitForURL(`${consoleUrl}/users/${userId}`);
    expect(await testid(admin, 'console/notice').isVisible()).toBe(true);
    expect(await testid(admin, 'console/user-factors/totp').count()).toBe(0);
    expect(await testid(admin, 'console/user-methods/totp').count()).toBe(0);
    expect(await testid(admin, 'console/user-factors-none').isVisible()).toBe(true);
    // Every session ended with it: no session may outlive the factor it was proven with.
    expect(await testid(admin, 'console/sessions-empty').isVisible()).toBe(true);
    await walk.check(admin, 'user-after-reset');
  });

  it("reads each of those events in the audit view, filtered by the user, with the admin's name", async () => {
    await admin.goto(`${consoleUrl}/users/${userId}`);
    await testid(admin, 'console/user-audit').click();
    await admin.waitForURL(`${consoleUrl}/audit?subject=${userId}`);
    const events = testid(admin, 'console/audit-events');
    await events.waitFor();
    for (const type of ['user.disabled', 'user.enabled', 'user.mfa_reset']) {
      const row = events.locator('tbody tr').filter({ has: admin.locator('code', { hasText: new RegExp(`^${type.replace('.', '\\.')}$`) }) });
      expect(await row.count(), type).toBe(1);
      expect(await row.textContent(), type).toContain('console:grace');
    }
    await walk.check(admin, 'audit-subject');
    // The onboarding, filtered by the client.
    await admin.goto(`${consoleUrl}/audit?client=partner-c`);
    const created = testid(admin, 'console/audit-events').locator('tbody tr').filter({ hasText: 'client.created' });
    expect(await created.textContent()).toContain('console:grace');
    await walk.check(admin, 'audit-client');
  });

  it('ends every session of the user at once, confirmed: App A is told by back-channel logout', async () => {
    // A second device signs in (the password alone now that the TOTP is gone).
    const other = await browser.newContext();
    const p = await other.newPage();
    await p.goto(`${d.hubUrl}/login`);
    await node(p, 'default/identifier').fill(email);
    await node(p, 'password/password').fill(password);
    await button(p, 'password', 'method').click();
    await p.waitForURL(`${d.hubUrl}/`);
    await other.close();
    // And the user signs in at App A again (resetting the TOTP ended every session).
    await signInAtAppA();
    await user.waitForURL(`${d.appA.url}/`);
    const rec = (await appASession())!;
    expect(rec).toBeDefined();
    await admin.goto(`${consoleUrl}/sessions?user=${encodeURIComponent(email)}`);
    expect(await testid(admin, 'console/sessions').locator('tbody tr').count()).toBe(2);
    await testid(admin, 'console/end-all-sessions').locator('button').click();
    await testid(admin, 'console/confirm').waitFor();
    await walk.check(admin, 'sessions-end-all-confirm');
    await testid(admin, 'console/confirm').locator('button[type="submit"]').click();
    await testid(admin, 'console/notice').waitFor();
    expect(await testid(admin, 'console/sessions-empty').isVisible()).toBe(true);
    await walk.check(admin, 'sessions-ended');
    for (const deadline = Date.now() + BACKCHANNEL_DEADLINE_MS; Date.now() < deadline && (await d.appA.store.get(rec.id)) !== undefined; ) await new Promise((r) => setTimeout(r, 25));
    expect(await d.appA.store.get(rec.id)).toBeUndefined();
  });

  it("walks the client pages' edit and confirmation steps, and the console in German", async () => {
    await admin.goto(`${consoleUrl}/clients/partner-c`);
    await testid(admin, 'console/edit-client').click();
    await testid(admin, 'console/client-form').waitFor();
    await walk.check(admin, 'client-edit');
    await testid(admin, 'console/client-name').fill('Partner C (renamed)');
    await testid(admin, 'console/client-form').locator('button[type="submit"]').click();
    await testid(admin, 'console/confirm').waitFor();
    await walk.check(admin, 'client-edit-confirm');
    await testid(admin, 'console/cancel').click();
    await testid(admin, 'console/rotate-secret').locator('button').click();
    await testid(admin, 'console/confirm').waitFor();
    await walk.check(admin, 'client-rotate-confirm');
    await testid(admin, 'console/cancel').click();
    await testid(admin, 'console/delete-client').locator('button').click();
    await testid(admin, 'console/confirm').waitFor();
    await walk.check(admin, 'client-delete-confirm');
    await testid(admin, 'console/cancel').click();
    expect((await d.stack.hub.ctx.clients.find('partner-c'))?.metadata.client_name).toBe('Partner C');

    await admin.goto(`${consoleUrl}/language?lang=de&next=${encodeURIComponent(`/console/users/${userId}`)}`);
    await admin.waitForURL(`${consoleUrl}/users/${userId}`);
    expect(await admin.locator('html').getAttribute('lang')).toBe('de');
    await walk.check(admin, 'user-detail-de');
    await admin.goto(`${consoleUrl}/language?lang=en&next=${encodeURIComponent('/console/users')}`);
    expect(await admin.locator('html').getAttribute('lang')).toBe('en');
  });

  it('walks the remaining console pages: lockouts, an unknown user, a refused action, a forged form, a deletion', async () => {
    // Someone guesses passwords for an address until the hub locks it.
    const guesser = await browser.newContext();
    const g = await guesser.newPage();
    const locked = `locked.${Date.now()}@example.test`;
    for (let i = 0; i < 8 && (await d.stack.hub.ctx.guard.listLockouts()).length === 0; i++) {
      await g.goto(`${d.hubUrl}/login`);
      await node(g, 'default/identifier').fill(locked);
      await node(g, 'password/password').fill(`wrong-password-${i}-0123`);
      await button(g, 'password', 'method').click();
      await g.waitForLoadState();
    }
    await guesser.close();
    await admin.goto(`${consoleUrl}/lockouts`);
    await testid(admin, 'console/lockouts').waitFor();
    await walk.check(admin, 'lockouts');
    await testid(admin, 'console/clear-lockout').first().locator('button').click();
    await testid(admin, 'console/confirm').waitFor();
    await walk.check(admin, 'lockout-clear-confirm');
    await testid(admin, 'console/confirm').locator('button[type="submit"]').click();
    await testid(admin, 'console/notice').waitFor();
    await walk.check(admin, 'lockouts-cleared');
    const missing = await admin.goto(`${consoleUrl}/users/00000000-0000-4000-8000-000000000000`);
    expect(missing?.status()).toBe(404);
    await walk.check(admin, 'user-not-found');
    await admin.goto(`${consoleUrl}/users/${userId}`);
    await testid(admin, 'console/user-action/delete').locator('button').click();
    await testid(admin, 'console/confirm').waitFor();
    await walk.check(admin, 'user-delete-confirm');
    await testid(admin, 'console/cancel').click();
    await admin.waitForURL(`${consoleUrl}/users/${userId}`);
    // A stale page asks to resend the verification of an address proven meanwhile: the
    // confirmation, then the refusal said on the account's page (409).
    await admin.evaluate(() => {
      const form = (globalThis as unknown as { document: { querySelector(s: string): { action: string } | null } }).document.querySelector('[data-testid="console/user-action/disable"]');
      if (form) form.action = form.action.replace(/\/disable$/, '/verify-resend');
    });
    await testid(admin, 'console/user-action/disable').locator('button').click();
    await testid(admin, 'console/confirm').waitFor();
    await walk.check(admin, 'user-verify-resend-confirm');
    const conflict = admin.waitForResponse((r) => r.url().endsWith('/verify-resend') && r.request().method() === 'POST');
    await testid(admin, 'console/confirm').locator('button[type="submit"]').click();
    expect((await conflict).status()).toBe(409);
    await testid(admin, 'console/error').waitFor();
    await walk.check(admin, 'user-action-refused');
    await admin.goto(`${consoleUrl}/users/${userId}`);
    // A form whose token is not the session's is refused, and nothing changes.
    await admin.evaluate(() => {
      const input = (globalThis as unknown as { document: { querySelector(s: string): { value: string } | null } }).document.querySelector('[data-testid="console/user-action/disable"] input[name="csrf"]');
      if (input) input.value = 'forged';
    });
    const refused = admin.waitForResponse((r) => r.url().endsWith('/disable'));
    await testid(admin, 'console/user-action/disable').locator('button').click();
    expect((await refused).status()).toBe(403);
    await walk.check(admin, 'csrf-refused');
    expect((await d.stack.hub.ctx.kratos.getIdentity(userId))?.state).toBe('active');
    // Deleted: back to the search, which no longer finds the account; the trail keeps the event.
    await admin.goto(`${consoleUrl}/users/${userId}`);
    await testid(admin, 'console/user-action/delete').locator('button').click();
    await testid(admin, 'console/confirm').locator('button[type="submit"]').click();
    await admin.waitForURL(`${consoleUrl}/users?q=${encodeURIComponent(email)}`);
    expect(await testid(admin, 'console/notice').textContent()).toContain(email);
    expect(await testid(admin, 'console/users-empty').isVisible()).toBe(true);
    await walk.check(admin, 'users-after-delete');
    expect(await d.stack.hub.ctx.kratos.getIdentity(userId)).toBeUndefined();
    await admin.goto(`${consoleUrl}/audit?subject=${userId}&type=user.deleted`);
    expect(await testid(admin, 'console/audit-events').locator('tbody tr').filter({ hasText: 'console:grace' }).count()).toBe(1);
    // Signed out, the console is closed again.
    await admin.goto(`${consoleUrl}/users`);
    await testid(admin, 'console/sign-out').click();
    await admin.waitForURL(`${consoleUrl}/sign-in`);
    await admin.goto(`${consoleUrl}/users/${userId}`);
    await admin.waitForURL(new RegExp(`^${consoleUrl}/sign-in\\?next=`));
  });

  it('has no axe violation, and nothing wider than a phone, on any console page at 1280×800 and 390×844', () => {
    console.log(`axe and the reflow check ran on ${walk.visited.length} console pages, each at 1280×800 and 390×844 in both colour schemes: ${walk.visited.join(', ')}`);
    expect(walk.unreachable).toEqual([]);
    expect(walk.visited.length).toBeGreaterThanOrEqual(25);
    expect(walk.findings, walk.report()).toEqual([]);
  });
});
