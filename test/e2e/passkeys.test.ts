import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBrowser } from '@ssohub/testkit';
import { createUser } from '../support/bridge-kit.ts';
import { openBrowser, screenshot } from '../support/browser.ts';
import { type Deployment, startDeployment } from '../support/deployment.ts';
import { button, flowIdOf, node } from '../support/flow-page.ts';

// Passkeys (a first factor) and security keys (webauthn, a second factor) in a real Chromium
// with a virtual authenticator (DevTools protocol), over https at login.sso.test: the hub's one
// script runs the ceremony, allowed by the page's CSP nonce; pages without such buttons, and
// browsers without JavaScript, still work without any script.

describe('passkeys and security keys (Chromium virtual authenticator, https, real Kratos)', () => {
  let d: Deployment;
  let browser: TestBrowser;
  let context: BrowserContext;
  let page: Page;
  let cdp: CDPSession;
  let authenticatorId = '';
  const email = `passkey.${Date.now()}@example.test`;
  const cspViolations: string[] = [];

  beforeAll(async () => {
    d = await startDeployment();
    browser = await openBrowser();
    context = await browser.newContext();
    page = await context.newPage();
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) cspViolations.push(m.text());
    });
    cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    ({ authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
    }));
  });
  afterAll(async () => {
    await browser?.close();
    await d?.stop();
  });

  const credentials = async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;

  /** The identity's newest active Kratos session (admin API): its assurance level and methods. */
  async function latestSession() {
    const ids = (await (await fetch(`${d.stack.kratos.adminUrl}/admin/identities?credentials_identifier=${encodeURIComponent(email)}`)).json()) as { id: string }[];
    const res = await fetch(`${d.stack.kratos.adminUrl}/admin/identities/${ids[0]!.id}/sessions?active=true`);
    const list = (await res.json()) as { authenticated_at: string; authenticator_assurance_level: string; authentication_methods: { method: string }[] }[];
    const s = list.sort((a, b) => Date.parse(b.authenticated_at) - Date.parse(a.authenticated_at))[0];
    return { aal: s?.authenticator_assurance_level, methods: (s?.authentication_methods ?? []).map((m) => m.method) };
  }

  /** The code of the mail sent to `email` for this flow (Kratos also mails one at registration). */
  async function codeForFlow(to: string, flowId: string): Promise<string> {
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
      const mail = d.stack.smtp.messages.find((m) => m.to.includes(to.toLowerCase()) && m.text.includes(flowId));
      const code = mail && /\b(\d{6})\b/.exec(mail.text)?.[1];
      if (code) return code;
    }
    throw new Error(`no mail to ${to} for flow ${flowId}`);
  }

  /** Waits for the browser to land on `url`; says where it stopped instead when it does not. */
  async function arrive(url: string) {
    await page.waitForURL(url, { timeout: 15_000 }).catch(async () => {
      await screenshot(page, 'passkeys-stopped');
      throw new Error(`stopped at ${page.url()}: ${((await page.locator('main').textContent().catch(() => '')) ?? '').slice(0, 600)}`);
    });
  }

  async function signOutEverywhere() {
    await page.goto(`${d.hubUrl}/logout`);
    await page.locator('[data-testid="logout/confirm"]').click();
    await page.waitForURL(`${d.hubUrl}/`);
  }

  it('signs up at the hub from App A with a passkey, created by the authenticator', async () => {
    await page.goto(d.appA.url);
    await page.locator('[data-testid="sign-in"]').click();
    await page.waitForURL(new RegExp(`^${d.hubUrl}/login\\?flow=`));
    await page.locator('[data-testid="link/registration"]').click();
    await page.waitForURL(new RegExp(`^${d.hubUrl}/registration\\?flow=`));
    await node(page, 'default/traits.email').fill(email);
    await node(page, 'default/traits.name').fill('Grace Hopper');
    await button(page, 'profile', 'method').click();
    const trigger = button(page, 'passkey', 'passkey_register_trigger');
    await trigger.waitFor();
    // The hub's script enabled the button and hid the "needs JavaScript" note.
    expect(await trigger.isEnabled()).toBe(true);
    expect(await page.locator('[data-webauthn-note="nojs"]').first().isHidden()).toBe(true);
    await screenshot(page, 'registration-passkey');
    await trigger.click();
    // A passkey proves no address: the apps need a verified one (docs/decisions/0016), so the hub
    // asks for it by code before going on to App A.
    await page.waitForURL(new RegExp(`^${d.hubUrl}/verification\\?flow=`));
    await node(page, 'code/email').fill(email);
    await button(page, 'code', 'method').click();
    await page.waitForSelector('[data-testid="node/code/code"]');
    await node(page, 'code/code').fill(await codeForFlow(email, flowIdOf(page)));
    await button(page, 'code', 'method').click();
    await arrive(`${d.appA.url}/`);
    expect(await page.locator('[data-testid="email"]').textContent()).toBe(email);
    expect(await credentials()).toHaveLength(1);
    expect((await latestSession()).methods).toEqual(['passkey']);
  });

  it('signs in at App A with the passkey: the login page allows exactly its own script by nonce', async () => {
    await signOutEverywhere();
    // The landing and logout pages have no passkey button: no script allowed at all.
    const landing = await page.goto(`${d.hubUrl}/`);
    expect(landing?.headers()['content-security-policy']).not.toContain('script-src');
    await page.goto(d.appA.url);
    await page.locator('[data-testid="sign-in"]').click();
    await page.waitForURL(new RegExp(`^${d.hubUrl}/login\\?flow=`));
    const answer = await page.reload();
    const csp = answer?.headers()['content-security-policy'] ?? '';
    const nonce = /script-src 'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(csp).toMatch(/^default-src 'none'; /);
    // Exactly one source for scripts: this answer's nonce (no 'self', no inline, no other origin).
    expect(csp.split('; ').filter((directive) => directive.startsWith('script-src'))).toEqual([`script-src 'nonce-${nonce}'`]);
    const body = (await answer?.text()) ?? '';
    expect(body.match(/<script /g)).toHaveLength(1);
    expect(body).toMatch(new RegExp(`<script src="/assets/webauthn-[0-9a-f]{16}\\.js" integrity="sha384-[^"]+" nonce="${nonce!.replace(/[+/=]/g, '\\$&')}" defer></script>`));
    const trigger = button(page, 'passkey', 'passkey_login_trigger');
    await expect.poll(() => trigger.isEnabled()).toBe(true);
    await screenshot(page, 'login-passkey');
    await trigger.click();
    await arrive(`${d.appA.url}/`);
    expect(await page.locator('[data-testid="email"]').textContent()).toBe(email);
    expect(await page.locator('[data-testid="acr"]').textContent()).toMatch(/^aal1/);
    expect(await latestSession()).toEqual({ aal: 'aal1', methods: ['passkey'] });
  });

  it('adds a second passkey on the settings page, and removes it', async () => {
    await page.goto(`${d.hubUrl}/settings`);
    await page.waitForURL(/\/settings\?flow=/);
    const add = button(page, 'passkey', 'passkey_register_trigger');
    await expect.poll(() => add.isEnabled()).toBe(true);
    await add.click();
    await page.waitForSelector('[data-testid="ui/message/1050001"]');
    expect(await credentials()).toHaveLength(2);
    const remove = page.locator('button[data-testid="node/passkey/passkey_remove"]');
    expect(await remove.count()).toBe(2);
    await screenshot(page, 'settings-passkeys');
    await remove.last().click();
    await page.waitForSelector('[data-testid="ui/message/1050001"]');
    expect(await page.locator('button[data-testid="node/passkey/passkey_remove"]').count()).toBe(1);
  });

  it('adds a security key on the settings page (a second factor: the session becomes aal2)', async () => {
    await page.goto(`${d.hubUrl}/settings`);
    await page.waitForURL(/\/settings\?flow=/);
    await node(page, 'webauthn/webauthn_register_displayname').fill('Blue key');
    const add = button(page, 'webauthn', 'webauthn_register_trigger');
    await expect.poll(() => add.isEnabled()).toBe(true);
    await add.click();
    await page.waitForSelector('[data-testid="ui/message/1050001"]');
    expect(await page.locator('button[data-testid="node/webauthn/webauthn_remove"]').count()).toBe(1);
    await screenshot(page, 'settings-security-key');
    expect(await latestSession()).toMatchObject({ aal: 'aal2' });
  });

  it('meets acr_values=aal2 at Shop B with the passkey, then the security key', async () => {
    await signOutEverywhere();
    await page.goto(`${d.shopB.url}/auth/login?returnTo=%2F&acr=aal2`);
    await page.waitForURL(new RegExp(`^${d.hubUrl}/login\\?flow=`));
    const passkey = button(page, 'passkey', 'passkey_login_trigger');
    await expect.poll(() => passkey.isEnabled()).toBe(true);
    await passkey.click();
    const key = button(page, 'webauthn', 'webauthn_login_trigger');
    await key.waitFor();
    await expect.poll(() => key.isEnabled()).toBe(true);
    await screenshot(page, 'login-security-key');
    await key.click();
    await arrive(`${d.shopB.url}/`);
    expect(await page.locator('[data-testid="email"]').textContent()).toBe(email);
    expect(await page.locator('[data-testid="acr"]').textContent()).toMatch(/^aal2/);
    expect(await latestSession()).toEqual({ aal: 'aal2', methods: ['passkey', 'webauthn'] });
  });

  it('removes the security key on the settings page', async () => {
    await page.goto(`${d.hubUrl}/settings`);
    await page.waitForURL(/\/settings\?flow=/);
    await page.locator('button[data-testid="node/webauthn/webauthn_remove"]').click();
    await page.waitForSelector('[data-testid="ui/message/1050001"]');
    expect(await page.locator('button[data-testid="node/webauthn/webauthn_remove"]').count()).toBe(0);
  });

  it('shows the failure when the authenticator refuses, and leaves the button usable', async () => {
    await signOutEverywhere();
    await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: false });
    try {
      await page.goto(`${d.hubUrl}/login`);
      const trigger = button(page, 'passkey', 'passkey_login_trigger');
      await expect.poll(() => trigger.isEnabled()).toBe(true);
      await trigger.click();
      await page.locator('[data-webauthn-note="failed"]').first().waitFor();
      expect(await trigger.isEnabled()).toBe(true);
      expect(page.url()).toMatch(/\/login\?flow=/);
    } finally {
      await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: true });
    }
  });

  it('broke no CSP rule on any page', () => {
    expect(cspViolations).toEqual([]);
  });

  describe('with JavaScript disabled', () => {
    let plain: BrowserContext;
    let p: Page;
    beforeAll(async () => {
      plain = await browser.newContext({ javaScriptEnabled: false });
      p = await plain.newPage();
    });
    afterAll(async () => {
      await plain?.close();
    });

    it('shows the passkey button as unusable, with the reason', async () => {
      await p.goto(`${d.hubUrl}/login`);
      expect(await button(p, 'passkey', 'passkey_login_trigger').isDisabled()).toBe(true);
      expect(await p.locator('[data-webauthn-note="nojs"]').isVisible()).toBe(true);
      expect(await p.locator('[data-webauthn-note="failed"]').isVisible()).toBe(false);
      await screenshot(p, 'login-passkey-no-javascript');
    });

    it('signs in with the password', async () => {
      const user = await createUser(d.stack.kratos.adminUrl, 'passkey-nojs');
      await p.goto(`${d.hubUrl}/login`);
      await node(p, 'default/identifier').fill(user.email);
      await node(p, 'password/password').fill(user.password);
      await button(p, 'password', 'method').click();
      await p.waitForURL(`${d.hubUrl}/`);
      expect(await p.locator('[data-testid="landing/email"]').textContent()).toBe(user.email);
      await p.goto(`${d.hubUrl}/logout`);
      await p.locator('[data-testid="logout/confirm"]').click();
      await p.waitForURL(`${d.hubUrl}/`);
    });

    it('signs in with a code sent by email', async () => {
      const user = await createUser(d.stack.kratos.adminUrl, 'passkey-nojs-code');
      await p.goto(`${d.hubUrl}/login`);
      await node(p, 'default/identifier').fill(user.email);
      const since = Date.now();
      await button(p, 'code', 'method').click();
      await p.waitForSelector('[data-testid="node/code/code"]');
      await node(p, 'code/code').fill(await d.stack.smtp.latestCode(user.email, { since }));
      await button(p, 'code', 'method').click();
      await p.waitForURL(`${d.hubUrl}/`);
      expect(await p.locator('[data-testid="landing/email"]').textContent()).toBe(user.email);
    });
  });
});
