import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../../test/run-cli.ts';
import { EXIT } from '../../errors/exit-codes.ts';

// `ssohub users …` in-process against a stand-in admin API that answers as docs/admin-api.md
// ("Users") says, recording each request: paths, methods, headers, exit codes, both outputs.

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const ADA = { id: '5b0f6f0e-0d4e-4c6b-9f7e-2f1f0c1a0001', email: 'ada@example.test', state: 'active', verified: true, createdAt: '2026-12-01T10:00:00.000Z' };
const DETAIL = {
  ...ADA,
  methods: ['password', 'totp'],
  secondFactors: ['totp'],
  addresses: [{ value: 'ada@example.test', verified: true }],
  sessions: [
    { id: 'ks-1', authenticatedAt: '2026-12-05T09:00:00.000Z', expiresAt: '2026-12-06T09:00:00.000Z', aal: 'aal2', methods: ['password', 'totp'], devices: [{ ip: '192.0.2.7', userAgent: 'Firefox' }], clients: ['app-a'] },
  ],
  apps: [{ clientId: 'app-a', name: 'App A' }],
};

let server: Server;
let env: Record<string, string>;
const seen: Seen[] = [];
/** The next answers, by "METHOD path" (without the query); a missing one answers 404 as the hub would. */
let answers: Record<string, [number, unknown]> = {};

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const key = `${req.method} ${(req.url ?? '').split('?')[0]}`;
      const [status, payload] = answers[key] ?? [404, { error: { code: 'SSOHUB_ERR_NOT_FOUND', message: `no identity "x": give the identity id (UUID) or the exact email it signs in with` } }];
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  env = { SSOHUB_ADMIN_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, SSOHUB_ADMIN_TOKEN: 'admin-token-for-unit-tests' };
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  seen.length = 0;
  answers = {};
});

