import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HubConfigInput } from '@ssohub/hub';
import { demoClientRegistration } from '@ssohub/demo-app';
import type { TestBrowser } from '@ssohub/testkit';
import { createUser, type TestUser } from '../support/bridge-kit.ts';
import { runAxe } from '../support/axe.ts';
import { openBrowser } from '../support/browser.ts';
import { button, node } from '../support/flow-page.ts';
import { type HubStack, startHubStack } from '../support/hub-stack.ts';
import { authorizationUrl, FAST_HASHING, LOCK_THRESHOLD, SHORT_LOCKOUT_GUARD } from '../support/page-suite.ts';
import { PageWalk, type Spot } from '../support/page-walk.ts';
import { totp } from '../support/totp.ts';

// Issue #20: every page of every flow passes axe (WCAG 2.1 A/AA and best practices) at 1280×800
// and 390×844, in the light and the dark scheme; and a themed deployment shows its logo, name,
// colours and stylesheet on every page. The walk reaches each state once and switches viewport
// and scheme on the same page. It never reads English copy: pages are found by data-testid.
// Besides axe, each page must reflow at 390 px without scrolling sideways (WCAG 1.4.10), which
// axe does not check (page-walk.ts).
// `npm run screenshots` (SCREENSHOTS=1) also saves each page × viewport × scheme under
// test-results/screenshots/a11y/<deployment>/.

const SCREENSHOTS = process.env.SCREENSHOTS === '1';
const APP_URL = 'https://app-a.test';
const PARTNER_URL = 'https://partner-c.example';

const clients = [
  demoClientRegistration({ clientId: 'app-a', name: 'App A', url: APP_URL, secret: 'app-a-secret-0123456789abcdefghijklmn' }),
  {
    client_id: 'partner-c',
    client_secret: 'partner-c-secret-0123456789abcdefghijk',
    client_name: 'Partner C',
    client_uri: PARTNER_URL,
    redirect_uris: [`${PARTNER_URL}/cb`],
    post_logout_redirect_uris: [`${PARTNER_URL}/`],
    grant_types: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_method: 'client_secret_basic',
  },
];

