import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { parseApp } from '../../commands/audit/audit-isolation.ts';
import { type AuditTarget, Findings } from '../audit-context.ts';
import { type HeldCookie, parseCookieAttributes } from '../browser-session.ts';
import { renderHtml, renderMarkdown, renderText } from '../render-report.ts';
import { renderSarif } from '../render-sarif.ts';
import { failsBySeverity, type IsolationReport, summarize } from '../report.ts';
import { cookieTable, readableBy, runLiveSessionChecks } from './live-session.ts';

const held = (setBy: string, header: string): HeldCookie => {
  const { name, attributes } = parseCookieAttributes(header);
  const domain = attributes.domain?.replace(/^\./, '');
  return { name, host: domain ?? setBy, hostOnly: !domain, setBy, attributes };
};
const HOSTS = ['login.sso.test', 'app-a.test', 'app-c.sso.test'];

describe('the cookie map', () => {
  it('says which other audited host receives a cookie: a parent Domain reaches the hub, host-only reaches none', () => {
    expect(readableBy(held('app-c.sso.test', 'prefs=1; Domain=sso.test; Path=/; Secure'), HOSTS)).toEqual(['login.sso.test']);
    expect(readableBy(held('app-c.sso.test', 'prefs=1; Domain=.sso.test'), HOSTS)).toEqual(['login.sso.test']);
    expect(readableBy(held('app-a.test', '__Host-s=1; Path=/; Secure; HttpOnly; SameSite=Lax'), HOSTS)).toEqual([]);
    // A Domain equal to the own host reaches only hosts below it, none audited here.
    expect(readableBy(held('app-a.test', 's=1; Domain=app-a.test'), HOSTS)).toEqual([]);
    // The host that set it is not "another host", however often it is listed.
    expect(readableBy(held('app-a.test', 's=1'), ['app-a.test', 'app-a.test', ...HOSTS])).toEqual([]);
  });

  it('lists each cookie with its flags, scope, path (interaction ids hidden), prefix, expiry and who else receives it', () => {
    const table = cookieTable(
      [
        held('login.sso.test', '_interaction=x; path=/interaction/3pr97DD5FzktXzYRTewLGiwcgU39XbNWrTV3K2tFVGQ; expires=Sat, 05 Dec 2026 22:42:04 GMT; samesite=lax; httponly'),
        held('app-a.test', '__Host-ssohub=v; Path=/; Max-Age=28800; Secure; HttpOnly; SameSite=Lax'),
        held('app-c.sso.test', 'prefs=1; Domain=sso.test; Path=/; Secure; HttpOnly; SameSite=Lax'),
      ],
      HOSTS,
    );
    expect(table.columns).toEqual(['host', 'cookie', 'Secure', 'HttpOnly', 'SameSite', 'scope', 'Path', 'prefix', 'expiry', 'also sent to']);
    expect(table.rows).toEqual([
      ['app-a.test', '__Host-ssohub', 'yes', 'yes', 'Lax', 'host-only', '/', '__Host-', 'Max-Age=28800', 'none'],
      ['app-c.sso.test', 'prefs', 'yes', 'yes', 'Lax', 'Domain=sso.test', '/', '-', 'session', 'login.sso.test'],
      ['login.sso.test', '_interaction', 'no', 'yes', 'lax', 'host-only', '/interaction/[uid]', '-', '2026-12-05T22:42:04Z', 'none'],
    ]);
  });
});

