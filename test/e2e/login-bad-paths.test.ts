import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBrowser } from '@ssohub/testkit';
import { openBrowser, screenshot } from '../support/browser.ts';
import { type HubStack, startHubStack } from '../support/hub-stack.ts';
import { button, flowIdOf, node } from '../support/flow-page.ts';

// The bad paths of the login domain, in Chromium over https against real Kratos: each one must
// end on a page that says what happened, with nothing half-done behind it.

const FLOW_LIFESPAN_MS = 3_000;

async function identitiesOf(stack: HubStack, email: string): Promise<unknown[]> {
  const res = await fetch(`${stack.kratos.adminUrl}/admin/identities?credentials_identifier=${encodeURIComponent(email)}`);
  return (await res.json()) as unknown[];
}


describe('login domain bad paths (Chromium, https, real Kratos)', () => {
  let stack: HubStack;
  let browser: TestBrowser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    // Login flows expire after a few seconds here, so "expired" is real and not simulated.
    stack = await startHubStack({ kratosOverrides: { selfservice: { flows: { login: { lifespan: `${FLOW_LIFESPAN_MS / 1000}s` } } } } });
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

  it('a wrong registration code is refused, the form stays usable, and no identity is created', async () => {
    await freshPage();
    const email = `wrong.${Date.now()}@example.test`;
    await page.goto(`${stack.hubUrl}/registration`);
    await node(page, 'default/traits.email').fill(email);
    await button(page, 'profile', 'method').click();
    await button(page, 'code', 'method').click();
    await page.waitForSelector('[data-testid="ui/message/1040005"]');
    const mail = await stack.smtp.waitForMail(email);
    const real = /\b(\d{6})\b/.exec(mail.text)?.[1];
    const wrong = real === '000000' ? '111111' : '000000';
    await node(page, 'code/code').fill(wrong);
    await button(page, 'code', 'method').click();
    await page.waitForSelector('[data-testid="ui/message/4040003"]');
    expect(await page.locator('[data-testid="ui/message/4040003"]').textContent()).toMatch(/not correct/);
    // Issue #20: focus is on the field to fix (autofocus, no script), not on <body>.
    expect(await page.locator(':focus').getAttribute('data-testid')).toBe('node/code/code');
    expect(await page.locator('[data-testid="flow/registration"]').getAttribute('data-state')).toBe('sent_email');
    expect(await button(page, 'code', 'resend').isVisible()).toBe(true);
    expect(await identitiesOf(stack, email)).toEqual([]);
  });

  it('an expired flow opened again starts a fresh one with an explanation, keeping return_to', async () => {
    await freshPage();
    const returnTo = `${stack.hubUrl}/settings`;
    await page.goto(`${stack.hubUrl}/login?return_to=${encodeURIComponent(returnTo)}`);
    const expired = flowIdOf(page);
    await page.waitForTimeout(FLOW_LIFESPAN_MS + 500);
    await page.goto(`${stack.hubUrl}/login?flow=${expired}`);
    await page.waitForSelector('[data-testid="ui/notice/flow_expired"]');
    expect(flowIdOf(page)).not.toBe(expired);
    expect(await page.locator('[data-testid="link/registration"]').getAttribute('href')).toBe(`/registration?return_to=${encodeURIComponent(returnTo)}`);
  });

  it('an expired form submitted is answered with a fresh flow and an explanation, nobody signed in', async () => {
    await freshPage();
    await page.goto(`${stack.hubUrl}/login`);
    const expired = flowIdOf(page);
    await node(page, 'default/identifier').fill('nobody@example.test');
    await node(page, 'password/password').fill('whatever-password-1');
    await page.waitForTimeout(FLOW_LIFESPAN_MS + 500);
    await button(page, 'password', 'method').click();
    await page.waitForSelector('[data-testid="ui/message/4010001"]');
    expect(flowIdOf(page)).not.toBe(expired);
    expect((await context.cookies(stack.hubUrl)).some((c) => c.name === 'ory_kratos_session')).toBe(false);
  });

  it('a tampered CSRF token ends on a clear error page and creates no identity', async () => {
    await freshPage();
    const email = `csrf.${Date.now()}@example.test`;
    await page.goto(`${stack.hubUrl}/registration`);
    await node(page, 'default/traits.email').fill(email);
    await button(page, 'profile', 'method').click();
    await node(page, 'password/password').fill('A-good-long-password-7');
    // Tamper with the token of the form the user is about to send.
    await page.locator('[data-testid="flow/form/password"] input[name="csrf_token"]').evaluate((el) => {
      (el as unknown as { value: string }).value = 'tampered-token';
    });
    await button(page, 'password', 'method').click();
    await page.waitForURL(/\/error\?id=/);
    const message = page.locator('[data-testid="error/message"]');
    expect(await message.getAttribute('data-code')).toBe('SSOHUB_ERR_CSRF');
    expect(await message.textContent()).toMatch(/For your security/);
    await screenshot(page, 'error-csrf');
    expect(await identitiesOf(stack, email)).toEqual([]);
  });

  it('a flow fetched without its CSRF cookie (another browser) is restarted with an explanation', async () => {
    await freshPage();
    await page.goto(`${stack.hubUrl}/registration`);
    const foreign = flowIdOf(page);
    await freshPage();
    await page.goto(`${stack.hubUrl}/registration?flow=${foreign}`);
    await page.waitForSelector('[data-testid="ui/notice/csrf"]');
    expect(flowIdOf(page)).not.toBe(foreign);
  });

  it('return_to to a foreign host is refused by the hub with a clear page', async () => {
    await freshPage();
    const res = await page.goto(`${stack.hubUrl}/login?return_to=${encodeURIComponent('https://evil.example/steal')}`);
    expect(res?.status()).toBe(400);
    const message = page.locator('[data-testid="error/message"]');
    expect(await message.getAttribute('data-code')).toBe('SSOHUB_ERR_RETURN_TO_REFUSED');
    expect(await message.textContent()).toMatch(/evil\.example.*not an app registered/);
    await screenshot(page, 'error-return-to');
    // Relative tricks that browsers read as another host are refused too.
    const sneaky = await page.goto(`${stack.hubUrl}/registration?return_to=${encodeURIComponent('//evil.example/')}`);
    expect(sneaky?.status()).toBe(400);
  });

  it('return_to to a foreign host sent straight to Kratos ends on the same clear explanation', async () => {
    await freshPage();
    await page.goto(`${stack.hubUrl}/self-service/login/browser?return_to=${encodeURIComponent('https://evil.example/')}`);
    await page.waitForURL(/\/error\?id=/);
    const message = page.locator('[data-testid="error/message"]');
    expect(await message.getAttribute('data-code')).toBe('SSOHUB_ERR_RETURN_TO_REFUSED');
    expect(new URL(page.url()).host).toBe(new URL(stack.hubUrl).host);
  });

  it('an unknown flow id starts a fresh flow with an explanation', async () => {
    await freshPage();
    const unknown = '00000000-0000-4000-8000-000000000000';
    await page.goto(`${stack.hubUrl}/registration?flow=${unknown}`);
    await page.waitForSelector('[data-testid="ui/notice/flow_unknown"]');
    expect(flowIdOf(page)).toMatch(/^[0-9a-f-]{36}$/);
    expect(flowIdOf(page)).not.toBe(unknown);
    await page.goto(`${stack.hubUrl}/recovery?flow=not-a-flow-id`);
    await page.waitForSelector('[data-testid="ui/notice/flow_unknown"]');
  });

  it('an unknown error id shows a clear page rather than a crash', async () => {
    await freshPage();
    const res = await page.goto(`${stack.hubUrl}/error?id=00000000-0000-4000-8000-000000000000`);
    expect(res?.status()).toBe(404);
    expect(await page.locator('[data-testid="error/message"]').textContent()).toMatch(/expired or does not exist/);
  });

  it('sign-out cannot be triggered from another origin', async () => {
    const res = await fetch(`${stack.hubUrl}/logout`, {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site', 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: '',
    });
    expect(res.status).toBe(403);
    expect(await res.text()).toMatch(/did not come from this site/);
  });
});
