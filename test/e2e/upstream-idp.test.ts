import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { kratosOidcMethod, upstreamCallbackUrl } from '@ssohub/hub/config';
import { startTestHostProxy, startUpstreamIdp, type TestBrowser, type TestHostProxy, type UpstreamIdp } from '@ssohub/testkit';
import { runAxe } from '../support/axe.ts';
import { createUser } from '../support/bridge-kit.ts';
import { openBrowser, screenshot } from '../support/browser.ts';
import { type Deployment, startDeployment } from '../support/deployment.ts';
import { button, node } from '../support/flow-page.ts';

// An upstream identity provider (a corporate directory on its own host, idp-corp.test, not the
// hub) through Kratos' oidc method and the shipped "corporate directory" claim mapping: it signs
// a new user up, signs them in again, and a password user links and unlinks it in settings.
// Kratos (Go) reaches idp-corp.test through the test kit's CONNECT proxy and trusts the test CA.

describe('upstream OpenID provider (Chromium, https, real Kratos)', () => {
  let proxy: TestHostProxy;
  let idp: UpstreamIdp;
  let d: Deployment;
  let browser: TestBrowser;
  let context: BrowserContext;
  let page: Page;
  let caDir: string;
  const redirectUris: string[] = [];

  beforeAll(async () => {
    caDir = await mkdtemp(join(tmpdir(), 'ssohub-upstream-ca-'));
    await writeFile(join(caDir, 'ca.pem'), inject('caPem'));
    proxy = await startTestHostProxy();
    idp = await startUpstreamIdp({ certPem: inject('certPem'), keyPem: inject('keyPem'), redirectUris, user: { email: `ada.${Date.now()}@corp.test` } });
    d = await startDeployment({
      config: { upstreamLogos: [{ provider: 'corp', logo: idp.logoUrl }] },
      kratosEnv: { HTTPS_PROXY: proxy.url, SSL_CERT_FILE: join(caDir, 'ca.pem') },
      kratosOverrides: (hubUrl) => {
        redirectUris.push(upstreamCallbackUrl(hubUrl, 'corp'));
        const provider = { id: 'corp', label: 'Corp Directory', issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, scopes: ['openid', 'email', 'profile'], mapper: 'corporate-directory', claimsSource: 'userinfo' as const };
        return { selfservice: { methods: kratosOidcMethod([provider], hubUrl) } };
      },
    });
    browser = await openBrowser();
    context = await browser.newContext();
    page = await context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await d?.stop();
    await idp?.stop();
    await proxy?.stop();
    if (caDir) await rm(caDir, { recursive: true, force: true });
  });

  const identitiesWith = async (email: string) => {
    const res = await fetch(`${d.stack.kratos.adminUrl}/admin/identities?credentials_identifier=${encodeURIComponent(email)}&include_credential=oidc`);
    return (await res.json()) as { id: string; traits: { email: string; name?: string }; verifiable_addresses: { value: string; verified: boolean }[]; credentials?: Record<string, { identifiers: string[] }> }[];
  };
  const identity = async (id: string) => {
    const res = await fetch(`${d.stack.kratos.adminUrl}/admin/identities/${id}?include_credential=oidc`);
    return (await res.json()) as { credentials: Record<string, { identifiers: string[] }> };
  };

  async function signInAtAppA() {
    await page.goto(d.appA.url);
    await page.locator('[data-testid="sign-in"]').click();
    await page.waitForURL(new RegExp(`^${d.hubUrl}/login\\?flow=`));
    const corp = page.locator('[data-testid="upstream/provider/corp"]');
    expect(await corp.textContent()).toContain('Corp Directory');
    await corp.click();
    await page.waitForURL(`${d.appA.url}/`);
  }

  it('signs a new user up through the upstream provider, with the mapped traits and its email_verified', async () => {
    await page.goto(`${d.hubUrl}/login`);
    await page.waitForSelector('[data-testid="upstream/provider/corp"]');
    // The provider's logo (hub option upstreamLogos) is drawn: its origin is in this page's CSP.
    const logo = page.locator('[data-testid="upstream/logo/corp"]');
    await expect.poll(() => logo.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
    await screenshot(page, 'login-upstream');
    expect(await runAxe(page)).toEqual([]);
    // Narrow and dark: the button still fits (no sideways scrolling) and passes axe.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await runAxe(page)).toEqual([]);
    await screenshot(page, 'login-upstream-narrow-dark');
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.locator('[data-testid="link/registration"]').click();
    await page.waitForURL(/\/registration\?flow=/);
    expect(await page.locator('[data-testid="upstream/provider/corp"]').textContent()).toContain('Corp Directory');
    const before = idp.signIns;
    await signInAtAppA();
    expect(idp.signIns).toBe(before + 1);
    expect(await page.locator('[data-testid="email"]').textContent()).toBe(idp.user.email);
    expect(await page.locator('[data-testid="user"]').textContent()).toBe(idp.user.name);
    const found = await identitiesWith(idp.user.email);
    expect(found).toHaveLength(1);
    expect(found[0]!.traits).toEqual({ email: idp.user.email, name: idp.user.name });
    expect(found[0]!.verifiable_addresses).toMatchObject([{ value: idp.user.email, verified: true }]);
    // The app's ID token carries the mapped claims.
    const cookie = (await context.cookies(d.appA.url)).find((c) => c.name.startsWith('__Host-ssohub-'))!;
    const record = await d.appA.store.get(createHash('sha256').update(cookie.value).digest('base64url'));
    expect(record?.claims).toMatchObject({ email: idp.user.email, name: idp.user.name, email_verified: true });
  });

  it('signs the same user in again through the upstream provider', async () => {
    const id = (await identitiesWith(idp.user.email))[0]?.id;
    await context.clearCookies();
    await signInAtAppA();
    expect(await page.locator('[data-testid="email"]').textContent()).toBe(idp.user.email);
    const again = await identitiesWith(idp.user.email);
    expect(again.map((i) => i.id)).toEqual([id]);
    expect((await identity(id!)).credentials.oidc?.identifiers).toEqual([`corp:${idp.user.sub}`]);
    // Each of the two upstream sign-ins so far was started at the hub and completed by Kratos'
    // callback (ssohub_sign_ins_total, docs/events.md).
    const scrape = await (await fetch(`${d.stack.adminUrl}/metrics`)).text();
    const count = (outcome: string) => Number(new RegExp(`^ssohub_sign_ins_total\\{[^}]*method="oidc",outcome="${outcome}"[^}]*\\} (\\d+)`, 'm').exec(scrape)?.[1]);
    expect([count('started'), count('success')]).toEqual([2, 2]);
  });

  it("leaves the address unverified when the upstream provider does not vouch for it (email_verified false)", async () => {
    await context.clearCookies();
    Object.assign(idp.user, { sub: 'corp-0003', email: `unverified.${Date.now()}@corp.test`, name: 'Una Verified', email_verified: false });
    await page.goto(`${d.hubUrl}/login`);
    await page.locator('[data-testid="upstream/provider/corp"]').click();
    await page.waitForURL((url) => url.origin === d.hubUrl && !url.pathname.startsWith('/self-service/'));
    const found = await identitiesWith(idp.user.email);
    expect(found).toHaveLength(1);
    expect(found[0]!.traits).toEqual({ email: idp.user.email, name: 'Una Verified' });
    expect(found[0]!.verifiable_addresses).toMatchObject([{ value: idp.user.email, verified: false }]);
  });

  it('lets a password user link the upstream account in settings, then unlink it', async () => {
    const user = await createUser(d.stack.kratos.adminUrl, 'upstream-link');
    await context.clearCookies();
    // Another directory account than the one that signed up above.
    idp.user.sub = 'corp-0002';
    idp.user.email = user.email;
    await page.goto(`${d.hubUrl}/login`);
    await node(page, 'default/identifier').fill(user.email);
    await node(page, 'password/password').fill(user.password);
    await button(page, 'password', 'method').click();
    await page.waitForURL(`${d.hubUrl}/`);
    await page.goto(`${d.hubUrl}/settings`);
    await page.waitForURL(/\/settings\?flow=/);
    expect(await page.locator('[data-testid="group/oidc"] legend').textContent()).toBe('Linked accounts');
    await screenshot(page, 'settings-upstream-unlinked');
    await page.locator('[data-testid="upstream/link/corp"]').click();
    await page.waitForURL(/\/settings\?flow=/);
    await page.waitForSelector('[data-testid="upstream/unlink/corp"]');
    expect((await identity(user.id)).credentials.oidc?.identifiers).toEqual(['corp:corp-0002']);
    await screenshot(page, 'settings-upstream-linked');
    expect(await runAxe(page)).toEqual([]);

    await page.locator('[data-testid="upstream/unlink/corp"]').click();
    await page.waitForSelector('[data-testid="upstream/link/corp"]');
    expect((await identity(user.id)).credentials.oidc?.identifiers ?? []).toEqual([]);
  });
});
