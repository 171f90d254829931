import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT, type IsolationReport } from '@ssohub/cli';
import { openBrowser } from '../support/browser.ts';
import { adminTokenForTests, type HubStack, startHubStack } from '../support/hub-stack.ts';
import { runCli } from './cli-run.ts';

// The isolation audit's verdicts against a real hub (https, real Kratos and Redis): the known
// false verdicts of issue #23 are gone, checks that cannot run are inconclusive (never FAIL)
// and say how to make them run, and the CI outputs carry the run context.

describe('isolation audit verdicts against a real hub (https, Kratos, Redis)', () => {
  let stack: HubStack;

  beforeAll(async () => {
    stack = await startHubStack();
    const res = await fetch(`${stack.adminUrl}/admin/clients`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminTokenForTests}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        client_id: 'verdicts-app',
        redirect_uris: ['https://app-a.test/auth/callback'],
        post_logout_redirect_uris: ['https://app-a.test/'],
        backchannel_logout_uri: 'https://app-a.test/auth/backchannel-logout',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        scope: 'openid email',
        ssohub_first_party: true,
      }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const audit = async (extra: string[], admin: boolean) => {
    const res = await runCli(
      [...(admin ? ['--admin-url', stack.adminUrl] : []), 'audit', 'isolation', '--hub', stack.hubUrl, '--format', 'json', ...extra],
      admin ? { SSOHUB_ADMIN_TOKEN: adminTokenForTests } : {},
    );
    const report = res.json() as IsolationReport;
    return { ...res, report, check: (id: string) => report.checks.find((c) => c.id === id)! };
  };

  it('post_logout_redirect_uri=https://evil.example: pass, since the browser never leaves the hub (with and without a client id)', async () => {
    // Without the admin API no client is known: end_session gets no client_id and the hub ends on its own page.
    const anonymous = await audit([], false);
    const a = anonymous.check('hub.open-redirect.post-logout');
    expect(a.verdict, a.detail).toBe('pass');
    expect(a.detail).toMatch(/ends at https:\/\/login\.sso\.test:\d+\/oidc\/session\/end\/success \(200\) and never reaches evil\.example/);
    // With the registry: the registered URI is accepted, the foreign one refused on the hub.
    const withClient = await audit([], true);
    const b = withClient.check('hub.open-redirect.post-logout');
    expect(b.verdict, b.detail).toBe('pass');
    expect(b.detail).toMatch(/the registered URI answers 200/);
  });

  it('judges HSTS on https and names only the headers its evidence shows', async () => {
    const { check } = await audit([], false);
    const hsts = check('hub.headers.hsts');
    // The hub sends HSTS on https (http/security-headers.ts); the detail quotes what was seen.
    expect(hsts.verdict, hsts.detail).toBe('pass');
    expect(hsts.detail).toBe('Strict-Transport-Security: max-age=31536000; includeSubDomains.');
    expect(hsts.evidence[0]!.answer).toMatch(/\nStrict-Transport-Security: max-age=31536000; includeSubDomains$/);
    const security = check('hub.headers.security');
    expect(security.verdict, security.detail).toBe('pass');
    expect(security.detail).not.toMatch(/HSTS|Strict-Transport/);
    expect(check('hub.https').verdict).toBe('pass');
  });

  it('without the admin API and a test user: no fail, every such check inconclusive with how to run it, exit 0 (1 with --strict)', async () => {
    const res = await audit([], false);
    expect(res.code, res.stderr).toBe(EXIT.OK);
    expect(res.report.summary.fail).toBe(0);
    const inconclusive = res.report.checks.filter((c) => c.verdict === 'inconclusive');
    expect(inconclusive.map((c) => c.id).sort()).toEqual(['hub.code.single-use', 'hub.pkce.plain-refused', 'hub.pkce.required', 'hub.redirect-uri.exact', 'hub.refresh.rotation', 'logout.global', 'logout.local', 'registry.read', 'session.cookie-map']);
    for (const c of inconclusive) expect(c.howToRun, c.id).toMatch(/--admin-url|--token|--test-user/);
    expect(res.report.context).toMatchObject({ hubVersion: 'unknown', hubMode: 'unknown', adminApi: false, testUser: false, hubReachable: true });
    expect((await audit(['--strict'], false)).code).toBe(EXIT.CHECK_FAILED);
  });

  it('with a wrong admin token: the registry check is inconclusive (the token was refused), not a finding about the hub', async () => {
    const res = await runCli(['--admin-url', stack.adminUrl, 'audit', 'isolation', '--hub', stack.hubUrl, '--format', 'json'], { SSOHUB_ADMIN_TOKEN: 'wrong-token-0123456789abcdef0123' });
    const report = res.json() as IsolationReport;
    const registry = report.checks.find((c) => c.id === 'registry.read')!;
    expect(registry.verdict).toBe('inconclusive');
    expect(registry.detail).toMatch(/answered 401: the admin token was refused/);
    expect(registry.howToRun).toMatch(/admin token the hub accepts/);
    expect(report.summary.fail).toBe(0);
  });

  it('reads the hub mode from the admin API, and writes SARIF beside the JSON report', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'isolation-sarif-'));
    const sarifFile = join(dir, 'audit.sarif');
    const res = await audit(['--sarif', sarifFile, '--fail-on', 'high'], true);
    expect(res.report.context).toMatchObject({ hubMode: 'development', adminApi: true, failOn: 'high' });
    expect(res.report.context.options['--token']).toBe('[redacted]');
    expect(res.stdout).not.toContain(adminTokenForTests);
    const sarif = JSON.parse(await readFile(sarifFile, 'utf8'));
    expect(sarif.runs[0].tool.driver.rules.map((r: { id: string }) => r.id)).toEqual([...new Set(res.report.checks.map((c) => c.id))]);
    const inconclusive = res.report.checks.filter((c) => c.verdict === 'inconclusive').length;
    expect(sarif.runs[0].results.filter((r: { kind: string }) => r.kind === 'open')).toHaveLength(inconclusive);
    expect(JSON.stringify(sarif)).not.toContain(adminTokenForTests);
  });

  it('the HTML report states the run context and prints on one A4 page', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'isolation-html-'));
    const out = join(dir, 'report.html');
    const res = await runCli(['--admin-url', stack.adminUrl, 'audit', 'isolation', '--hub', stack.hubUrl, '--out', out], { SSOHUB_ADMIN_TOKEN: adminTokenForTests });
    expect(res.stderr).toMatch(/Report written to .*report\.html \(html\)/);
    const html = await readFile(out, 'utf8');
    const browser = await openBrowser();
    try {
      const page = await (await browser.newContext()).newPage();
      await page.setContent(html);
      expect(await page.locator('[data-testid="run-context"]').textContent()).toMatch(/hub modedevelopment/);
      const pdf = Buffer.from(await page.pdf({ format: 'A4', preferCSSPageSize: true }));
      const pages = pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? [];
      expect(pages).toHaveLength(1);
    } finally {
      await browser.close();
    }
  });
});