describe('--app session=', () => {
  it('names the page that needs the app session for the logout proofs; a path only', () => {
    expect(parseApp('https://app.example.com,api=/api/me,session=/me/page')).toMatchObject({ apiPath: '/api/me', sessionPath: '/me/page' });
    expect(parseApp('https://app.example.com').sessionPath).toBeUndefined();
    expect(() => parseApp('https://app.example.com,session=account')).toThrow(/session must be a path starting with \//);
    expect(() => parseApp('https://app.example.com,page=/x')).toThrow(/use client=, api=, login= or session=/);
  });
});

describe('the live checks without what they need', () => {
  const target = (over: Partial<AuditTarget>): AuditTarget => ({
    hubUrl: 'http://login.localhost:1',
    issuer: 'http://login.localhost:1/oidc',
    adminUrl: undefined,
    adminToken: undefined,
    apps: [{ url: 'http://app-a.localhost:2', clientId: undefined, loginPath: '/auth/login', apiPath: undefined }],
    testUser: undefined,
    ...over,
  });
  const discovery = { issuer: '', authorization_endpoint: '', token_endpoint: '', jwks_uri: '' };

  it('are inconclusive, saying how to run them, without a test user', async () => {
    const f = new Findings();
    await runLiveSessionChecks({ t: target({}), f, d: discovery, clients: [], probeTokens: undefined });
    expect(f.checks.map((c) => [c.id, c.verdict])).toEqual([
      ['session.cookie-map', 'inconclusive'],
      ['logout.global', 'inconclusive'],
      ['logout.local', 'inconclusive'],
    ]);
    for (const c of f.checks) {
      expect(c.detail).toMatch(/Needs a test user/);
      expect(c.howToRun).toMatch(/--test-user/);
    }
  });

  it('the logout proofs need two apps, and the global one the admin API', async () => {
    const f = new Findings(undefined, ['session.']);
    const testUser = { email: 'audit@example.test', password: 'pw' };
    await runLiveSessionChecks({ t: target({ testUser }), f, d: discovery, clients: [], probeTokens: undefined });
    expect(f.checks.find((c) => c.id === 'logout.global')).toMatchObject({ verdict: 'inconclusive', detail: expect.stringMatching(/Needs 2 apps to sign in at \(--app\), 1 given/) });
    const twoApps = target({ testUser, apps: [...target({}).apps, { url: 'http://shop-b.localhost:3', clientId: undefined, loginPath: '/auth/login', apiPath: undefined }] });
    const g = new Findings(undefined, ['session.', 'logout.local']);
    await runLiveSessionChecks({ t: twoApps, f: g, d: discovery, clients: [], probeTokens: undefined });
    expect(g.checks.find((c) => c.id === 'logout.global')).toMatchObject({ verdict: 'inconclusive', detail: expect.stringMatching(/Needs the admin API/), howToRun: expect.stringMatching(/--admin-url with --token/) });
  });
});

describe('a report with the cookie map', () => {
  const report = (): IsolationReport => {
    const f = new Findings();
    const table = cookieTable([held('app-c.sso.test', 'prefs=1; Domain=sso.test; Path=/; Secure; HttpOnly; SameSite=Lax')], HOSTS);
    f.add('session.cookie-map', 'hub login.sso.test and app app-c.sso.test', 'Every cookie after a sign-in at two apps', 'fail', 'prefs is also sent to login.sso.test', 'Shared cookies.', [], { table, durationMs: 1234 });
    return {
      tool: 'ssohub audit isolation',
      hub: 'https://login.sso.test',
      startedAt: '2026-12-05T21:00:00.000Z',
      finishedAt: '2026-12-05T21:00:05.000Z',
      context: { hubVersion: 'unknown', hubMode: 'production', auditMode: 'http', adminApi: true, testUser: true, options: {}, failOn: 'low', notRun: [], hubReachable: true },
      checks: f.checks,
      summary: summarize(f.checks),
      failsBySeverity: failsBySeverity(f.checks),
    };
  };

  it('shows the table in text, Markdown and HTML, with the time the check took', () => {
    const text = renderText(report());
    expect(text).toMatch(/FAIL high\s+session\.cookie-map .* \(1\.2 s\)/);
    expect(text).toMatch(/host\s+cookie\s+Secure.*also sent to\n/);
    expect(text).toMatch(/app-c\.sso\.test\s+prefs\s+yes\s+yes\s+Lax\s+Domain=sso\.test\s+\/\s+-\s+session\s+login\.sso\.test/);
    expect(renderMarkdown(report())).toContain('| app-c.sso.test | prefs | yes | yes | Lax | Domain=sso.test | / | - | session | login.sso.test |');
    const html = renderHtml(report());
    expect(html).toContain('<table class="map" data-testid="table-session.cookie-map">');
    expect(html).toContain('<td>Domain=sso.test</td>');
  });

  it('keeps the table in the SARIF result, which still validates against the SARIF 2.1.0 schema', () => {
    const require = createRequire(import.meta.url);
    const { $schema: _draft04, id, ...rest } = require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json') as Record<string, unknown>;
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats.default(ajv);
    const validate = ajv.compile({ $id: String(id), ...rest });
    const sarif = JSON.parse(renderSarif(report()));
    expect(validate(sarif), JSON.stringify(validate.errors)).toBe(true);
    expect(sarif.runs[0].results[0]).toMatchObject({ ruleId: 'session.cookie-map', level: 'error', properties: { table: { rows: [expect.arrayContaining(['login.sso.test'])] } } });
  });
});
