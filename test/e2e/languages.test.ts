import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { demoClientRegistration } from '@ssohub/demo-app';
import { TEST_HOSTS, type TestBrowser } from '@ssohub/testkit';
import { t } from '../../packages/hub/src/i18n/translate.ts';
import type { Locale } from '../../packages/hub/src/i18n/locales.ts';
import { createUser } from '../support/bridge-kit.ts';
import { openBrowser, screenshot } from '../support/browser.ts';
import { button, node } from '../support/flow-page.ts';
import { type HubStack, startHubStack } from '../support/hub-stack.ts';
import { authorizationUrl, FAST_HASHING, LOCK_THRESHOLD, SHORT_LOCKOUT_GUARD } from '../support/page-suite.ts';

// Issue #20: the login domain in the user's language. German chosen by the browser
// (Accept-Language) and by the app (OIDC ui_locales) on sign-in, registration by code, recovery,
// settings and lockout pages and in the emailed codes; the language picker; and a client app
// named with its logo on the sign-in and consent pages. Expected texts come from the catalogs,
// so a reworded message does not break the test, but an English page does.

const SHOP_URL = `https://${TEST_HOSTS.shopB}`;
const PARTNER_URL = 'https://partner-c.example';
const LOGO_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><rect width="40" height="40" rx="8" fill="#0a7"/></svg>';

/** The German subjects of deploy/kratos/courier-templates. */
const SUBJECT_DE = {
  registration: 'Registrierung Ihres Kontos abschließen',
  login: 'Bei Ihrem Konto anmelden',
  recovery: 'Zugriff auf Ihr Konto wiederherstellen',
};

