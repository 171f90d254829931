import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestBrowser, waitFor } from '@ssohub/testkit';
import { createUser, type TestUser } from '../support/bridge-kit.ts';
import { openBrowser, screenshot } from '../support/browser.ts';
import { button, node } from '../support/flow-page.ts';
import { type FourStacks, startFourStacks } from '../support/four-stacks.ts';

// Issue 26, done when: four stacks of docs/integrations (Hono on the web-standard adapter, Go,
// Python, and an app behind oauth2-proxy), each on its own host name, share one sign-in at the hub
// in a real Chromium, and one global logout ends all four: by back-channel logout where the stack
// has it, by refresh failure for oauth2-proxy.

// Short, so oauth2-proxy's refresh after the global logout comes within seconds.
const cookieRefreshSeconds = 2;

describe('one sign-in across Hono, Go, Python and oauth2-proxy apps (Chromium, https, real Kratos and Redis)', () => {
  let apps: FourStacks;
  let user: TestUser;
  let browser: TestBrowser;
  let context: BrowserContext;
  let page: Page;
  /** Every page the browser was shown at the hub (document loads, not redirects). */
  const hubPages: string[] = [];

  beforeAll(async () => {
    apps = await startFourStacks({ cookieRefreshSeconds });
    user = await createUser(apps.stack.kratos.adminUrl, 'four-stacks');
    browser = await openBrowser();
    context = await browser.newContext();
    page = await context.newPage();
    page.on('response', (res) => {
      if (res.url().startsWith(apps.stack.hubUrl) && res.request().resourceType() === 'document' && res.status() < 300) hubPages.push(res.url());
    });
  }, 1_260_000);
  afterAll(async () => {
    await browser?.close();
    await apps?.stop();
  });

  /** What the app's home page shows: the signed-in user's line, or null when it shows the anonymous page. */
  const signedInAs = async (appUrl: string): Promise<string | null> => {
    await page.goto(`${appUrl}/`);
    if (!page.url().startsWith(`${appUrl}/`)) return null;
    const user = page.locator('[data-testid="user"]');
    return (await user.count()) > 0 ? await user.textContent() : null;
  };

  it('signs in at the Hono app through the hub login page', async () => {
    await page.goto(`${apps.hono.appUrl}/auth/login`);
    await page.waitForURL(new RegExp(`^${apps.stack.hubUrl}/login\\?flow=`));
    await node(page, 'default/identifier').fill(user.email);
    await node(page, 'password/password').fill(user.password);
    await button(page, 'password', 'method').click();
    await page.waitForURL(`${apps.hono.appUrl}/`);
    expect(await page.locator('[data-testid="user"]').textContent()).toContain(user.email);
    await screenshot(page, 'four-stacks-hono-signed-in');
  });

  it('arrives signed in at the Go, Python and oauth2-proxy apps without any page at the hub', async () => {
    hubPages.length = 0;
    for (const app of [apps.go, apps.python]) {
      await page.goto(`${app.appUrl}/`);
      expect(await page.locator('[data-testid="anonymous"]').count(), app.clientId).toBe(1);
      await page.goto(`${app.appUrl}/auth/login`);
      await page.waitForURL(`${app.appUrl}/`);
      expect(await page.locator('[data-testid="user"]').textContent(), app.clientId).toContain(user.email);
      expect(await page.locator('[data-testid="user"]').textContent(), app.clientId).toContain(user.name);
    }
    // oauth2-proxy sends an anonymous visitor to the hub by itself (--skip-provider-button).
    await page.goto(`${apps.oauth2Proxy.appUrl}/`);
    await page.waitForURL(`${apps.oauth2Proxy.appUrl}/`);
    expect(await page.locator('[data-testid="user"]').textContent()).toBe(user.email);
    expect(hubPages).toEqual([]);
    // Each app holds its own session on its own host, under a cookie of its own.
    const hosts = new Set((await context.cookies()).map((c) => c.domain));
    for (const app of [apps.hono, apps.go, apps.python, apps.oauth2Proxy]) expect(hosts, app.clientId).toContain(new URL(app.appUrl).hostname);
    await screenshot(page, 'four-stacks-oauth2-proxy-signed-in');
  });

  it('ends all four sessions on a global logout from the Hono app: three by back-channel logout, oauth2-proxy at its next refresh', async () => {
    const ended = (run: FourStacks['go']) => run.output.filter((l) => /back-channel logout ended 1 session/.test(l)).length;
    const before = { go: ended(apps.go), python: ended(apps.python) };
    await page.goto(`${apps.hono.appUrl}/`);
    const started = performance.now();
    await page.locator('form[action="/auth/logout/global"] button').click();
    // The hub asks nothing more (the app sent its id_token_hint) and hands the browser back (with the state).
    await page.waitForURL((url) => url.origin === apps.hono.appUrl && url.pathname === '/');
    expect(await page.locator('[data-testid="anonymous"]').count()).toBe(1);

    for (const [name, app] of [
      ['go', apps.go],
      ['python', apps.python],
    ] as const) {
      await waitFor(`${app.clientId} to end its session`, async () => ((await signedInAs(app.appUrl)) === null ? true : undefined), { timeoutMs: 10_000, intervalMs: 200 });
      expect(await page.locator('[data-testid="anonymous"]').count(), app.clientId).toBe(1);
      // Ended by the hub's logout token, not by anything the browser did.
      expect(ended(app), app.clientId).toBe(before[name] + 1);
      console.log(`${app.clientId} signed out ${(performance.now() - started).toFixed(0)} ms after the click at the Hono app`);
    }
    // Hono's own session ended at the click; its back-channel copy finds nothing left to end.
    expect(await signedInAs(apps.hono.appUrl)).toBeNull();
    expect(await page.locator('[data-testid="anonymous"]').count()).toBe(1);

    // oauth2-proxy has no back-channel endpoint: its session lives until its next refresh, which the
    // hub refuses (the refresh token died with the hub session); then it sends the browser to the
    // hub, where the user must sign in again.
    await waitFor(
      'oauth2-proxy to end its session',
      async () => {
        await page.goto(`${apps.oauth2Proxy.appUrl}/`);
        return page.url().startsWith(`${apps.stack.hubUrl}/login?flow=`) ? true : undefined;
      },
      { timeoutMs: (cookieRefreshSeconds * 3 + 5) * 1000, intervalMs: 500 },
    );
    console.log(`oauth2-proxy signed out ${(performance.now() - started).toFixed(0)} ms after the click at the Hono app`);
    expect(apps.oauth2Proxy.output.some((l) => /invalid_grant/.test(l))).toBe(true);
    // The hub session is gone too: the Go app's sign-in now stops at the hub's login page.
    await page.goto(`${apps.go.appUrl}/auth/login`);
    await page.waitForURL(new RegExp(`^${apps.stack.hubUrl}/login\\?flow=`));
  });
});
