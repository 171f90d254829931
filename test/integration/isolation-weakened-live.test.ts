import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MemorySessionStore } from '@ssohub/client';
import { EXIT, type IsolationReport } from '@ssohub/cli';
import { createDemoApp, demoClientRegistration } from '@ssohub/demo-app';
import { reservePort, TEST_HOSTS } from '@ssohub/testkit';
import { type Deployment, startDeployment } from '../support/deployment.ts';
import { adminTokenForTests } from '../support/hub-stack.ts';
import { runCli } from './cli-run.ts';

// The live checks with the test user against a deliberately weakened client app beside the sound
// end-to-end deployment (hub, App A, real Kratos and Redis): App C, a real SDK app, on a host under
// the hub's parent domain (app-c.sso.test), registered without a back-channel logout URI, setting
// one cookie on the parent domain, and serving an API that takes any opaque bearer without asking
// the hub (so a refresh token opens it). Each weakness must be a fail with its severity and evidence.

const PASSWORD = 'Weakened-live-Passw0rd-9';

describe('isolation audit, live checks against a weakened app (real Kratos, Redis, SDK apps)', () => {
  let d: Deployment;
  let appC: FastifyInstance;
  let urlC: string;
  const email = `weak.live.${Date.now()}@example.test`;

  beforeAll(async () => {
    d = await startDeployment();
    const created = await fetch(`${d.stack.kratos.adminUrl}/admin/identities`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        schema_id: 'person',
        traits: { email, name: 'Weak Live Tester' },
        credentials: { password: { config: { password: PASSWORD } } },
        verifiable_addresses: [{ value: email, via: 'email', verified: true, status: 'completed' }],
      }),
    });
    expect(created.status).toBe(201);

    const reserved = await reservePort();
    // Under the hub's parent domain (sso.test), so a Domain=sso.test cookie reaches the hub too.
    urlC = `https://app-c.${TEST_HOSTS.hub.split('.').slice(1).join('.')}:${reserved.port}`;
    const { backchannel_logout_uri: _bcl, backchannel_logout_session_required: _sr, client_secret: _s, ...registration } = demoClientRegistration({ clientId: 'weak-app-c', name: 'App C (weakened)', url: urlC, secret: 'unused' });
    const onboarded = await fetch(`${d.stack.adminUrl}/admin/clients`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminTokenForTests}`, 'content-type': 'application/json' },
      body: JSON.stringify(registration),
    });
    expect(onboarded.status, await onboarded.clone().text()).toBe(201);
    const { client_secret: secret } = (await onboarded.json()) as { client_secret: string };
    appC = await createDemoApp({
      name: 'App C',
      publicUrl: urlC,
      issuer: d.issuer,
      clientId: 'weak-app-c',
      clientSecret: secret,
      otherAppUrl: d.appA.url,
      otherAppName: 'App A',
      store: new MemorySessionStore({ clientId: 'weak-app-c' }),
      cookieSecrets: ['weak-app-c-cookie-secret-0123456789abcdef'],
      allowVolatileStore: true,
      https: { cert: inject('certPem'), key: inject('keyPem') },
    });
    // Weakness 1: a cookie on the parent domain, set with the app's own session.
    appC.addHook('onSend', async (request, reply) => {
      if (request.url.startsWith('/auth/callback')) reply.header('set-cookie', [...([reply.getHeader('set-cookie')].flat().filter(Boolean) as string[]), 'c_prefs=compact; Domain=sso.test; Path=/; Secure; HttpOnly; SameSite=Lax']);
    });
    // Weakness 2: an API that takes any opaque bearer without asking the hub (a refresh token too).
    appC.get('/api/loose', async (request, reply) => {
      const bearer = /^Bearer ([A-Za-z0-9_-]{20,})$/.exec(request.headers.authorization ?? '')?.[1];
      if (!bearer) return reply.code(401).send({ error: 'invalid_token' });
      return { app: 'weak-app-c', accepted: true };
    });
    await reserved.release();
    await appC.listen({ host: '127.0.0.1', port: reserved.port });
    // Weakness 3 is the registration above: no back-channel logout URI.
  }, 180_000);
  afterAll(async () => {
    await appC?.close();
    await d?.stop();
  });

  it('flags the parent-domain cookie (session.cookie-map, high), the refresh token the API accepts (app.token-confusion, critical) and the app the global logout does not reach (logout.global, high)', async () => {
    const res = await runCli(
      ['--admin-url', d.stack.adminUrl, 'audit', 'isolation', '--hub', d.hubUrl, '--format', 'json', '--test-user', `${email}:${PASSWORD}`, '--app', `${d.appA.url},api=/api/me`, '--app', `${urlC},api=/api/loose`],
      { SSOHUB_ADMIN_TOKEN: adminTokenForTests },
    );
    const report = res.json() as IsolationReport;
    expect(res.code).toBe(EXIT.CHECK_FAILED);
    const check = (id: string, target?: string) => report.checks.find((c) => c.id === id && (!target || c.target.includes(target)))!;

    const map = check('session.cookie-map');
    expect(map).toMatchObject({ verdict: 'fail', severity: 'high' });
    expect(map.detail).toMatch(/c_prefs \(set by app-c\.sso\.test with Domain=sso\.test\) is also sent to login\.sso\.test/);
    const row = map.table!.rows.find((r) => r[1] === 'c_prefs')!;
    expect(row).toEqual(expect.arrayContaining(['app-c.sso.test', 'Domain=sso.test', 'login.sso.test']));
    expect(map.evidence.some((e) => /Set-Cookie: c_prefs=\[redacted\]; Domain=sso\.test/.test(e.answer))).toBe(true);
    // The sound apps' cookies are in the map, and are host-only.
    expect(map.table!.rows.filter((r) => r[0] === TEST_HOSTS.appA).every((r) => r[5] === 'host-only')).toBe(true);

    const confusion = check('app.token-confusion', urlC);
    expect(confusion).toMatchObject({ verdict: 'fail', severity: 'critical' });
    expect(confusion.detail).toMatch(/answered 200 to the refresh token of isolation-audit-/);
    expect(confusion.evidence.some((e) => /Authorization: Bearer \[refresh token of isolation-audit-[0-9a-f]+\]/.test(e.request) && /^200/.test(e.answer))).toBe(true);
    // App A's API, on the SDK, refuses all three.
    expect(check('app.token-confusion', d.appA.url).verdict).toBe('pass');

    const logout = check('logout.global');
    expect(logout).toMatchObject({ verdict: 'fail', severity: 'high' });
    expect(logout.detail).toMatch(/app-c\.sso\.test still treats the browser as signed in/);
    expect(logout.detail).toMatch(/no back-channel logout was delivered to weak-app-c \(it registers no back-channel logout URI\)/);
    // What the hub itself does at logout still holds: the refresh token and the Kratos session end.
    expect(logout.detail).not.toMatch(/refresh token .* still works|Kratos session still answers/);
    // Local logout at App A leaves App C alone, as it must.
    expect(check('logout.local').verdict).toBe('pass');

    console.log(`live checks against the weakened app: ${report.checks.filter((c) => /^(session|logout)\.|^app\.token-confusion/.test(c.id)).map((c) => `${c.id} ${c.verdict} ${c.durationMs} ms`).join(', ')}`);

    // --browser: Chromium keeps the parent-domain cookie too, and the map says so. Chromium resolves
    // the test names and trusts the test certificate through the switches the audit passes on.
    process.env.SSOHUB_AUDIT_CHROMIUM_ARGS = `--host-resolver-rules=MAP *.test 127.0.0.1, MAP *.example 127.0.0.1 --ignore-certificate-errors-spki-list=${inject('spkiHash')}`;
    try {
      const inChromium = await runCli(
        ['--admin-url', d.stack.adminUrl, 'audit', 'isolation', '--hub', d.hubUrl, '--format', 'json', '--browser', '--test-user', `${email}:${PASSWORD}`, '--app', `${d.appA.url},api=/api/me`, '--app', `${urlC},api=/api/loose`, '--skip', 'logout.', '--skip', 'app.'],
        { SSOHUB_ADMIN_TOKEN: adminTokenForTests },
      );
      const chromiumMap = (inChromium.json() as IsolationReport).checks.find((c) => c.id === 'session.cookie-map')!;
      expect(chromiumMap).toMatchObject({ verdict: 'fail', severity: 'high', detail: expect.stringMatching(/c_prefs \(set by app-c\.sso\.test with Domain=sso\.test\) is also sent to login\.sso\.test .* in Chromium/) });
    } finally {
      delete process.env.SSOHUB_AUDIT_CHROMIUM_ARGS;
    }

    // Every fail appears in the SARIF as a result with its level.
    const sarif = await runCli(
      ['--admin-url', d.stack.adminUrl, 'audit', 'isolation', '--hub', d.hubUrl, '--format', 'sarif', '--test-user', `${email}:${PASSWORD}`, '--app', `${urlC},api=/api/loose`, '--skip', 'client.', '--skip', 'app.backchannel.', '--skip', 'logout.'],
      { SSOHUB_ADMIN_TOKEN: adminTokenForTests },
    );
    const results = (sarif.json() as { runs: { results: { ruleId: string; level: string; properties: { table?: unknown } }[] }[] }).runs[0]!.results;
    expect(results.find((r) => r.ruleId === 'session.cookie-map')).toMatchObject({ level: 'error', properties: { table: expect.anything() } });
    expect(results.find((r) => r.ruleId === 'app.token-confusion')).toMatchObject({ level: 'error' });
  }, 120_000);
});
