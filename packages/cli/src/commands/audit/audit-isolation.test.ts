import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../test/run-cli.ts';
import { EXIT } from '../../errors/exit-codes.ts';
import type { IsolationReport } from '../../isolation/report.ts';

// `ssohub audit isolation` end to end in-process against a stand-in hub on login.localhost (the
// audit resolves *.localhost to loopback itself): exit codes by --fail-on and --strict, exit 5
// when the hub does not answer, the formats, --sarif, --baseline and the run context.
nock.enableNetConnect((host) => /^(127\.0\.0\.1|localhost|[a-z0-9.-]+\.localhost)(:\d+)?$/.test(host));

let server: Server;
let hub: string;
let weak = false;

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    const origin = url.origin;
    if (url.pathname === '/oidc/.well-known/openid-configuration') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          issuer: `${origin}/oidc`,
          authorization_endpoint: `${origin}/oidc/auth`,
          token_endpoint: `${origin}/oidc/token`,
          jwks_uri: `${origin}/oidc/jwks`,
          end_session_endpoint: `${origin}/oidc/session/end`,
          code_challenge_methods_supported: weak ? ['plain', 'S256'] : ['S256'],
          authorization_response_iss_parameter_supported: true,
        }),
      );
      return;
    }
    const secure = { 'content-security-policy': "default-src 'self'; frame-ancestors 'none'", 'x-content-type-options': 'nosniff' };
    if (url.pathname === '/self-service/login/browser') {
      res.writeHead(303, { location: '/login?flow=f1', 'set-cookie': 'csrf_token_1=x; Path=/; HttpOnly; Secure; SameSite=Lax', ...secure }).end();
      return;
    }
    if (url.pathname === '/oidc/session/end') return void res.writeHead(303, { location: '/oidc/session/end/success' }).end();
    res.writeHead(url.pathname === '/login' || url.pathname === '/oidc/session/end/success' ? 200 : 404, { 'content-type': 'text/html', ...secure }).end('<!doctype html><h1>page</h1>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  hub = `http://login.localhost:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const audit = (args: string[], env: Record<string, string> = {}) => runCli(['audit', 'isolation', '--hub', hub, ...args], env);

describe('ssohub audit isolation: verdicts and exit codes', () => {
  it('exits 0 on a sound hub without the admin API; what could not run is inconclusive, not failed', async () => {
    weak = false;
    const res = await audit(['--format', 'json']);
    expect(res.code, res.stderr).toBe(EXIT.OK);
    const report = res.json() as IsolationReport;
    expect(report.summary.fail).toBe(0);
    const inconclusive = report.checks.filter((c) => c.verdict === 'inconclusive').map((c) => c.id);
    expect(inconclusive).toEqual(expect.arrayContaining(['registry.read', 'hub.pkce.required', 'hub.code.single-use']));
    for (const c of report.checks.filter((x) => x.verdict === 'inconclusive')) expect(c.howToRun, c.id).toMatch(/\S/);
    expect(report.checks.find((c) => c.id === 'hub.open-redirect.post-logout')?.verdict).toBe('pass');
    expect(report.checks.find((c) => c.id === 'hub.headers.hsts')?.verdict).toBe('skipped');
    expect(report.checks.find((c) => c.id === 'hub.https')?.verdict).toBe('skipped');
    expect(report.checks.find((c) => c.id === 'hub.cookies.flags')?.verdict).toBe('pass');
    expect(res.stderr).toMatch(/ {2}INCONCLUSIVE registry\.read /);
    expect(res.stderr).toMatch(/\d+ passed, 0 failed, \d+ inconclusive, \d+ skipped\n$/);
    expect(report.context.notRun.map((n) => n.id)).toEqual(expect.arrayContaining(['registry.read', 'hub.headers.hsts']));
  });

  it('exits 1 with --strict when a check is inconclusive', async () => {
    weak = false;
    expect((await audit(['--strict'])).code).toBe(EXIT.CHECK_FAILED);
  });

  it('exits 1 on a medium failure by default, 0 with --fail-on high or none', async () => {
    weak = true;
    const res = await audit(['--format', 'json']);
    expect(res.code).toBe(EXIT.CHECK_FAILED);
    const report = res.json() as IsolationReport;
    expect(report.checks.find((c) => c.id === 'hub.pkce.methods')).toMatchObject({ verdict: 'fail', severity: 'medium' });
    expect(report.failsBySeverity.medium).toBe(1);
    expect(res.stderr).toMatch(/ {2}FAIL medium hub\.pkce\.methods /);
    expect((await audit(['--fail-on', 'high'])).code).toBe(EXIT.OK);
    expect((await audit(['--fail-on', 'medium'])).code).toBe(EXIT.CHECK_FAILED);
    expect((await audit(['--fail-on', 'none'])).code).toBe(EXIT.OK);
  });

  it('exits 5 when the hub does not answer at all, with a hint on stderr', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const res = await runCli(['audit', 'isolation', '--hub', `http://login.localhost:${port}`, '--format', 'json']);
    expect(res.code).toBe(EXIT.UNREACHABLE);
    expect(res.stderr).toMatch(/The hub did not answer .*nothing was audited \(exit 5\)/);
    const report = res.json() as IsolationReport;
    expect(report.context.hubReachable).toBe(false);
    expect(report.checks.find((c) => c.id === 'hub.discovery.consistent')?.detail).toMatch(/nothing listens on login\.localhost:/);
  });

  it('refuses a bad --fail-on, --format or --baseline as usage errors (exit 2) naming the option', async () => {
    const bad = await audit(['--fail-on', 'severe']);
    expect(bad.code).toBe(EXIT.USAGE);
    expect(bad.stderr).toMatch(/--fail-on must be one of critical, high, medium, low, info or none \(got "severe"\)/);
    expect((await audit(['--format', 'xml'])).stderr).toMatch(/--format must be one of text, md, json, sarif, html/);
    const missing = await audit(['--baseline', '/nonexistent/report.json']);
    expect(missing.code).toBe(EXIT.USAGE);
    expect(missing.stderr).toMatch(/--baseline \/nonexistent\/report\.json: cannot read the file \(ENOENT\)/);
  });
});

