import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBrowser } from '@ssohub/testkit';
import { createUser, type TestUser } from '../support/bridge-kit.ts';
import { openBrowser, screenshot } from '../support/browser.ts';
import { type HubStack, startHubStack } from '../support/hub-stack.ts';
import { totp } from '../support/totp.ts';
import { button, node } from '../support/flow-page.ts';

// The second factor in a real Chromium: TOTP enrolled on the hub's /settings page (Kratos'
// nodes rendered generically: QR image, secret text, code input), then a sign-in that asks for
// the password and, on the next page, for the authenticator code.


describe('TOTP second factor on the login domain (Chromium, https, real Kratos)', () => {
  let stack: HubStack;
  let browser: TestBrowser;
  let context: BrowserContext;
  let page: Page;
  let user: TestUser;
  let secret = '';

  beforeAll(async () => {
    stack = await startHubStack();
    browser = await openBrowser();
    context = await browser.newContext();
    page = await context.newPage();
    user = await createUser(stack.kratos.adminUrl, 'totp-e2e');
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await stack?.stop();
  });

  async function signInWithPassword() {
    await page.goto(`${stack.hubUrl}/login`);
    await node(page, 'default/identifier').fill(user.email);
    await node(page, 'password/password').fill(user.password);
    await button(page, 'password', 'method').click();
  }

  /** The identity's newest active Kratos session, from the admin API (the page's CSP forbids fetch). */
  async function latestSession() {
    const res = await fetch(`${stack.kratos.adminUrl}/admin/identities/${user.id}/sessions?active=true`);
    const list = (await res.json()) as { authenticated_at: string; authenticator_assurance_level: string; authentication_methods: { method: string }[] }[];
    const s = list.sort((a, b) => Date.parse(b.authenticated_at) - Date.parse(a.authenticated_at))[0];
    return { count: list.length, aal: s?.authenticator_assurance_level, methods: (s?.authentication_methods ?? []).map((m) => m.method) };
  }

  it('enrolls an authenticator app on the settings page', async () => {
    await signInWithPassword();
    await page.waitForURL(`${stack.hubUrl}/`);
    await page.goto(`${stack.hubUrl}/settings`);
    await page.waitForURL(/\/settings\?flow=/);
    const group = page.locator('[data-testid="group/totp"]');
    expect(await group.locator('legend').textContent()).toBe('Authenticator app');
    const qr = page.locator('[data-testid="node/totp/totp_qr"] img');
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    // The QR code really is drawn (a broken data URL has no natural size).
    expect(await qr.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
    secret = (await page.locator('[data-testid="node/totp/totp_secret_key"] code').textContent()) ?? '';
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    const codeInput = node(page, 'totp/totp_code');
    expect(await codeInput.getAttribute('autocomplete')).toBe('one-time-code');
    expect(await codeInput.getAttribute('inputmode')).toBe('numeric');
    await screenshot(page, 'settings-totp');

    await codeInput.fill(totp(secret));
    await button(page, 'totp', 'method').click();
    await page.waitForSelector('[data-testid="ui/message/1050001"]');
    // Enrolled: the group now offers to remove the app instead of a QR code.
    expect(await page.locator('[data-testid="node/totp/totp_unlink"]').isVisible()).toBe(true);
    expect(await page.locator('[data-testid="node/totp/totp_qr"]').count()).toBe(0);
    expect(await page.locator('[data-testid="group/totp"] legend').textContent()).toBe('Authenticator app');
    await screenshot(page, 'settings-totp-enrolled');
    // Kratos counts the enrolment as a second factor for this session.
    expect(await latestSession()).toMatchObject({ count: 1, aal: 'aal2', methods: ['password', 'totp'] });
  });

  it('signs out, then signs in with the password and the authenticator code', async () => {
    await page.goto(`${stack.hubUrl}/logout`);
    await page.locator('[data-testid="logout/confirm"]').click();
    await page.waitForURL(`${stack.hubUrl}/`);
    expect(await page.locator('[data-testid="landing/signed-out"]').isVisible()).toBe(true);

    await signInWithPassword();
    // Kratos continues the password step to its aal2 step: the same login page, asking for the code.
    await page.waitForSelector('[data-testid="node/totp/totp_code"]');
    expect(await page.locator('[data-testid="flow/title"]').textContent()).toBe('Two-step verification');
    expect(await page.locator('[data-testid="node/password/password"]').count()).toBe(0);
    // No "create an account" here: the way out is signing out.
    expect(await page.locator('[data-testid="link/registration"]').count()).toBe(0);
    expect(await page.locator('[data-testid="link/logout"]').getAttribute('href')).toBe('/logout');
    // Signed in with the password only: aal1, which Kratos' whoami refuses for this identity.
    expect(await latestSession()).toMatchObject({ count: 1, aal: 'aal1', methods: ['password'] });
    await screenshot(page, 'login-totp');

    // A wrong code is refused on the same page.
    const good = totp(secret);
    await node(page, 'totp/totp_code').fill(String((Number(good) + 1) % 1_000_000).padStart(6, '0'));
    await button(page, 'totp', 'method').click();
    await page.waitForSelector('[data-testid="ui/message/4000008"]');

    await node(page, 'totp/totp_code').fill(totp(secret));
    await button(page, 'totp', 'method').click();
    await page.waitForURL(`${stack.hubUrl}/`);
    expect(await page.locator('[data-testid="landing/email"]').textContent()).toBe(user.email);
    expect(await latestSession()).toMatchObject({ count: 1, aal: 'aal2', methods: ['password', 'totp'] });
  });

  it('lets a browser that stopped after the password sign out, and shows where it stands', async () => {
    await page.goto(`${stack.hubUrl}/logout`);
    await page.locator('[data-testid="logout/confirm"]').click();
    await page.waitForURL(`${stack.hubUrl}/`);
    await signInWithPassword();
    await page.waitForSelector('[data-testid="node/totp/totp_code"]');
    await page.goto(`${stack.hubUrl}/`);
    expect(await page.locator('[data-testid="landing/aal2-required"]').isVisible()).toBe(true);
    await page.locator('[data-testid="link/logout"]').click();
    await page.locator('[data-testid="logout/confirm"]').click();
    await page.waitForURL(`${stack.hubUrl}/`);
    expect(await page.locator('[data-testid="landing/signed-out"]').isVisible()).toBe(true);
    expect((await context.cookies(stack.hubUrl)).find((c) => c.name === 'ory_kratos_session')).toBeUndefined();
    expect(await latestSession()).toMatchObject({ count: 0 });
  });
});