/** Every page of every flow, each state reached once, checked by `walk.check`. */
async function walkEveryPage(stack: HubStack, browser: TestBrowser, walk: PageWalk): Promise<void> {
  const hub = stack.hubUrl;
  const contexts: BrowserContext[] = [];
  const fresh = async (): Promise<Page> => {
    const context = await browser.newContext();
    contexts.push(context);
    return await context.newPage();
  };
  const user = await createUser(stack.kratos.adminUrl, 'a11y');
  const testid = (page: Page, id: string) => page.waitForSelector(`[data-testid="${id}"]`);
  const signInWithPassword = async (page: Page, who: TestUser, password = who.password) => {
    await page.goto(`${hub}/login`);
    await node(page, 'default/identifier').fill(who.email);
    await node(page, 'password/password').fill(password);
    await button(page, 'password', 'method').click();
  };

  try {
    const a = await fresh();
    await walk.step('landing, 404, flow error, OIDC error', async () => {
      await a.goto(`${hub}/`);
      await testid(a, 'landing/signed-out');
      await walk.check(a, 'landing-signed-out');
      const missing = await a.goto(`${hub}/no-such-page`);
      expect(missing?.status()).toBe(404);
      await walk.check(a, 'not-found');
      await a.goto(`${hub}/error?id=unknown`);
      await testid(a, 'error/message');
      await walk.check(a, 'flow-error');
      // An authorization request the provider cannot send back to any app: its own error page.
      await a.goto(authorizationUrl(hub, 'no-such-client', `${APP_URL}/auth/callback`));
      await testid(a, 'oidc/error');
      await walk.check(a, 'oidc-error');
    });

    await walk.step('login: empty, wrong password, code sent', async () => {
      await a.goto(`${hub}/login`);
      await node(a, 'default/identifier').waitFor();
      await walk.check(a, 'login');
      await signInWithPassword(a, user, 'not-the-password-1');
      await testid(a, 'ui/message/4000006');
      await walk.check(a, 'login-wrong-password');
      await a.goto(`${hub}/login`);
      await node(a, 'default/identifier').fill(user.email);
      await button(a, 'code', 'method').click();
      await testid(a, 'ui/message/1010014');
      await walk.check(a, 'login-code-sent');
    });

    await walk.step('signed in: landing, consent, account with another device', async () => {
      await signInWithPassword(a, user);
      await a.waitForURL(`${hub}/`);
      await testid(a, 'landing/email');
      await walk.check(a, 'landing-signed-in');
      await a.goto(authorizationUrl(hub, 'partner-c', `${PARTNER_URL}/cb`));
      await testid(a, 'consent/form');
      await walk.check(a, 'consent');
      // Another browser signed in as the same user: the account page lists it with a way to end it.
      const other = await fresh();
      await signInWithPassword(other, user);
      await other.waitForURL(`${hub}/`);
      await a.goto(`${hub}/account`);
      await testid(a, 'account/revoke-others');
      await walk.check(a, 'account');
    });

    let secret = '';
    await walk.step('settings: TOTP section, enrolled', async () => {
      await a.goto(`${hub}/settings`);
      await a.waitForURL(/\/settings\?flow=/);
      await testid(a, 'group/totp');
      await walk.check(a, 'settings');
      secret = (await a.locator('[data-testid="node/totp/totp_secret_key"] code').textContent()) ?? '';
      await node(a, 'totp/totp_code').fill(totp(secret));
      await button(a, 'totp', 'method').click();
      await testid(a, 'ui/message/1050001');
      await walk.check(a, 'settings-saved-totp-enrolled');
    });

    await walk.step('sign-out confirmation, signed-out landing', async () => {
      await a.goto(`${hub}/logout`);
      await testid(a, 'logout/confirm');
      await walk.check(a, 'logout-confirm');
      await a.locator('[data-testid="logout/confirm"]').click();
      await a.waitForURL(`${hub}/`);
      await testid(a, 'ui/notice/signed_out');
      await walk.check(a, 'landing-signed-out-notice');
    });

    await walk.step('login: second factor', async () => {
      if (!secret) throw new Error('no TOTP enrolled (settings step failed)');
      await signInWithPassword(a, user);
      await node(a, 'totp/totp_code').waitFor();
      await walk.check(a, 'login-totp');
      await node(a, 'totp/totp_code').fill(totp(secret));
      await button(a, 'totp', 'method').click();
      await a.waitForURL(`${hub}/`);
    });

    await walk.step('signed in at an app: account with the app, OIDC logout confirmation and done', async () => {
      // A provider session to end (without one oidc-provider skips the question): a sign-in at
      // App A. No app runs, so the browser's last hop, to its callback, fails; the hub's cookies
      // are set by then. A second tab of the same browser does it, so its error page cannot
      // interrupt the next navigation here.
      const tab = await a.context().newPage();
      const callback = tab.waitForRequest((r) => r.url().startsWith(`${APP_URL}/auth/callback`));
      await tab.goto(authorizationUrl(hub, 'app-a', `${APP_URL}/auth/callback`)).catch(() => undefined);
      await callback;
      await tab.close();
      await a.goto(`${hub}/account`);
      await testid(a, 'account/app/app-a');
      await walk.check(a, 'account-with-app');
      await a.locator('[data-testid="account/revoke-others"]').click();
      await testid(a, 'account/notice/others_signed_out');
      await walk.check(a, 'account-others-signed-out');
      await a.goto(`${hub}/oidc/session/end`);
      await testid(a, 'logout/everywhere');
      await walk.check(a, 'oidc-logout-confirm');
      await a.locator('[data-testid="logout/everywhere"]').click();
      await testid(a, 'logout/done');
      await walk.check(a, 'oidc-logout-done');
    });

    await walk.step('sign-in named for an app', async () => {
      const c = await fresh();
      await c.goto(authorizationUrl(hub, 'app-a', `${APP_URL}/auth/callback`));
      await c.waitForURL(/\/login\?flow=/);
      await testid(c, 'flow/client');
      await walk.check(c, 'login-for-app');
    });

    await walk.step('registration: start, password step, code sent, wrong code', async () => {
      const r = await fresh();
      const email = `a11y.reg.${Date.now()}@example.test`;
      await r.goto(`${hub}/registration`);
      await node(r, 'default/traits.email').waitFor();
      await walk.check(r, 'registration');
      await node(r, 'default/traits.email').fill(email);
      await node(r, 'default/traits.name').fill('Grace Hopper');
      await button(r, 'profile', 'method').click();
      await node(r, 'password/password').waitFor();
      await walk.check(r, 'registration-password-step');
      const since = Date.now();
      await button(r, 'code', 'method').click();
      await testid(r, 'ui/message/1040005');
      await walk.check(r, 'registration-code-sent');
      const real = await stack.smtp.latestCode(email, { since });
      await node(r, 'code/code').fill(real === '000000' ? '111111' : '000000');
      await button(r, 'code', 'method').click();
      await testid(r, 'ui/message/4040003');
      await walk.check(r, 'registration-wrong-code');
    });

    await walk.step('recovery: start, code sent, new password in settings', async () => {
      const lost = await createUser(stack.kratos.adminUrl, 'a11y-recovery');
      const r = await fresh();
      await r.goto(`${hub}/recovery`);
      await node(r, 'code/email').waitFor();
      await walk.check(r, 'recovery');
      const since = Date.now();
      await node(r, 'code/email').fill(lost.email);
      await button(r, 'code', 'method').click();
      await testid(r, 'ui/message/1060003');
      await walk.check(r, 'recovery-code-sent');
      await node(r, 'code/code').fill(await stack.smtp.latestCode(lost.email, { since }));
      await button(r, 'code', 'method').click();
      await r.waitForURL(/\/settings\?flow=/);
      await testid(r, 'ui/message/1060001');
      await walk.check(r, 'recovery-settings-new-password');
    });

    await walk.step('verification: start, code sent, verified', async () => {
      const unverified = await createUser(stack.kratos.adminUrl, 'a11y-verify', { verified: false });
      const v = await fresh();
      await v.goto(`${hub}/verification`);
      await node(v, 'code/email').waitFor();
      await walk.check(v, 'verification');
      const since = Date.now();
      await node(v, 'code/email').fill(unverified.email);
      await button(v, 'code', 'method').click();
      await testid(v, 'ui/message/1080003');
      await walk.check(v, 'verification-code-sent');
      await node(v, 'code/code').fill(await stack.smtp.latestCode(unverified.email, { since }));
      await button(v, 'code', 'method').click();
      await testid(v, 'ui/message/1080002');
      await walk.check(v, 'verification-done');
    });

    await walk.step('lockout', async () => {
      const victim = await createUser(stack.kratos.adminUrl, 'a11y-lock');
      const l = await fresh();
      for (let i = 0; i < LOCK_THRESHOLD; i++) {
        await signInWithPassword(l, victim, `wrong-password-${i}-x`);
        await testid(l, 'ui/message/4000006');
      }
      await signInWithPassword(l, victim);
      await testid(l, 'error/action/recovery');
      await walk.check(l, 'lockout');
    });
  } finally {
    for (const c of contexts) await c.close();
  }
}

