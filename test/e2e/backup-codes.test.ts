import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBrowser } from '@ssohub/testkit';
import { createUser, type TestUser } from '../support/bridge-kit.ts';
import { openBrowser, screenshot } from '../support/browser.ts';
import { button, node } from '../support/flow-page.ts';
import { type HubStack, startHubStack } from '../support/hub-stack.ts';
import { PageWalk } from '../support/page-walk.ts';
import { totp } from '../support/totp.ts';

// Issue #21: backup codes (Kratos' lookup_secret) in a real Chromium. Created on /settings once
// an authenticator app is enrolled, shown once as a list the user confirms having saved, then
// usable at the second-factor step of a sign-in, each code once.

describe('backup codes for the second factor (Chromium, https, real Kratos)', () => {
  let stack: HubStack;
  let browser: TestBrowser;
  let context: BrowserContext;
  let page: Page;
  let user: TestUser;
  let codes: string[] = [];
  // axe and reflow at 390 px, light and dark, on each page this suite adds (as accessibility.test.ts).
  const walk = new PageWalk({ label: 'backup-codes', screenshots: false });

  beforeAll(async () => {
    stack = await startHubStack();
    browser = await openBrowser();
    context = await browser.newContext();
    page = await context.newPage();
    user = await createUser(stack.kratos.adminUrl, 'backup-codes-e2e');
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

  async function signOut() {
    await page.goto(`${stack.hubUrl}/logout`);
    await page.locator('[data-testid="logout/confirm"]').click();
    await page.waitForURL(`${stack.hubUrl}/`);
  }

  /** The identity's newest active Kratos session, from the admin API. */
  async function latestSession() {
    const res = await fetch(`${stack.kratos.adminUrl}/admin/identities/${user.id}/sessions?active=true`);
    const list = (await res.json()) as { authenticated_at: string; authenticator_assurance_level: string; authentication_methods: { method: string }[] }[];
    const s = list.sort((a, b) => Date.parse(b.authenticated_at) - Date.parse(a.authenticated_at))[0];
    return { count: list.length, aal: s?.authenticator_assurance_level, methods: (s?.authentication_methods ?? []).map((m) => m.method) };
  }

  it('creates backup codes on the settings page, shows them once as a list, and saves them on confirmation', async () => {
    await signInWithPassword();
    await page.waitForURL(`${stack.hubUrl}/`);
    await page.goto(`${stack.hubUrl}/settings`);
    await page.waitForURL(/\/settings\?flow=/);
    const secret = (await page.locator('[data-testid="node/totp/totp_secret_key"] code').textContent()) ?? '';
    await node(page, 'totp/totp_code').fill(totp(secret));
    await button(page, 'totp', 'method').click();
    await page.waitForSelector('[data-testid="ui/message/1050001"]');

    const group = page.locator('[data-testid="group/lookup_secret"]');
    expect(await group.locator('legend').textContent()).toBe('Backup codes');
    expect(await group.locator('[data-testid="backup-codes/intro"]').isVisible()).toBe(true);
    await button(page, 'lookup_secret', 'lookup_secret_regenerate').click();
    await page.waitForSelector('[data-testid="node/lookup_secret/lookup_secret_codes"]');
    expect(await page.locator('[data-testid="backup-codes/shown-once"]').textContent()).toContain('shown only this once');
    const list = page.locator('[data-testid="node/lookup_secret/lookup_secret_codes"] ul');
    expect(await list.getAttribute('aria-label')).toBe('Your backup codes');
    await screenshot(page, 'settings-backup-codes');
    await walk.check(page, 'settings-backup-codes-shown');
    codes = await list.locator('li code').allTextContents();
    expect(codes).toHaveLength(12);
    for (const c of codes) expect(c).toMatch(/^[a-z0-9]{8}$/);

    // Not saved until confirmed: leaving now would have left the account without backup codes.
    const confirm = button(page, 'lookup_secret', 'lookup_secret_confirm');
    expect(await confirm.textContent()).toBe('I have saved these codes');
    expect(await confirm.getAttribute('class')).toBe('primary');
    await confirm.click();
    await page.waitForSelector('[data-testid="ui/message/1050001"]');
    // Saved: shown once, so not on the page any more, and no way to show them again; new ones
    // (replacing these) or turning them off instead.
    expect(await page.locator('[data-testid="node/lookup_secret/lookup_secret_codes"]').count()).toBe(0);
    expect(await page.locator('[data-testid="node/lookup_secret/lookup_secret_reveal"]').count()).toBe(0);
    expect(await button(page, 'lookup_secret', 'lookup_secret_regenerate').isVisible()).toBe(true);
    expect(await button(page, 'lookup_secret', 'lookup_secret_disable').isVisible()).toBe(true);
    await page.goto(`${stack.hubUrl}/settings`);
    await page.waitForURL(/\/settings\?flow=/);
    expect(await page.locator('[data-testid="node/lookup_secret/lookup_secret_codes"]').count()).toBe(0);
    await screenshot(page, 'settings-backup-codes-saved');
    await walk.check(page, 'settings-backup-codes-saved');
  });

  it('completes the second-factor step with a backup code, and each code works once', async () => {
    await signOut();
    await signInWithPassword();
    // The second-factor step offers the authenticator app and, as the other choice, a backup code.
    await page.waitForSelector('[data-testid="node/lookup_secret/lookup_secret"]');
    expect(await node(page, 'totp/totp_code').isVisible()).toBe(true);
    expect(await latestSession()).toMatchObject({ aal: 'aal1', methods: ['password'] });
    await screenshot(page, 'login-backup-code');
    await walk.check(page, 'login-aal2-with-backup-codes');
    await node(page, 'lookup_secret/lookup_secret').fill(codes[0]!);
    await button(page, 'lookup_secret', 'method').click();
    await page.waitForURL(`${stack.hubUrl}/`);
    expect(await page.locator('[data-testid="landing/email"]').textContent()).toBe(user.email);
    expect(await latestSession()).toMatchObject({ aal: 'aal2', methods: ['password', 'lookup_secret'] });

    await signOut();
    await signInWithPassword();
    await node(page, 'lookup_secret/lookup_secret').fill(codes[0]!);
    await button(page, 'lookup_secret', 'method').click();
    // The same code again: refused on the same page, saying why.
    await page.waitForSelector('[data-testid="ui/message/4000012"]');
    await walk.check(page, 'login-backup-code-used');
    expect(await page.locator('[data-testid="ui/message/4000012"]').textContent()).toBe('This backup code has already been used. Each code works only once.');
    expect(await latestSession()).toMatchObject({ aal: 'aal1' });

    await node(page, 'lookup_secret/lookup_secret').fill(codes[1]!);
    await button(page, 'lookup_secret', 'method').click();
    await page.waitForURL(`${stack.hubUrl}/`);
    expect(await page.locator('[data-testid="landing/email"]').textContent()).toBe(user.email);
    expect(await latestSession()).toMatchObject({ aal: 'aal2', methods: ['password', 'lookup_secret'] });
  });

  it('creating new codes in settings makes the old ones stop working', async () => {
    await page.goto(`${stack.hubUrl}/settings`);
    await page.waitForURL(/\/settings\?flow=/);
    await button(page, 'lookup_secret', 'lookup_secret_regenerate').click();
    const fresh = await page.locator('[data-testid="node/lookup_secret/lookup_secret_codes"] li code').allTextContents();
    expect(fresh).toHaveLength(12);
    expect(fresh).not.toContain(codes[2]);
    await button(page, 'lookup_secret', 'lookup_secret_confirm').click();
    await page.waitForSelector('[data-testid="ui/message/1050001"]');

    await signOut();
    await signInWithPassword();
    await node(page, 'lookup_secret/lookup_secret').fill(codes[2]!);
    await button(page, 'lookup_secret', 'method').click();
    await page.waitForSelector('[data-testid="ui/message/4000016"]');
    await node(page, 'lookup_secret/lookup_secret').fill(fresh[0]!);
    await button(page, 'lookup_secret', 'method').click();
    await page.waitForURL(`${stack.hubUrl}/`);
    expect(await latestSession()).toMatchObject({ aal: 'aal2', methods: ['password', 'lookup_secret'] });
  });

  it('adds no accessibility violation to the pages it shows', () => {
    expect(walk.visited).toHaveLength(4);
    expect(walk.report()).toBe('');
  });
});
