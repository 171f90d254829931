import { createHash } from 'node:crypto';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBrowser } from '@ssohub/testkit';
import { openBrowser, screenshot } from '../support/browser.ts';
import { type Deployment, startDeployment } from '../support/deployment.ts';
import { button, node } from '../support/flow-page.ts';

// Issue #21, verified addresses, as a person meets it in Chromium with JavaScript off: a password
// sign-up started at App A stops at the hub's verification page, which says why; the emailed code
// takes the person on to App A, whose session says email_verified true (decision 0016).

const sessionKey = (cookieValue: string) => createHash('sha256').update(cookieValue).digest('base64url');

describe('a verified address before an app sign-in (Chromium, scripts off, real Kratos and Redis)', () => {
  let d: Deployment;
  let browser: TestBrowser;
  let context: BrowserContext;
  let page: Page;
  const email = `verify.${Date.now()}@example.test`;

  beforeAll(async () => {
    d = await startDeployment();
    browser = await openBrowser();
    context = await browser.newContext({ javaScriptEnabled: false });
    page = await context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await d?.stop();
  });

  it('signs up with a password from App A, verifies the address by code, and lands in App A verified', async () => {
    await page.goto(d.appA.url);
    await page.locator('[data-testid="sign-in"]').click();
    await page.waitForURL(new RegExp(`^${d.hubUrl}/login\\?flow=`));
    await page.locator('[data-testid="link/registration"]').click();
    await page.waitForURL(new RegExp(`^${d.hubUrl}/registration\\?flow=`));
    await node(page, 'default/traits.email').fill(email);
    await node(page, 'default/traits.name').fill('Mary Jackson');
    await button(page, 'profile', 'method').click();
    await node(page, 'password/password').fill('an-unusual-and-long-passphrase-42');
    await button(page, 'password', 'method').click();

    // Signed in at the hub, but App A does not get the user yet: the address comes first.
    await page.waitForURL(new RegExp(`^${d.hubUrl}/verification\\?flow=`));
    expect(await page.locator('[data-testid="ui/notice/verify_required"]').textContent()).toMatch(/confirm your email address/);
    expect(await page.locator('[data-testid="link/cancel-sign-in"]').getAttribute('href')).toMatch(new RegExp(`^${d.hubUrl}/interaction/[^/]+/cancel$`));
    await screenshot(page, 'verification-required');
    // Kratos mailed a code at sign-up already, for its own flow: wait for it, then ask for ours.
    // (Later than that mail by a millisecond at least: both may share one.)
    const since = (await d.stack.smtp.waitForMail(email)).receivedAt + 1;
    // The address is filled in already: the person only asks for the code.
    expect(await node(page, 'code/email').inputValue()).toBe(email);
    await button(page, 'code', 'method').click();
    await page.waitForSelector('[data-testid="node/code/code"]');
    await node(page, 'code/code').fill(await d.stack.smtp.latestCode(email, { since }));
    await button(page, 'code', 'method').click();

    await page.waitForURL(`${d.appA.url}/`);
    expect(await page.locator('[data-testid="email"]').textContent()).toBe(email);
    const cookie = (await context.cookies(d.appA.url)).find((c) => c.name.startsWith('__Host-ssohub-'));
    const record = await d.appA.store.get(sessionKey(cookie!.value));
    expect(record?.claims).toMatchObject({ email, email_verified: true });
  });
});