describe('the login domain in German, French and with the app’s own name and logo (Chromium)', () => {
  let stack: HubStack;
  let browser: TestBrowser;
  let logoServer: Server;
  let logoUrl: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    // The apps' logos come from their own origin, as logo_uri says; the hub must allow exactly it.
    logoServer = createServer({ cert: inject('certPem'), key: inject('keyPem') }, (_req, res) => {
      res.writeHead(200, { 'content-type': 'image/svg+xml', 'cache-control': 'no-store' }).end(LOGO_SVG);
    });
    await new Promise<void>((resolve) => logoServer.listen(0, '127.0.0.1', resolve));
    logoUrl = `${SHOP_URL}:${(logoServer.address() as AddressInfo).port}/logo.svg`;
    const clients = [
      { ...demoClientRegistration({ clientId: 'shop-b', name: 'Shop B', url: SHOP_URL, secret: 'shop-b-secret-0123456789abcdefghijklmn' }), logo_uri: logoUrl },
      {
        client_id: 'partner-c',
        client_secret: 'partner-c-secret-0123456789abcdefghijk',
        client_name: 'Partner C',
        client_uri: PARTNER_URL,
        logo_uri: logoUrl,
        redirect_uris: [`${PARTNER_URL}/cb`],
        grant_types: ['authorization_code', 'refresh_token'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ];
    [stack, browser] = await Promise.all([
      startHubStack({ kratosOverrides: FAST_HASHING, allowedReturnOrigins: [SHOP_URL, PARTNER_URL], config: { guard: SHORT_LOCKOUT_GUARD, bridge: { clients } } }),
      openBrowser(),
    ]);
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await stack?.stop();
    await new Promise((resolve) => logoServer?.close(resolve));
  });

  async function fresh(locale?: string): Promise<Page> {
    const context = await browser.newContext(locale ? { locale } : {});
    contexts.push(context);
    return await context.newPage();
  }

  const testid = (page: Page, id: string) => page.locator(`[data-testid="${id}"]`);
  const textOf = async (page: Page, id: string) => (await testid(page, id).first().textContent())?.trim();

  /** The page is in `locale`: its lang attribute, and its heading is the catalog's text for `key`. */
  async function expectPage(page: Page, locale: Locale, titleKey: Parameters<typeof t>[0]) {
    expect(await page.locator('html').getAttribute('lang')).toBe(locale);
    expect(await page.locator('html').getAttribute('dir')).toBe('ltr');
    expect(await textOf(page, 'flow/title')).toBe(t(titleKey, undefined, locale));
    expect(t(titleKey, undefined, locale)).not.toBe(t(titleKey, undefined, 'en'));
  }

  it('German from Accept-Language: registration by code, its email, settings, recovery and its email', async () => {
    const page = await fresh('de-DE');
    const email = `lang.de.${Date.now()}@example.test`;
    await page.goto(`${stack.hubUrl}/registration`);
    await expectPage(page, 'de', 'flows.registration.title');
    await node(page, 'default/traits.email').fill(email);
    await node(page, 'default/traits.name').fill('Grete Muster');
    await button(page, 'profile', 'method').click();
    await testid(page, 'node/code/method').waitFor();
    let since = Date.now();
    await button(page, 'code', 'method').click();
    await testid(page, 'ui/message/1040005').waitFor();
    await expectPage(page, 'de', 'flows.registration.sent.title');
    // Kratos' own message, in our German wording.
    expect(await textOf(page, 'ui/message/1040005')).toBe(t('kratos.1040005' as Parameters<typeof t>[0], undefined, 'de'));
    const mail = await stack.smtp.waitForMail(email, { since });
    expect(mail.subject).toBe(SUBJECT_DE.registration);
    expect(mail.html).toContain('lang="de"');
    await node(page, 'code/code').fill(/\b(\d{6})\b/.exec(mail.text)![1]!);
    await button(page, 'code', 'method').click();
    await page.waitForURL(`${stack.hubUrl}/`);
    expect(await page.locator('html').getAttribute('lang')).toBe('de');
    await screenshot(page, 'de-landing');

    await page.goto(`${stack.hubUrl}/settings`);
    await page.waitForURL(/\/settings\?flow=/);
    await expectPage(page, 'de', 'flows.settings.title');
    await screenshot(page, 'de-settings');
    await page.goto(`${stack.hubUrl}/logout`);
    await testid(page, 'logout/confirm').click();
    await page.waitForURL(`${stack.hubUrl}/`);

    await page.goto(`${stack.hubUrl}/recovery`);
    await expectPage(page, 'de', 'flows.recovery.title');
    await node(page, 'code/email').fill(email);
    since = Date.now();
    await button(page, 'code', 'method').click();
    await testid(page, 'ui/message/1060003').waitFor();
    await expectPage(page, 'de', 'flows.recovery.sent.title');
    const recovery = await stack.smtp.waitForMail(email, { since });
    expect(recovery.subject).toBe(SUBJECT_DE.recovery);
    await node(page, 'code/code').fill(/\b(\d{6})\b/.exec(recovery.text)![1]!);
    await button(page, 'code', 'method').click();
    // Recovered: Kratos sends the browser to settings to set a new password, still in German.
    await page.waitForURL(/\/settings\?flow=/);
    await expectPage(page, 'de', 'flows.settings.title');
  });

  it('German from Accept-Language on the sign-in and lockout pages', async () => {
    const user = await createUser(stack.kratos.adminUrl, 'lang-lock');
    const page = await fresh('de-AT');
    for (let i = 0; i < LOCK_THRESHOLD; i++) {
      await page.goto(`${stack.hubUrl}/login`);
      await expectPage(page, 'de', 'flows.login.title');
      await node(page, 'default/identifier').fill(user.email);
      await node(page, 'password/password').fill(`wrong-password-${i}-x`);
      await button(page, 'password', 'method').click();
      await testid(page, 'ui/message/4000006').waitFor();
    }
    expect(await textOf(page, 'ui/message/4000006')).toBe(t('kratos.4000006' as Parameters<typeof t>[0], undefined, 'de'));
    await node(page, 'password/password').fill(user.password);
    await button(page, 'password', 'method').click();
    await testid(page, 'error/action/recovery').waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('de');
    expect(await textOf(page, 'error/title')).toBe(t('errors.title.429', undefined, 'de'));
    expect(await textOf(page, 'error/action/recovery')).toBe(t('flows.lockout.recovery', undefined, 'de'));
    expect(await textOf(page, 'error/message')).toMatch(/Minute/);
    await screenshot(page, 'de-lockout');
  });

  it('German from the app’s ui_locales in an English browser: sign-in naming the app with its logo, registration by code, recovery, lockout, and the mails', async () => {
    const user = await createUser(stack.kratos.adminUrl, 'lang-ui');
    const page = await fresh('en-US');
    await page.goto(authorizationUrl(stack.hubUrl, 'shop-b', `${SHOP_URL}/auth/callback`, { ui_locales: 'de-CH en' }));
    await page.waitForURL(/\/login\?flow=/);
    await expectPage(page, 'de', 'flows.login.title');
    expect(await textOf(page, 'flow/client')).toBe(t('flows.client.login', { app: 'Shop B' }, 'de'));
    const logo = testid(page, 'flow/client-logo');
    expect(await logo.getAttribute('src')).toBe(logoUrl);
    // Loaded, so the page's CSP allowed exactly the logo's origin.
    await expect.poll(() => logo.evaluate((img) => { const i = img as unknown as { complete: boolean; naturalWidth: number }; return i.complete && i.naturalWidth; })).toBe(40);
    await screenshot(page, 'de-login-for-shop-b');

    // The code the hub's page asks Kratos to send is mailed in the page's language.
    await node(page, 'default/identifier').fill(user.email);
    const since = Date.now();
    await button(page, 'code', 'method').click();
    await testid(page, 'ui/message/1010014').waitFor();
    await expectPage(page, 'de', 'flows.login.sent.title');
    const mail = await stack.smtp.waitForMail(user.email, { since });
    expect(mail.subject).toBe(SUBJECT_DE.login);

    // The rest of that sign-in stays German although the browser asks for English: every page
    // the user can reach from the app's sign-in page.
    await page.goto(authorizationUrl(stack.hubUrl, 'shop-b', `${SHOP_URL}/auth/callback`, { ui_locales: 'de' }));
    await page.waitForURL(/\/login\?flow=/);
    await testid(page, 'link/registration').click();
    await page.waitForURL(/\/registration\?flow=/);
    await expectPage(page, 'de', 'flows.registration.title');
    const newcomer = `lang.ui.${Date.now()}@example.test`;
    await node(page, 'default/traits.email').fill(newcomer);
    await node(page, 'default/traits.name').fill('Hans Muster');
    await button(page, 'profile', 'method').click();
    await testid(page, 'node/code/method').waitFor();
    const registered = Date.now();
    await button(page, 'code', 'method').click();
    await testid(page, 'ui/message/1040005').waitFor();
    await expectPage(page, 'de', 'flows.registration.sent.title');
    expect((await stack.smtp.waitForMail(newcomer, { since: registered })).subject).toBe(SUBJECT_DE.registration);
    await testid(page, 'link/login').click();
    await page.waitForURL(/\/login\?flow=/);
    await testid(page, 'link/recovery').click();
    await page.waitForURL(/\/recovery\?flow=/);
    await expectPage(page, 'de', 'flows.recovery.title');
    await page.goto(`${stack.hubUrl}/login`);
    for (let i = 0; i <= LOCK_THRESHOLD; i++) {
      await node(page, 'default/identifier').fill(user.email);
      await node(page, 'password/password').fill(i < LOCK_THRESHOLD ? `wrong-password-${i}-x` : user.password);
      await button(page, 'password', 'method').click();
      if (i < LOCK_THRESHOLD) await testid(page, 'ui/message/4000006').waitFor();
    }
    await testid(page, 'error/action/recovery').waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('de');
    expect(await textOf(page, 'error/title')).toBe(t('errors.title.429', undefined, 'de'));

    // The next app that names no language gets the browser's again.
    await page.goto(authorizationUrl(stack.hubUrl, 'shop-b', `${SHOP_URL}/auth/callback`));
    await page.waitForURL(/\/login\?flow=/);
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
  });

  it('names a third-party app with its logo on the consent page, in the app’s language', async () => {
    const user = await createUser(stack.kratos.adminUrl, 'lang-consent');
    const page = await fresh('en-US');
    await page.goto(`${stack.hubUrl}/login`);
    await node(page, 'default/identifier').fill(user.email);
    await node(page, 'password/password').fill(user.password);
    await button(page, 'password', 'method').click();
    await page.waitForURL(`${stack.hubUrl}/`);
    await page.goto(authorizationUrl(stack.hubUrl, 'partner-c', `${PARTNER_URL}/cb`, { ui_locales: 'fr' }));
    await testid(page, 'consent/form').waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('fr');
    expect(await textOf(page, 'consent/client')).toBe('Partner C');
    expect(await page.locator('h1').textContent()).toBe(t('bridge.consent.heading', { app: 'Partner C' }, 'fr'));
    const logo = testid(page, 'consent/client-logo');
    expect(await logo.getAttribute('src')).toBe(logoUrl);
    await expect.poll(() => logo.evaluate((img) => { const i = img as unknown as { complete: boolean; naturalWidth: number }; return i.complete && i.naturalWidth; })).toBe(40);
    await screenshot(page, 'fr-consent-partner-c');
  });

  it('the language picker switches the page, without script, and the choice sticks', async () => {
    const page = await fresh('de-DE');
    await page.goto(`${stack.hubUrl}/login`);
    await expectPage(page, 'de', 'flows.login.title');
    const flowUrl = page.url();
    await testid(page, 'language-picker').locator('select').selectOption('es');
    await testid(page, 'language-picker').locator('button').click();
    // Back on the same flow, now in Spanish.
    await page.waitForURL(flowUrl);
    await expectPage(page, 'es', 'flows.login.title');
    await page.goto(`${stack.hubUrl}/recovery`);
    await expectPage(page, 'es', 'flows.recovery.title');
  });
});
