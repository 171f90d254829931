import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SmtpCapture, TestBrowser } from '@ssohub/testkit';
import { openBrowser, screenshot } from '../support/browser.ts';
import { type HubStack, startHubStack } from '../support/hub-stack.ts';
import { button, flowIdOf, node } from '../support/flow-page.ts';

// The login domain's flow pages in a real Chromium, over https on login.sso.test, against real
// Kratos (its public API reached only through the hub) and real mail through the SMTP capture.

const SUBJECT = {
  registration: /complete your account registration/i,
  login: /sign in to your account/i,
  verification: /verify your email/i,
  recovery: /recover access/i,
};

/** Waits for the first mail to `email` with `subject` among the mails after index `after`, and returns its code. */
async function codeFrom(smtp: SmtpCapture, email: string, subject: RegExp, after: number, flowId?: string): Promise<string> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const mail = smtp.messages
      .slice(after)
      .find((m) => m.to.includes(email.toLowerCase()) && subject.test(m.subject) && (!flowId || m.text.includes(flowId)));
    if (mail) {
      const code = /\b(\d{6})\b/.exec(mail.text)?.[1];
      if (!code) throw new Error(`mail "${mail.subject}" to ${email} has no code`);
      return code;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no "${subject}" mail to ${email} after mail #${after}`);
}

async function identitiesOf(stack: HubStack, email: string) {
  const res = await fetch(`${stack.kratos.adminUrl}/admin/identities?credentials_identifier=${encodeURIComponent(email)}`);
  return (await res.json()) as { id: string; traits: { email: string; name?: string }; verifiable_addresses: { value: string; verified: boolean }[] }[];
}


