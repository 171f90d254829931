import type { TestBrowser } from '@ssohub/testkit';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser } from '../support/browser.ts';
import { adminTokenForTests, type HubStack, startHubStack } from '../support/hub-stack.ts';
import { PageWalk } from '../support/page-walk.ts';

// The console's overview, client, lockout and audit pages (issue 27) in Chromium: each page a
// signed-in admin reaches through them, checked by axe and for reflow at 1280×800 and 390×844,
// light and dark, in English and in German (the longest strings). Found by data-testid.

describe('the console’s overview, client, lockout and audit pages (Chromium)', () => {
  let stack: HubStack;
  let browser: TestBrowser;

  beforeAll(async () => {
    stack = await startHubStack({ store: 'memory' });
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it.each(['en-US', 'de-DE'])('finds no accessibility violation on any of them (%s)', async (locale) => {
    const walk = new PageWalk({ label: `console-${locale}`, screenshots: process.env.SCREENSHOTS === '1' });
    const context = await browser.newContext({ locale });
    const page = await context.newPage();
    const base = `${stack.adminUrl}/console`;
    const testid = (p: Page, id: string) => p.locator(`[data-testid="${id}"]`);
    const clientId = `axe-${locale.slice(0, 2)}`;

    await page.goto(`${base}/clients`);
    expect(page.url()).toBe(`${base}/sign-in?next=%2Fconsole%2Fclients`);
    await walk.check(page, 'sign-in');
    await testid(page, 'console/name').fill('axe');
    await testid(page, 'console/token').fill('wrong-token-wrong-token-wrong');
    await page.locator('[data-testid="console/sign-in"] button[type=submit]').click();
    await testid(page, 'console/error').waitFor();
    await walk.check(page, 'sign-in-refused');
    await testid(page, 'console/token').fill(adminTokenForTests);
    await page.locator('[data-testid="console/sign-in"] button[type=submit]').click();
    await page.waitForURL(`${base}/clients`);
    await walk.check(page, 'clients-empty');

    await page.goto(base);
    await testid(page, 'console/doctor-checks').waitFor();
    await walk.check(page, 'overview');

    await page.goto(`${base}/clients/new`);
    await walk.check(page, 'client-new');
    await testid(page, 'console/client-id').fill('x');
    await testid(page, 'console/client-redirect-uris').fill('https://app.example.test/callback#frag');
    await page.locator('[data-testid="console/client-form"] button[type=submit]').click();
    await testid(page, 'console/error').waitFor();
    await walk.check(page, 'client-new-problems');
    await testid(page, 'console/client-id').fill(clientId);
    await testid(page, 'console/client-redirect-uris').fill('https://app.example.test/callback');
    await page.locator('[data-testid="console/client-form"] button[type=submit]').click();
    await testid(page, 'console/confirm').waitFor();
    await walk.check(page, 'client-confirm');
    await page.locator('[data-testid="console/confirm"] button[type=submit]').click();
    await testid(page, 'console/client-secret').waitFor();
    await walk.check(page, 'client-secret');

    await page.goto(`${base}/clients/new?kind=service`);
    await walk.check(page, 'service-client-new');
    await page.goto(`${base}/clients`);
    await walk.check(page, 'clients');
    await page.goto(`${base}/clients/${clientId}`);
    await walk.check(page, 'client');
    await page.goto(`${base}/clients/${clientId}/edit`);
    await walk.check(page, 'client-edit');
    await page.goto(`${base}/clients/${clientId}`);
    await page.locator('[data-testid="console/delete-client"] button[type=submit]').click();
    await testid(page, 'console/confirm').waitFor();
    await walk.check(page, 'client-delete-confirm');
    await page.locator('[data-testid="console/confirm"] button[type=submit]').click();
    await testid(page, 'console/notice').waitFor();
    await walk.check(page, 'clients-notice');

    await page.goto(`${base}/clients/no-such-client`);
    await walk.check(page, 'error');

    await page.goto(`${base}/lockouts`);
    await walk.check(page, 'lockouts');
    await testid(page, 'console/lockout-identifier').fill('someone@example.test');
    await testid(page, 'console/lockout-identifier').press('Enter');
    await testid(page, 'console/confirm').waitFor();
    await walk.check(page, 'lockout-confirm');

    await page.goto(`${base}/audit`);
    await testid(page, 'console/audit-events').waitFor();
    await walk.check(page, 'audit');
    await testid(page, 'console/audit-type').fill('client.*');
    await testid(page, 'console/audit-type').press('Enter');
    await page.waitForURL(/type=client/);
    expect(await page.locator('[data-testid="console/audit-events"] tbody tr').count()).toBeGreaterThanOrEqual(2);
    await walk.check(page, 'audit-filtered');
    await page.goto(`${base}/audit?from=yesterday`);
    await walk.check(page, 'audit-bad-time');

    await testid(page, 'console/sign-out').click();
    await page.waitForURL(`${base}/sign-in`);
    await page.goto(`${base}/clients`);
    expect(page.url()).toContain('/console/sign-in');
    await context.close();

    expect(walk.unreachable).toEqual([]);
    expect(walk.findings, walk.report()).toEqual([]);
  });
});