describe('ssohub audit isolation: output for CI and the run context', () => {
  it('writes JSON with --out and SARIF with --sarif in one run; text goes to stdout by default', async () => {
    weak = true;
    const dir = await mkdtemp(join(tmpdir(), 'audit-isolation-'));
    const res = await audit(['--out', join(dir, 'report.json'), '--sarif', join(dir, 'report.sarif')]);
    expect(res.code).toBe(EXIT.CHECK_FAILED);
    expect(res.stdout).toBe('');
    const report = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')) as IsolationReport;
    const sarif = JSON.parse(await readFile(join(dir, 'report.sarif'), 'utf8'));
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].results.filter((r: { kind: string }) => r.kind === 'fail').map((r: { ruleId: string }) => r.ruleId)).toEqual(report.checks.filter((c) => c.verdict === 'fail').map((c) => c.id));
    const text = await audit([]);
    expect(text.stdout).toMatch(/^Session-isolation audit of http:\/\/login\.localhost:\d+\n\d+ passed, 1 failed \(1 medium\)/);
  });

  it('--baseline shows what changed since a previous JSON report', async () => {
    weak = false;
    const dir = await mkdtemp(join(tmpdir(), 'audit-baseline-'));
    const before = join(dir, 'before.json');
    expect((await audit(['--out', before])).code).toBe(EXIT.OK);
    weak = true;
    const res = await audit(['--baseline', before, '--format', 'json']);
    const report = res.json() as IsolationReport;
    expect(report.baseline?.newFails.map((l) => [l.id, l.from, l.to, l.severity])).toEqual([['hub.pkce.methods', 'pass', 'fail', 'medium']]);
    expect(report.baseline?.fixed).toEqual([]);
    expect(res.stderr).toMatch(/Since the baseline: 1 new failure\(s\), 0 fixed, 0 other verdict change\(s\)/);
    // And back: the failure is fixed.
    await writeFile(join(dir, 'weak.json'), res.stdout);
    weak = false;
    const fixed = (await audit(['--baseline', join(dir, 'weak.json'), '--format', 'json'])).json() as IsolationReport;
    expect(fixed.baseline?.fixed.map((l) => l.id)).toEqual(['hub.pkce.methods']);
  });

  it('states the run context: hub version and mode (unknown without the admin API), the options with secrets redacted', async () => {
    weak = false;
    const res = await audit(['--test-user', 'audit@example.test:Sup3r-Secret-pw', '--skip', 'hub.open-redirect.', '--format', 'json'], { SSOHUB_ADMIN_URL: 'http://127.0.0.1:9' });
    const report = res.json() as IsolationReport;
    expect(report.context).toMatchObject({ hubVersion: 'unknown', hubMode: 'unknown', auditMode: 'http', adminApi: false, testUser: true, failOn: 'low', hubReachable: true });
    expect(report.context.options).toMatchObject({ '--hub': hub, '--test-user': 'audit@example.test:[redacted]', '--skip': ['hub.open-redirect.'] });
    expect(res.stdout).not.toContain('Sup3r-Secret-pw');
    expect(report.checks.filter((c) => c.id.startsWith('hub.open-redirect.')).map((c) => c.verdict)).toEqual(['skipped', 'skipped']);
    expect(report.context.notRun.find((n) => n.id === 'hub.open-redirect.return-to')?.reason).toBe('turned off with --skip');
  });
});