describe('login domain flow pages (Chromium, https, real Kratos)', () => {
  let stack: HubStack;
  let browser: TestBrowser;
  let context: BrowserContext;
  let page: Page;
  const password = 'Tr0ubadour-and-seventeen';

  beforeAll(async () => {
    stack = await startHubStack();
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  async function freshPage() {
    await context?.close();
    context = await browser.newContext();
    page = await context.newPage();
    return page;
  }

  async function signOut() {
    await page.goto(`${stack.hubUrl}/logout`);
    await page.locator('[data-testid="logout/confirm"]').click();
    await page.waitForURL(`${stack.hubUrl}/`);
    await expect(page.locator('[data-testid="landing/signed-out"]').isVisible()).resolves.toBe(true);
  }

  it('registers by code with a resend: the resent code works, the first one no longer does', async () => {
    await freshPage();
    const email = `code.${Date.now()}@example.test`;
    await page.goto(`${stack.hubUrl}/registration`);
    expect(page.url()).toMatch(new RegExp(`^${stack.hubUrl}/registration\\?flow=`));
    await screenshot(page, 'registration');
    await node(page, 'default/traits.email').fill(email);
    await node(page, 'default/traits.name').fill('Grace Hopper');
    await button(page, 'profile', 'method').click();
    await page.waitForSelector('[data-testid="node/code/method"]');

    let mark = stack.smtp.messages.length;
    await button(page, 'code', 'method').click();
    await page.waitForSelector('[data-testid="ui/message/1040005"]');
    expect(await page.locator('[data-testid="flow/title"]').textContent()).toBe('Check your email');
    const first = await codeFrom(stack.smtp, email, SUBJECT.registration, mark);

    mark = stack.smtp.messages.length;
    await button(page, 'code', 'resend').click();
    // Issue #20: Kratos' page after a resend is the same as after the first send; the hub's notice tells them apart.
    await page.waitForSelector('[data-testid="ui/notice/code_resent"]');
    expect(await page.locator('[data-testid="ui/notice/code_resent"]').textContent()).toBe(`We sent a new code to ${email}. Enter the code from the newest email.`);
    await page.waitForSelector('[data-testid="ui/message/1040005"]');
    const second = await codeFrom(stack.smtp, email, SUBJECT.registration, mark);
    expect(second).not.toBe(first);
    await screenshot(page, 'registration-code-sent');

    // Kratos 1.3.1 deletes every registration code of the flow before sending a new one
    // (strategy_registration.go, registrationSendEmail step 2), so the first code is now refused.
    await node(page, 'code/code').fill(first);
    await button(page, 'code', 'method').click();
    await page.waitForSelector('[data-testid="ui/message/4040003"]');
    expect(await identitiesOf(stack, email)).toEqual([]);
    await screenshot(page, 'registration-wrong-code');

    await node(page, 'code/code').fill(second);
    await button(page, 'code', 'method').click();
    await page.waitForURL(`${stack.hubUrl}/`);
    expect(await page.locator('[data-testid="landing/email"]').textContent()).toBe(email);
    expect(await page.locator('[data-testid="landing/name"]').textContent()).toBe('Grace Hopper');
    const [identity] = await identitiesOf(stack, email);
    // A code that reached the mailbox proves the address: no separate verification needed.
    expect(identity?.verifiable_addresses[0]).toMatchObject({ value: email, verified: true });
  });

  const pwEmail = `pw.${Date.now()}@example.test`;

  it('registers with a password, keeping return_to from the sign-in page through registration', async () => {
    await freshPage();
    const returnTo = `${stack.hubUrl}/settings`;
    await page.goto(`${stack.hubUrl}/login?return_to=${encodeURIComponent(returnTo)}`);
    await screenshot(page, 'login');
    const toRegistration = page.locator('[data-testid="link/registration"]');
    expect(await toRegistration.getAttribute('href')).toBe(`/registration?return_to=${encodeURIComponent(returnTo)}`);
    await toRegistration.click();
    await page.waitForURL(/\/registration\?flow=/);
    expect(await page.locator('[data-testid="link/login"]').getAttribute('href')).toBe(`/login?return_to=${encodeURIComponent(returnTo)}`);
    await node(page, 'default/traits.email').fill(pwEmail);
    await node(page, 'default/traits.name').fill('Ada Lovelace');
    await button(page, 'profile', 'method').click();
    await node(page, 'password/password').fill(password);
    await button(page, 'password', 'method').click();
    // Registration ends where the sign-in started: the settings page.
    await page.waitForURL(/\/settings\?flow=/);
    expect(await node(page, 'profile/traits.email').inputValue()).toBe(pwEmail);
    expect(await identitiesOf(stack, pwEmail)).toHaveLength(1);
  });

  it('changes the name in settings', async () => {
    await page.goto(`${stack.hubUrl}/settings`);
    await node(page, 'profile/traits.name').fill('Augusta Ada King');
    await button(page, 'profile', 'method').click();
    await page.waitForSelector('[data-testid="ui/message/1050001"]');
    await screenshot(page, 'settings-saved');
    expect(await node(page, 'profile/traits.name').inputValue()).toBe('Augusta Ada King');
    expect((await identitiesOf(stack, pwEmail))[0]?.traits.name).toBe('Augusta Ada King');
  });

  it('verifies the email address with a code', async () => {
    await page.goto(`${stack.hubUrl}/`);
    expect(await page.locator('[data-testid="landing/verified"]').textContent()).toBe('not verified');
    await page.goto(`${stack.hubUrl}/verification`);
    await node(page, 'code/email').fill(pwEmail);
    await button(page, 'code', 'method').click();
    await page.waitForSelector('[data-testid="ui/message/1080003"]');
    // Registration also mailed a code (for another flow); take the one for this flow.
    const code = await codeFrom(stack.smtp, pwEmail, SUBJECT.verification, 0, flowIdOf(page));
    await node(page, 'code/code').fill(code);
    await button(page, 'code', 'method').click();
    await page.waitForSelector('[data-testid="ui/message/1080002"]');
    expect(await page.locator('[data-testid="flow/title"]').textContent()).toBe('Email verified');
    expect((await identitiesOf(stack, pwEmail))[0]?.verifiable_addresses[0]?.verified).toBe(true);
  });

  it('signs out after confirming, and the login domain forgets the session', async () => {
    await signOut();
    expect(await page.locator('[data-testid="ui/notice/signed_out"]').textContent()).toMatch(/signed out/);
    const cookies = await context.cookies(stack.hubUrl);
    expect(cookies.find((c) => c.name === 'ory_kratos_session')).toBeUndefined();
    await page.goto(`${stack.hubUrl}/settings`);
    // No session: settings sends the browser to sign in, with the way back kept.
    await page.waitForURL(/\/login\?flow=/);
    expect(await page.locator('[data-testid="ui/notice/session_required"]').isVisible()).toBe(true);
  });

  it('signs in with a password', async () => {
    await page.goto(`${stack.hubUrl}/login`);
    await node(page, 'default/identifier').fill(pwEmail);
    await node(page, 'password/password').fill('not-the-password-1');
    await button(page, 'password', 'method').click();
    await page.waitForSelector('[data-testid="ui/message/4000006"]');
    await node(page, 'password/password').fill(password);
    await button(page, 'password', 'method').click();
    await page.waitForURL(`${stack.hubUrl}/`);
    expect(await page.locator('[data-testid="landing/name"]').textContent()).toBe('Augusta Ada King');
    await signOut();
  });

  it('signs in without a password, by a code sent by email', async () => {
    await page.goto(`${stack.hubUrl}/login`);
    await node(page, 'default/identifier').fill(pwEmail);
    const mark = stack.smtp.messages.length;
    // The code button skips browser validation: the empty password field must not block it.
    await button(page, 'code', 'method').click();
    await page.waitForSelector('[data-testid="ui/message/1010014"]');
    const code = await codeFrom(stack.smtp, pwEmail, SUBJECT.login, mark);
    await node(page, 'code/code').fill(code);
    await button(page, 'code', 'method').click();
    await page.waitForURL(`${stack.hubUrl}/`);
    expect(await page.locator('[data-testid="landing/email"]').textContent()).toBe(pwEmail);
    await signOut();
  });

  it('recovers the account by code and sets a new password that then works', async () => {
    await freshPage();
    await page.goto(`${stack.hubUrl}/login`);
    await page.locator('[data-testid="link/recovery"]').click();
    await page.waitForURL(/\/recovery\?flow=/);
    await node(page, 'code/email').fill(pwEmail);
    const mark = stack.smtp.messages.length;
    await button(page, 'code', 'method').click();
    await page.waitForSelector('[data-testid="ui/message/1060003"]');
    const code = await codeFrom(stack.smtp, pwEmail, SUBJECT.recovery, mark);
    await node(page, 'code/code').fill(code);
    await button(page, 'code', 'method').click();
    // Kratos signs the user in and hands over to a settings flow to set a new password.
    await page.waitForURL(/\/settings\?flow=/);
    await page.waitForSelector('[data-testid="ui/message/1060001"]');
    const newPassword = 'Correct-horse-battery-staple-42';
    await node(page, 'password/password').fill(newPassword);
    await button(page, 'password', 'method').click();
    await page.waitForSelector('[data-testid="ui/message/1050001"]');
    await signOut();

    await page.goto(`${stack.hubUrl}/login`);
    await node(page, 'default/identifier').fill(pwEmail);
    await node(page, 'password/password').fill(newPassword);
    await button(page, 'password', 'method').click();
    await page.waitForURL(`${stack.hubUrl}/`);
    expect(await page.locator('[data-testid="landing/email"]').textContent()).toBe(pwEmail);
  });
});
