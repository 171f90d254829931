import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EXIT, type IsolationReport } from '@ssohub/cli';
import { TEST_HOSTS } from '@ssohub/testkit';
import { adminTokenForTests, type HubStack, startHubStack } from '../support/hub-stack.ts';
import { runCli } from './cli-run.ts';

// Deliberately weakened deployments: the isolation audit must flag each weakness with the right
// check id and exit 1. Each weakness is applied to a live hub (real Kratos, Redis) and removed
// again, so one stack serves several cases; cookies and return_to need their own Kratos.

const PASSWORD = 'Weakened-audit-Passw0rd-7';

async function createUser(stack: HubStack, email: string): Promise<void> {
  const res = await fetch(`${stack.kratos.adminUrl}/admin/identities`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    // A verified address: the audit's sign-ins must reach the apps (bridge.requireVerifiedEmail).
    body: JSON.stringify({
      schema_id: 'person',
      traits: { email, name: 'Weak Tester' },
      credentials: { password: { config: { password: PASSWORD } } },
      verifiable_addresses: [{ value: email, via: 'email', verified: true, status: 'completed' }],
    }),
  });
  expect(res.status).toBe(201);
}

async function onboard(stack: HubStack, client: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${stack.adminUrl}/admin/clients`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminTokenForTests}`, 'content-type': 'application/json' },
    body: JSON.stringify({ grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic', scope: 'openid email', ssohub_first_party: true, ...client }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
}

/** Runs `ssohub audit isolation --format json` in-process; returns the exit code and the report. */
async function audit(stack: HubStack, extra: string[], { admin = true }: { admin?: boolean } = {}): Promise<{ code: number; report: IsolationReport; failed: string[] }> {
  const res = await runCli(
    [...(admin ? ['--admin-url', stack.adminUrl] : []), 'audit', 'isolation', '--hub', stack.hubUrl, '--format', 'json', ...extra],
    admin ? { SSOHUB_ADMIN_TOKEN: adminTokenForTests } : {},
  );
  const report = res.json() as IsolationReport;
  return { code: res.code, report, failed: report.checks.filter((c) => c.verdict === 'fail').map((c) => c.id) };
}

describe('isolation audit against weakened deployments (real Kratos and Redis)', () => {
  let stack: HubStack;
  let fakeApp: Server;
  let fakeUrl: string;
  const email = `weak.${Date.now()}@example.test`;

  beforeAll(async () => {
    stack = await startHubStack();
    await createUser(stack, email);
    // A client app whose back-channel endpoint accepts anything, answering 200 to every POST.
    fakeApp = createServer({ cert: inject('certPem'), key: inject('keyPem') }, (req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-store' });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => fakeApp.listen(0, '127.0.0.1', r));
    fakeUrl = `https://${TEST_HOSTS.shopB}:${(fakeApp.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    fakeApp?.close();
    await stack?.stop();
  });

  const provider = () => {
    const bridge = stack.hub.ctx.bridge;
    if (!bridge) throw new Error('the hub has no bridge');
    return bridge.provider;
  };

  it('flags a client whose redirect URI is matched by prefix (loaded past validation): hub.redirect-uri.exact, exit 1', async () => {
    await onboard(stack, { client_id: 'weak-prefix', redirect_uris: [`${fakeUrl}/auth/callback`], backchannel_logout_uri: `${fakeUrl}/bcl` });
    // The client's metadata is valid; what is weakened is how the provider matches it.
    const proto = (provider().Client as unknown as { prototype: { redirectUriAllowed(this: { clientId: string; redirectUris: string[] }, v: string): boolean } }).prototype;
    const original = proto.redirectUriAllowed;
    proto.redirectUriAllowed = function (this: { clientId: string; redirectUris: string[] }, value: string) {
      return this.clientId === 'weak-prefix' ? this.redirectUris.some((r) => value.startsWith(r)) : original.call(this, value);
    };
    try {
      const { code, report, failed } = await audit(stack, ['--app', `${fakeUrl},client=weak-prefix`]);
      expect(code).toBe(EXIT.CHECK_FAILED);
      expect(failed).toContain('hub.redirect-uri.exact');
      const check = report.checks.find((c) => c.id === 'hub.redirect-uri.exact')!;
      expect(check.severity).toBe('critical');
      expect(check.detail).toMatch(/added path/);
      expect(check.detail).toMatch(/added query/);
    } finally {
      proto.redirectUriAllowed = original;
    }
    // With the matcher restored, the same hub passes the check again.
    const again = await audit(stack, ['--app', `${fakeUrl},client=weak-prefix`]);
    expect(again.report.checks.find((c) => c.id === 'hub.redirect-uri.exact')?.verdict).toBe('pass');
  });

  it('flags a provider that does not require PKCE: hub.pkce.required, exit 1', async () => {
    // oidc-provider keeps its resolved configuration in an internal weak cache.
    const { default: instance } = (await import('oidc-provider/lib/helpers/weak_cache.js' as string)) as {
      default: (p: unknown) => { configuration: { pkce: { required: () => boolean } } };
    };
    const pkce = instance(provider()).configuration.pkce;
    const original = pkce.required;
    pkce.required = () => false;
    try {
      const { code, report, failed } = await audit(stack, ['--app', `${fakeUrl},client=weak-prefix`]);
      expect(code).toBe(EXIT.CHECK_FAILED);
      expect(failed).toContain('hub.pkce.required');
      expect(report.checks.find((c) => c.id === 'hub.pkce.required')).toMatchObject({ severity: 'high', evidence: [expect.objectContaining({ request: expect.stringMatching(/^GET https:\/\/login\.sso\.test:\d+\/oidc\/auth\?/) })] });
      // A high failure does not fail a run that only fails on critical ones (no --app here: the
      // stand-in app's back-channel endpoint fails critically by design).
      const lenient = await audit(stack, ['--fail-on', 'critical']);
      expect(lenient.failed).toContain('hub.pkce.required');
      expect(lenient.report.failsBySeverity.critical).toBe(0);
      expect(lenient.code).toBe(EXIT.OK);
    } finally {
      pkce.required = original;
    }
  });

  it('flags a client app whose back-channel endpoint accepts unsigned tokens: app.backchannel.refuses-unsigned, exit 1', async () => {
    const { code, report, failed } = await audit(stack, ['--app', `${fakeUrl},client=weak-prefix`, '--test-user', `${email}:${PASSWORD}`]);
    expect(code).toBe(EXIT.CHECK_FAILED);
    expect(failed).toEqual(expect.arrayContaining(['app.backchannel.refuses-unsigned', 'app.backchannel.refuses-forged', 'app.backchannel.refuses-wrong-audience', 'app.backchannel.refuses-replay']));
    expect(report.checks.find((c) => c.id === 'app.backchannel.refuses-unsigned')).toMatchObject({ severity: 'critical', detail: expect.stringMatching(/Accepted an alg=none token \(200\)/) });
    expect(report.failsBySeverity.critical).toBeGreaterThanOrEqual(2);
    // The hub itself is sound: none of its checks fail.
    expect(failed.filter((id) => id.startsWith('hub.'))).toEqual([]);
  });
});

describe('isolation audit against a hub with insecure cookies and a permissive return_to (Kratos --dev, evil.example allowed)', () => {
  let stack: HubStack;

  beforeAll(async () => {
    stack = await startHubStack({ kratosDev: true, allowedReturnOrigins: ['https://evil.example'] });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('flags the login-domain cookies without Secure (hub.cookies.flags) and the foreign return_to (hub.open-redirect.return-to), exit 1', async () => {
    const { code, report, failed } = await audit(stack, [], { admin: false });
    expect(code).toBe(EXIT.CHECK_FAILED);
    expect(failed).toEqual(expect.arrayContaining(['hub.cookies.flags', 'hub.open-redirect.return-to']));
    expect(report.checks.find((c) => c.id === 'hub.cookies.flags')).toMatchObject({ severity: 'high', detail: expect.stringMatching(/lacks Secure/) });
    expect(report.checks.find((c) => c.id === 'hub.open-redirect.return-to')!.detail).toMatch(/kept return_to=https:\/\/evil\.example/);
  });
});