describe('ssohub users', () => {
  it('finds users as a table, with the query and limit encoded, the token and the operator sent', async () => {
    answers['GET /admin/users'] = [200, { users: [ADA, { id: 'b-2', state: 'inactive', verified: false }] }];
    const res = await runCli(['users', 'find', 'ada+test@', '--limit', '5'], env);
    expect(res.code, res.stderr).toBe(EXIT.OK);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'GET', url: '/admin/users?query=ada%2Btest%40&limit=5' });
    expect(seen[0]!.headers).toMatchObject({ authorization: 'Bearer admin-token-for-unit-tests', 'x-ssohub-actor': 'unit' });
    expect(res.stdout).toMatch(/^ID +EMAIL +STATE +VERIFIED +CREATED$/m);
    expect(res.stdout).toMatch(new RegExp(`^${ADA.id} +ada@example\\.test +active +yes +2026-12-01T10:00:00\\.000Z$`, 'm'));
    expect(res.stdout).toMatch(/^b-2 +- +disabled +no +-$/m);

    const json = await runCli(['users', 'find', 'ada', '--json'], env);
    expect(json.json()).toEqual({ users: [ADA, { id: 'b-2', state: 'inactive', verified: false }] });
    expect(seen[1]!.url).toBe('/admin/users?query=ada');
  });

  it('says so when nothing matches, and refuses a bad --limit before any request', async () => {
    answers['GET /admin/users'] = [200, { users: [] }];
    expect((await runCli(['users', 'find', 'nobody'], env)).stdout).toBe('No user matches "nobody". Give an identity id, an email, or the start of one.\n');
    for (const limit of ['0', '101', 'ten', '2.5']) {
      const bad = await runCli(['users', 'find', 'ada', '--limit', limit], env);
      expect(bad.code).toBe(EXIT.USAGE);
      expect(bad.stderr).toMatch(/--limit must be a whole number from 1 to 100/);
    }
    expect(seen).toHaveLength(1);
    expect((await runCli(['users', 'find'], env)).code).toBe(EXIT.USAGE);
  });

  it('shows one user: state, methods, second factors, addresses, sessions and apps', async () => {
    answers[`GET /admin/users/${encodeURIComponent('ada@example.test')}`] = [200, { user: DETAIL }];
    const res = await runCli(['users', 'show', 'ada@example.test'], env);
    expect(res.code, res.stderr).toBe(EXIT.OK);
    expect(seen[0]!.url).toBe('/admin/users/ada%40example.test');
    expect(res.stdout).toMatch(/^id: +5b0f6f0e-/m);
    expect(res.stdout).toMatch(/^state: +active$/m);
    expect(res.stdout).toMatch(/^methods: +password, totp$/m);
    expect(res.stdout).toMatch(/^second_factors: +totp$/m);
    expect(res.stdout).toMatch(/^apps: +app-a \(App A\)$/m);
    expect(res.stdout).toMatch(/^SESSION +SIGNED IN +EXPIRES +AAL +METHODS +DEVICE +CLIENTS$/m);
    expect(res.stdout).toMatch(/^ks-1 +2026-12-05T09:00:00\.000Z +2026-12-06T09:00:00\.000Z +aal2 +password,totp +192\.0\.2\.7 +app-a$/m);
    expect((await runCli(['users', 'show', 'ada@example.test', '--json'], env)).json()).toEqual({ user: DETAIL });
  });

  it('exits 3 for an unknown user with the hub message, as JSON with --json', async () => {
    const res = await runCli(['users', 'show', 'x'], env);
    expect(res.code).toBe(EXIT.NOT_FOUND);
    expect(res.stderr).toBe('ssohub: no identity "x": give the identity id (UUID) or the exact email it signs in with\n');
    const json = await runCli(['users', 'enable', 'x', '--json'], env);
    expect(json.code).toBe(EXIT.NOT_FOUND);
    expect(json.json()).toEqual({ error: { code: 'SSOHUB_ERR_NOT_FOUND', message: expect.stringMatching(/^no identity/), exitCode: EXIT.NOT_FOUND } });
  });

  it('requires --yes for disable, delete and reset-mfa, and sends nothing without it', async () => {
    for (const verb of ['disable', 'delete', 'reset-mfa']) {
      const res = await runCli(['users', verb, 'ada@example.test'], env);
      expect(res.code, verb).toBe(EXIT.USAGE);
      expect(res.stderr).toMatch(/ada@example\.test.*: add --yes to confirm\n$/);
    }
    expect(seen).toEqual([]);
  });

  it('disables with --yes: POST …/disable, and tells what ended and what was revoked', async () => {
    answers[`POST /admin/users/${ADA.id}/disable`] = [200, { user: { ...ADA, state: 'inactive' }, endedSessions: ['ks-1', 'ks-2'], revokedApps: ['app-a', 'app-b'] }];
    const res = await runCli(['users', 'disable', ADA.id, '--yes'], env);
    expect(res.code, res.stderr).toBe(EXIT.OK);
    expect(seen[0]).toMatchObject({ method: 'POST', url: `/admin/users/${ADA.id}/disable`, body: '' });
    expect(res.stdout).toBe(
      `Disabled ada@example.test (${ADA.id}).\nEnded 2 session(s): ks-1, ks-2\nRevoked the grants of app-a, app-b; each app's back-channel logout is queued (ssohub backchannel list).\nRe-enable with: ssohub users enable ${ADA.id}\n`,
    );
  });

  it('enables, deletes, resets MFA and resends verification through their routes', async () => {
    const base = `/admin/users/${ADA.id}`;
    answers[`POST ${base}/enable`] = [200, { user: ADA, endedSessions: [], revokedApps: [] }];
    answers[`DELETE ${base}`] = [200, { user: ADA, endedSessions: ['ks-1'], revokedApps: ['app-a'] }];
    answers[`POST ${base}/reset-mfa`] = [200, { user: ADA, endedSessions: [], revokedApps: [], removed: ['totp', 'lookup_secret'] }];
    answers[`POST ${base}/verify-resend`] = [200, { user: ADA, endedSessions: [], revokedApps: [], sentTo: 'ada@example.test' }];

    expect((await runCli(['users', 'enable', ADA.id], env)).stdout).toBe(`Enabled ada@example.test (${ADA.id}): they can sign in again.\n`);
    const deleted = await runCli(['users', 'delete', ADA.id, '--yes', '--json'], env);
    expect(deleted.json()).toEqual({ user: ADA, endedSessions: ['ks-1'], revokedApps: ['app-a'] });
    expect((await runCli(['users', 'reset-mfa', ADA.id, '--yes'], env)).stdout).toBe(`Removed the second factors of ada@example.test (${ADA.id}): totp, lookup_secret.\n`);
    expect((await runCli(['users', 'verify-resend', ADA.id], env)).stdout).toBe(`Sent a verification message to ada@example.test for ada@example.test (${ADA.id}).\n`);
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([`POST ${base}/enable`, `DELETE ${base}`, `POST ${base}/reset-mfa`, `POST ${base}/verify-resend`]);
  });

  it('exits 6 on a conflict (nothing to reset, already verified) and 4 on a refused token', async () => {
    answers[`POST /admin/users/${ADA.id}/verify-resend`] = [409, { error: { code: 'SSOHUB_ERR_CONFLICT', message: 'ada@example.test is already verified' } }];
    const conflict = await runCli(['users', 'verify-resend', ADA.id], env);
    expect(conflict.code).toBe(EXIT.CONFLICT);
    expect(conflict.stderr).toBe('ssohub: ada@example.test is already verified\n');
    answers['GET /admin/users'] = [401, { error: { code: 'SSOHUB_ERR_UNAUTHORIZED', message: 'missing or wrong admin token' } }];
    expect((await runCli(['users', 'find', 'ada'], env)).code).toBe(EXIT.AUTH);
    expect((await runCli(['users', 'find', 'ada'], { SSOHUB_ADMIN_URL: env.SSOHUB_ADMIN_URL! })).code).toBe(EXIT.AUTH);
  });
});
