import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type IsolationReport, runIsolationAudit } from '@ssohub/cli';
import type { TestBrowser } from '@ssohub/testkit';
import { openBrowser, screenshot } from '../support/browser.ts';
import { type Deployment, startDeployment } from '../support/deployment.ts';
import { adminTokenForTests } from '../support/hub-stack.ts';
import { spawnCli } from '../integration/cli-run.ts';
import { button, node } from '../support/flow-page.ts';

// The isolation audit run against the end-to-end deployment (hub + App A + Shop B, real Kratos,
// Redis and Chromium): every check passes, and the HTML report renders in Chromium.

const PASSWORD = 'Isolation-audit-Passw0rd-42';

/** Checks that may be skipped against this deployment, each with the reason it must give. */
const JUSTIFIED_SKIPS: Record<string, RegExp> = {};

describe('ssohub audit isolation against the end-to-end deployment (Chromium, https, real Kratos and Redis)', () => {
  let d: Deployment;
  let browser: TestBrowser;
  let context: BrowserContext;
  let page: Page;
  let report: IsolationReport;
  const email = `audit.${Date.now()}@example.test`;

  beforeAll(async () => {
    d = await startDeployment();
    const created = await fetch(`${d.stack.kratos.adminUrl}/admin/identities`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      // A verified address: this test is about isolation, and with bridge.requireVerifiedEmail on
      // (the default) an unverified user would be sent through verification first.
      body: JSON.stringify({
        schema_id: 'person',
        traits: { email, name: 'Audit Tester' },
        credentials: { password: { config: { password: PASSWORD } } },
        verifiable_addresses: [{ value: email, via: 'email', verified: true, status: 'completed' }],
      }),
    });
    expect(created.status).toBe(201);
    browser = await openBrowser();
    context = await browser.newContext();
    page = await context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await d?.stop();
  });

  const target = () => ({
    hubUrl: d.hubUrl,
    issuer: d.issuer,
    adminUrl: d.stack.adminUrl,
    adminToken: adminTokenForTests,
    apps: [d.appA, d.shopB].map((a) => ({ url: a.url, clientId: undefined, loginPath: '/auth/login', apiPath: '/api/me' })),
    testUser: { email, password: PASSWORD },
  });

  it('signs the test user into App A with a password and into Shop B by single sign-on, in Chromium', async () => {
    await page.goto(d.appA.url);
    await page.locator('[data-testid="sign-in"]').click();
    await page.waitForURL(new RegExp(`^${d.hubUrl}/login\\?flow=`));
    await node(page, 'default/identifier').fill(email);
    await node(page, 'password/password').fill(PASSWORD);
    await button(page, 'password', 'method').click();
    await page.waitForURL(`${d.appA.url}/`);
    expect(await page.locator('[data-testid="email"]').textContent()).toBe(email);
    await page.goto(d.shopB.url);
    await page.locator('[data-testid="sign-in"]').click();
    await page.waitForURL(`${d.shopB.url}/`);
    expect(await page.locator('[data-testid="email"]').textContent()).toBe(email);
  });

  it('draws the session map of the signed-in user with ssohub sessions show', async () => {
    const res = await spawnCli(['--admin-url', d.stack.adminUrl, 'sessions', 'show', email, '--json'], { SSOHUB_ADMIN_TOKEN: adminTokenForTests });
    expect(res.code, res.stderr).toBe(0);
    const map = res.json();
    expect(map.identity.email).toBe(email);
    const clients = map.kratosSessions.flatMap((s: { providerSessions: { clients: { clientId: string }[] }[] }) => s.providerSessions.flatMap((p) => p.clients.map((c) => c.clientId)));
    expect(clients).toEqual(expect.arrayContaining(['app-a', 'shop-b']));
    const human = await spawnCli(['--admin-url', d.stack.adminUrl, 'sessions', 'show', email], { SSOHUB_ADMIN_TOKEN: adminTokenForTests });
    expect(human.stdout).toMatch(/Kratos session [0-9a-f-]{36}/);
    expect(human.stdout).toMatch(/client app-a {2}sid /);
    expect(human.stdout).toMatch(/bridge\.login\.accepted/);
  });

  // The audit ends the test account's sessions when it finishes, so the map is drawn before it.
  it('passes every check (in-process run)', async () => {
    report = await runIsolationAudit(target());
    const bad = report.checks.filter((c) => c.verdict === 'fail' || c.verdict === 'inconclusive' || (c.verdict === 'skipped' && !JUSTIFIED_SKIPS[c.id]?.test(c.detail)));
    expect(bad.map((c) => `${c.verdict} ${c.id} ${c.target}: ${c.detail}`)).toEqual([]);
    expect(report.summary.fail).toBe(0);
    // The live checks with the test user ran on https too: the cookie map (every cookie host-only,
    // App A's and Shop B's with __Host-), both logout proofs, and token confusion at both APIs.
    for (const id of ['session.cookie-map', 'logout.global', 'logout.local']) expect(report.checks.find((c) => c.id === id)?.verdict, id).toBe('pass');
    expect(report.checks.filter((c) => c.id === 'app.token-confusion' && c.verdict === 'pass')).toHaveLength(2);
    const map = report.checks.find((c) => c.id === 'session.cookie-map')!.table!;
    expect(map.rows.every((r) => r[5] === 'host-only' && r[9] === 'none')).toBe(true);
    expect(map.rows.filter((r) => r[0] !== new URL(d.hubUrl).hostname).every((r) => r[7] === '__Host-' && r[2] === 'yes')).toBe(true);
    // The report holds evidence, never a secret: no password, code, token or cookie value.
    const json = JSON.stringify(report);
    expect(json).not.toContain(PASSWORD);
    expect(json).not.toMatch(/[?&](code|state|logout_token|access_token)=(?!\[redacted\])/);
    expect(json).not.toMatch(/ory_kratos_session=(?!\[redacted\])/);
    // Nothing is left behind on the target: no temporary client, no session of the test account.
    const admin = (path: string) => fetch(`${d.stack.adminUrl}${path}`, { headers: { authorization: `Bearer ${adminTokenForTests}`, accept: 'application/json' } });
    const { clients } = (await (await admin('/admin/clients')).json()) as { clients: { client_id: string }[] };
    expect(clients.map((c) => c.client_id).filter((id) => id.startsWith('isolation-audit-'))).toEqual([]);
    const active = (await (await fetch(`${d.stack.kratos.adminUrl}/admin/identities?credentials_identifier=${encodeURIComponent(email)}`)).json()) as { id: string }[];
    const sessions = (await (await fetch(`${d.stack.kratos.adminUrl}/admin/identities/${active[0]!.id}/sessions?active=true`)).json()) as unknown[];
    expect(sessions).toEqual([]);
  });

  /**
   * The real binary in a child process: test host names resolve to loopback through a preload
   * (the same mapping the test process uses), and the test CA is trusted through NODE_EXTRA_CA_CERTS.
   */
  const runBinary = async (args: string[]) => {
    const dir = await mkdtemp(join(tmpdir(), 'ssohub-audit-'));
    const ca = join(dir, 'ca.pem');
    await writeFile(ca, inject('caPem'));
    const preload = join(dir, 'test-hosts.mjs');
    await writeFile(
      preload,
      `import dns from 'node:dns';
const original = dns.lookup;
const isTest = (h) => h === 'localhost' || ['.test', '.example', '.localhost'].some((s) => h.toLowerCase().endsWith(s));
dns.lookup = (host, options, callback) => {
  const cb = typeof options === 'function' ? options : callback;
  if (!isTest(host)) return original(host, options, callback);
  if (typeof options === 'object' && options && options.all) return process.nextTick(cb, null, [{ address: '127.0.0.1', family: 4 }]);
  return process.nextTick(cb, null, '127.0.0.1', 4);
};
`,
    );
    const res = await spawnCli(args, { NODE_OPTIONS: `--import=${preload}`, NODE_EXTRA_CA_CERTS: ca });
    return { ...res, dir };
  };
  const cliArgs = () => [
    '--admin-url', d.stack.adminUrl, '--token', adminTokenForTests,
    'audit', 'isolation', '--hub', d.hubUrl,
    '--app', `${d.appA.url},client=app-a,api=/api/me`,
    '--app', `${d.shopB.url},api=/api/me,login=/auth/login`,
    '--test-user', `${email}:${PASSWORD}`,
  ];

  it('writes the HTML report with the real ssohub binary (--out report.html), exit 0, progress on stderr', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ssohub-report-'));
    const out = join(dir, 'report.html');
    const res = await runBinary([...cliArgs(), '--out', out]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toBe('');
    expect(res.stderr).toMatch(/PASS hub\.pkce\.required/);
    expect(res.stderr).toMatch(/0 failed/);
    const html = await readFile(out, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toContain(PASSWORD);
    expect(html).not.toMatch(/data-verdict="fail"/);
    await page.setContent(html);
    expect(await page.locator('details[data-verdict="fail"]').count()).toBe(0);
    expect(await page.locator('details[data-verdict="pass"]').count()).toBeGreaterThan(30);
    expect(await page.locator('details[data-check="app.backchannel.refuses-unsigned"]').count()).toBe(2);
    // Open one check so the screenshot shows its evidence too.
    await page.locator('details[data-check="hub.redirect-uri.exact"] summary').click();
    await screenshot(page, 'isolation-report');
  });

  it('prints Markdown and JSON with --format through the binary, every check passing', async () => {
    const md = await runBinary([...cliArgs(), '--format', 'md']);
    expect(md.code, md.stderr).toBe(0);
    expect(md.stdout).toMatch(/^# Session-isolation audit of https:\/\/login\.sso\.test:/);
    expect(md.stdout).toMatch(/\*\*\d+ passed, 0 failed, 0 inconclusive, 0 skipped\.\*\*/);
    const js = await runBinary([...cliArgs(), '--format', 'json']);
    expect(js.code, js.stderr).toBe(0);
    const r = js.json() as IsolationReport;
    expect(r.summary).toMatchObject({ fail: 0, inconclusive: 0, skipped: 0 });
    expect(new Set(r.checks.map((c) => c.id))).toEqual(new Set(report.checks.map((c) => c.id)));
  });

});