const every = (walk: PageWalk) => {
  const messages: string[] = [];
  if (walk.findings.length > 0) messages.push(`accessibility violations (axe rules, and reflow at 390 px):\n${walk.report()}`);
  if (walk.problems.length > 0) messages.push(`branding not applied:\n${walk.problems.join('\n')}`);
  if (walk.unreachable.length > 0) messages.push(`not reached:\n${walk.unreachable.join('\n')}`);
  return messages.join('\n\n');
};

describe('the axe runner', () => {
  it('finds violations a page has, under the hub-like CSP', async () => {
    const browser = await openBrowser();
    try {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.setContent('<html><head><meta http-equiv="Content-Security-Policy" content="default-src \'none\'"></head><body><img src="data:,"><button></button></body></html>');
      const rules = (await runAxe(page)).map((v) => v.rule);
      expect(rules).toEqual(expect.arrayContaining(['html-has-lang', 'image-alt', 'button-name']));
    } finally {
      await browser.close();
    }
  });
});

describe('accessibility of every page (axe, Chromium, two viewports, light and dark)', () => {
  let stack: HubStack;
  let browser: TestBrowser;
  const walk = new PageWalk({ label: 'plain', screenshots: SCREENSHOTS });

  beforeAll(async () => {
    [stack, browser] = await Promise.all([
      startHubStack({ kratosOverrides: FAST_HASHING, allowedReturnOrigins: [APP_URL, PARTNER_URL], config: { guard: SHORT_LOCKOUT_GUARD, bridge: { clients } } }),
      openBrowser(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('walks every page of every flow with 0 axe violations', { timeout: 150_000 }, async () => {
    await walkEveryPage(stack, browser, walk);
    expect(walk.visited.length).toBeGreaterThan(20);
    expect(every(walk)).toBe('');
  });
});

/** The themed deployment: colours chosen to keep the hub's contrast in both schemes. */
const THEME = {
  productName: 'Acme Login',
  colors: {
    light: { accent: 'rgb(10, 110, 79)', background: 'rgb(246, 247, 242)', text: 'rgb(27, 31, 26)' },
    dark: { accent: 'rgb(111, 211, 168)', background: 'rgb(11, 20, 16)', text: 'rgb(230, 239, 233)' },
  },
  /** Set only by the custom stylesheet: the hub's own gives the card no top border this wide. */
  cardBorderTop: '6px',
};

/** What a themed page must show; returns each thing that is missing. */
async function brandingProblems(page: Page, spot: Spot): Promise<string[]> {
  const seen = await page.evaluate(() => {
    // The few DOM types used here (the test project compiles without the DOM library).
    type El = { getAttribute(name: string): string | null; textContent: string | null; naturalWidth?: number };
    type Css = { getPropertyValue(name: string): string; backgroundColor: string; color: string; borderTopWidth: string };
    const g = globalThis as unknown as { document: { querySelector(s: string): El | null; title: string; documentElement: El }; getComputedStyle(el: El): Css };
    const d = g.document;
    const logo = d.querySelector('header.brand img.brand-logo');
    const card = d.querySelector('main.card');
    const root = g.getComputedStyle(d.documentElement);
    return {
      logo: logo ? { src: logo.getAttribute('src') ?? '', loaded: (logo.naturalWidth ?? 0) > 0 } : undefined,
      name: (d.querySelector('header.brand')?.textContent ?? '').trim(),
      title: d.title,
      accent: root.getPropertyValue('--accent').trim(),
      background: root.backgroundColor,
      text: root.color,
      cardBorderTop: card ? g.getComputedStyle(card).borderTopWidth : undefined,
      footerLink: d.querySelector('footer a[href="https://help.acme.example/"]') !== null,
    };
  });
  const want = THEME.colors[spot.scheme];
  const problems: string[] = [];
  if (!seen.logo) problems.push('no logo <img> in the header');
  else if (!/^\/assets\/logo-[0-9a-f]+\.svg$/.test(seen.logo.src) || !seen.logo.loaded) problems.push(`logo ${seen.logo.src} not loaded`);
  if (seen.name !== THEME.productName) problems.push(`header names "${seen.name}"`);
  if (!seen.title.endsWith(`· ${THEME.productName}`)) problems.push(`title "${seen.title}"`);
  if (seen.accent !== want.accent) problems.push(`--accent is ${seen.accent}, not ${want.accent}`);
  if (seen.background !== want.background) problems.push(`background is ${seen.background}, not ${want.background}`);
  if (seen.text !== want.text) problems.push(`text colour is ${seen.text}, not ${want.text}`);
  if (seen.cardBorderTop !== THEME.cardBorderTop) problems.push(`custom stylesheet not applied (card border-top ${seen.cardBorderTop})`);
  if (!seen.footerLink) problems.push('footer link missing');
  return problems;
}

describe('a themed deployment: logo, name, colours and stylesheet on every page, still accessible', () => {
  let stack: HubStack;
  let browser: TestBrowser;
  const walk = new PageWalk({ label: 'themed', screenshots: SCREENSHOTS, inspect: brandingProblems });

  beforeAll(async () => {
    // Built after the plain hub stopped: the page branding is process-wide (render-page.ts).
    const dir = await mkdtemp(join(tmpdir(), 'ssohub-a11y-theme-'));
    await writeFile(join(dir, 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 20" width="80" height="40"><rect width="40" height="20" rx="4" fill="#0a6e4f"/></svg>');
    await writeFile(join(dir, 'acme.css'), `main.card{border-top:${THEME.cardBorderTop} solid var(--accent)}\n`);
    const branding: HubConfigInput['branding'] = {
      productName: THEME.productName,
      logo: join(dir, 'logo.svg'),
      stylesheet: join(dir, 'acme.css'),
      colors: THEME.colors,
      footer: [{ text: 'Acme help', href: 'https://help.acme.example/' }],
    };
    [stack, browser] = await Promise.all([
      startHubStack({ kratosOverrides: FAST_HASHING, allowedReturnOrigins: [APP_URL, PARTNER_URL], config: { guard: SHORT_LOCKOUT_GUARD, branding, bridge: { clients } } }),
      openBrowser(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('walks every page with the theme applied and 0 axe violations', { timeout: 150_000 }, async () => {
    await walkEveryPage(stack, browser, walk);
    expect(walk.visited.length).toBeGreaterThan(20);
    expect(every(walk)).toBe('');
  });
});
