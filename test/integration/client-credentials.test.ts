import { createAccessTokenVerifier, createSsoClient, MemorySessionStore } from '@ssohub/client';
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminTokenForTests, type HubStack, startHubStack } from '../support/hub-stack.ts';
import { runCli } from './cli-run.ts';

const ORDERS = 'https://orders.api.test';
const BILLING = 'https://billing.api.test';
const WEB_SECRET = 'web-app-secret-0123456789abcdefghijklmnop';
const CLIENT_BURST = 8;
const IP_BURST = 6;

/**
 * Service clients (decision 0019): onboarded through the admin API and the CLI, they get
 * audience-restricted JWT access tokens with client_credentials and an RFC 8707 resource, without
 * a user and without Kratos, and the token endpoint's throttles hold for them.
 */
describe('service clients: client_credentials with resource indicators', () => {
  let stack: HubStack;
  let issuer: string;
  let tokenEndpoint: string;
  let jwks: ReturnType<typeof createLocalJWKSet>;
  // Every request comes from its own address unless a test says otherwise: the per-IP bucket of
  // one test must not refuse another's requests.
  let nextIp = 1;
  const freshIp = () => `198.51.100.${nextIp++}`;

  const admin = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${stack.adminUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminTokenForTests}`, 'x-ssohub-actor': 'platform-team', ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    // biome-ignore lint/suspicious/noExplicitAny: JSON bodies of the API under test
    return { status: res.status, body: (await res.json()) as any };
  };
  const onboard = async (clientId: string, resources = [ORDERS, BILLING]) => {
    const created = await admin('POST', '/admin/clients', { client_id: clientId, grant_types: ['client_credentials'], resources });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body.client_secret as string;
  };
  const token = async (clientId: string, secret: string, params: Record<string, string>, ip = freshIp()) => {
    const res = await fetch(tokenEndpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
        'x-forwarded-for': ip,
      },
      body: new URLSearchParams(params),
    });
    // biome-ignore lint/suspicious/noExplicitAny: the token endpoint's JSON
    return { status: res.status, body: (await res.json()) as any };
  };
  const metrics = async () => (await fetch(`${stack.adminUrl}/metrics`)).text();
  /** Calls from the hub to Kratos so far, every operation and outcome (the histogram's counts). */
  const kratosCalls = (text: string) =>
    [...text.matchAll(/^ssohub_kratos_request_duration_seconds_count\{[^}]*\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);

  beforeAll(async () => {
    stack = await startHubStack({
      config: {
        trustProxy: true,
        guard: { token: { ipBurst: IP_BURST, ipPerMinute: 1, clientBurst: CLIENT_BURST, clientPerMinute: 1 } },
        bridge: { clients: [{ client_id: 'web-app', client_secret: WEB_SECRET, redirect_uris: ['https://web.test/cb'] }] },
      },
    });
    issuer = `${stack.hubUrl}/oidc`;
    const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as { token_endpoint: string; jwks_uri: string };
    tokenEndpoint = discovery.token_endpoint;
    jwks = createLocalJWKSet((await (await fetch(discovery.jwks_uri)).json()) as JSONWebKeySet);
  });
  afterAll(async () => stack?.stop());

  it('onboards a service client through the admin API and issues a JWT whose aud is the resource asked for', async () => {
    const created = await admin('POST', '/admin/clients', { client_id: 'svc-orders', grant_types: ['client_credentials'], resources: [ORDERS, BILLING] });
    expect(created.status).toBe(201);
    expect(created.body.token_endpoint).toBe(tokenEndpoint);
    expect(created.body.client).toMatchObject({ grant_types: ['client_credentials'], resources: [ORDERS, BILLING], redirect_uris: [], has_secret: true });
    const secret: string = created.body.client_secret;

    const res = await token('svc-orders', secret, { grant_type: 'client_credentials', resource: ORDERS });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 600 });
    expect(res.body).not.toHaveProperty('refresh_token');
    expect(res.body).not.toHaveProperty('id_token');
    expect(res.body).not.toHaveProperty('scope');

    const { payload, protectedHeader } = await jwtVerify(res.body.access_token, jwks, { issuer, audience: ORDERS, typ: 'at+jwt' });
    // Onboarded clients sign with ES256 when the hub holds an ES256 key (decision 0008).
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload).toMatchObject({ sub: 'svc-orders', client_id: 'svc-orders', aud: ORDERS });
    expect(payload.exp! - payload.iat!).toBe(600);
    // A token for the orders API is no token for the billing API.
    await expect(jwtVerify(res.body.access_token, jwks, { issuer, audience: BILLING })).rejects.toThrow(/aud/);

    // Asked for the other API it may use, the token says so; user scopes are not granted.
    const billing = await token('svc-orders', secret, { grant_type: 'client_credentials', resource: BILLING, scope: 'openid email' });
    expect(billing.status).toBe(200);
    expect(billing.body).not.toHaveProperty('scope');
    const verified = await jwtVerify(billing.body.access_token, jwks, { issuer, audience: BILLING });
    expect(verified.payload.scope).toBeUndefined();
  });

  it('refuses with invalid_target a request without resource, or for an API the client may not use', async () => {
    const secret = await onboard('svc-target', [ORDERS]);
    const none = await token('svc-target', secret, { grant_type: 'client_credentials' });
    expect(none.status).toBe(400);
    expect(none.body.error).toBe('invalid_target');
    expect(none.body.error_description).toMatch(/resource is required/);

    for (const resource of [BILLING, 'https://orders.api.test/other', 'not a uri']) {
      const other = await token('svc-target', secret, { grant_type: 'client_credentials', resource });
      expect(other.status, resource).toBe(400);
      expect(other.body.error, resource).toBe('invalid_target');
    }
    // A wrong secret is still a wrong secret, resource or not.
    expect((await token('svc-target', `${secret}x`, { grant_type: 'client_credentials', resource: ORDERS })).body.error).toBe('invalid_client');
  });

  it('refuses client_credentials to a client that signs users in, and any resource it names', async () => {
    const cc = await token('web-app', WEB_SECRET, { grant_type: 'client_credentials', resource: ORDERS });
    expect(cc.status, JSON.stringify(cc.body)).toBe(400);
    expect(cc.body.error, JSON.stringify(cc.body)).toBe('unauthorized_client');
    const bare = await token('web-app', WEB_SECRET, { grant_type: 'client_credentials' });
    expect(bare.body.error, JSON.stringify(bare.body)).toBe('unauthorized_client');
    // The failure metric and the audit trail say the same as the answer.
    expect(await metrics()).toMatch(/ssohub_oidc_token_failures_total\{grant_type="client_credentials",error="unauthorized_client"[^}]*\} 2/);
    const audit = await admin('GET', '/admin/audit?count=1000');
    expect(JSON.stringify(audit.body)).toContain('unauthorized_client');
  });

  it('never lets a service client use the authorization endpoint', async () => {
    await onboard('svc-auth', [ORDERS]);
    const url = new URL(`${issuer}/auth`);
    for (const [k, v] of Object.entries({
      client_id: 'svc-auth',
      response_type: 'code',
      scope: 'openid',
      redirect_uri: 'https://svc-auth.test/cb',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    })) {
      url.searchParams.set(k, v);
    }
    const res = await fetch(url, { redirect: 'manual', headers: { 'x-forwarded-for': freshIp() } });
    expect(res.status).toBe(400);
    // The provider answers the browser itself: nothing is sent to a URI the client never registered.
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toMatch(/invalid_redirect_uri|unauthorized_client/);
  });

  it('onboards with `ssohub clients create --service`, which says how to call the token endpoint', async () => {
    const env = { SSOHUB_ADMIN_URL: stack.adminUrl, SSOHUB_ADMIN_TOKEN: adminTokenForTests };
    const json = await runCli(['clients', 'create', '--service', '--id', 'svc-cli', '--resource', ORDERS, '--json'], env);
    expect(json.code, json.stderr).toBe(0);
    const out = json.json();
    expect(out.token_endpoint).toBe(tokenEndpoint);
    expect(out.client).toMatchObject({ client_id: 'svc-cli', grant_types: ['client_credentials'], resources: [ORDERS] });
    const res = await token('svc-cli', out.client_secret, { grant_type: 'client_credentials', resource: ORDERS });
    expect(res.status).toBe(200);
    await jwtVerify(res.body.access_token, jwks, { issuer, audience: ORDERS });

    const text = await runCli(['clients', 'create', '--service', '--id', 'svc-cli-text', '--resource', BILLING], env);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`curl -s ${tokenEndpoint}`);
    expect(text.stdout).toContain('-u "svc-cli-text:$CLIENT_SECRET"');
    expect(text.stdout).toContain(`-d grant_type=client_credentials -d resource=${BILLING}`);
    expect(text.stdout).toMatch(/client_secret: [A-Za-z0-9_-]{43}\n/);

    const list = await runCli(['clients', 'list'], env);
    expect(list.stdout).toMatch(new RegExp(`svc-cli-text .*none \\(service client for ${BILLING.replace(/\./g, '\\.')}\\)`));

    // The hub names the field; the CLI refuses what it can before asking.
    const noResource = await runCli(['clients', 'create', '--service', '--id', 'svc-cli-bad'], env);
    expect(noResource.code).not.toBe(0);
    expect(noResource.stderr).toMatch(/--service needs at least one --resource/);
    const withRedirect = await runCli(['clients', 'create', '--service', '--id', 'svc-cli-bad', '--resource', ORDERS, '--redirect-uri', 'https://x.test/cb'], env);
    expect(withRedirect.stderr).toMatch(/--service cannot take --redirect-uri/);
    const badResource = await runCli(['clients', 'create', '--service', '--id', 'svc-cli-bad', '--resource', 'https://api.test/#frag', '--json'], env);
    expect(badResource.code).not.toBe(0);
    expect(badResource.json().error.message).toMatch(/resources\[0\] must not contain a fragment/);
  });

  it('counts the tokens as grant_type client_credentials and never asks Kratos', async () => {
    const secret = await onboard('svc-count', [ORDERS]);
    // The doctor asks Kratos: the counter the assertion below reads does count Kratos calls.
    expect((await admin('GET', '/admin/doctor')).status).toBe(200);
    const before = await metrics();
    for (let i = 0; i < 3; i++) expect((await token('svc-count', secret, { grant_type: 'client_credentials', resource: ORDERS })).status).toBe(200);
    const after = await metrics();
    expect(after).toMatch(/ssohub_oidc_tokens_issued_total\{grant_type="client_credentials",client_id="svc-count"[^}]*\} 3/);
    expect(kratosCalls(before)).toBeGreaterThan(0);
    expect(kratosCalls(after)).toBe(kratosCalls(before));
  });

  it('is throttled per client and per IP by the token endpoint guard', async () => {
    const secret = await onboard('svc-burst', [ORDERS]);
    const byClient: number[] = [];
    for (let i = 0; i <= CLIENT_BURST; i++) byClient.push((await token('svc-burst', secret, { grant_type: 'client_credentials', resource: ORDERS })).status);
    expect(byClient).toEqual([...Array(CLIENT_BURST).fill(200), 429]);

    // One address, many clients (most unknown): the per-IP bucket refuses the one past the burst.
    const ip = '203.0.113.77';
    const other = await onboard('svc-burst-ip', [ORDERS]);
    const byIp: number[] = [];
    for (let i = 0; i < IP_BURST; i++) byIp.push((await token(`svc-unknown-${i}`, 'x'.repeat(43), { grant_type: 'client_credentials', resource: ORDERS }, ip)).status);
    expect(byIp).toEqual(Array(IP_BURST).fill(401));
    expect((await token('svc-burst-ip', other, { grant_type: 'client_credentials', resource: ORDERS }, ip)).status).toBe(429);
    expect((await token('svc-burst-ip', other, { grant_type: 'client_credentials', resource: ORDERS })).status).toBe(200);

    const text = await metrics();
    expect(text.split('\n').filter((l) => l.startsWith('ssohub_guard_throttled_total'))).toEqual(
      expect.arrayContaining([expect.stringMatching(/kind="token_client".* [1-9]/), expect.stringMatching(/kind="token_ip".* 1$/)]),
    );
  });

  it("is refused by @ssohub/client's access-token verifier, which accepts only a user's token issued to its own app", async () => {
    const secret = await onboard('svc-verifier', [ORDERS]);
    const serviceToken = (await token('svc-verifier', secret, { grant_type: 'client_credentials', resource: ORDERS })).body.access_token as string;
    const app = await createSsoClient({
      issuer,
      clientId: 'web-app',
      clientSecret: WEB_SECRET,
      baseUrl: 'https://web.test',
      secrets: ['web-app-cookie-secret-0123456789abcdef'],
      store: new MemorySessionStore({ clientId: 'web-app' }),
    });
    const verifier = createAccessTokenVerifier(app, { cacheTtl: 0, refusalCacheTtl: 0 });
    const check = await verifier.check(`Bearer ${serviceToken}`);
    expect(check.ok).toBe(false);
    if (!check.ok) {
      expect(check.response.status).toBe(401);
      expect(check.error.code).toBe('SSOHUB_CLIENT_ERR_ACCESS_TOKEN_INVALID');
    }
    // Not even the service client itself can introspect it: the JWT is stored nowhere; the API
    // verifies it against the hub's JWKS (decision 0019).
    const introspected = await fetch(`${issuer}/token/introspection`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`svc-verifier:${secret}`).toString('base64')}`, 'x-forwarded-for': freshIp() },
      body: new URLSearchParams({ token: serviceToken }),
    });
    expect(introspected.status).toBe(400);
    expect(((await introspected.json()) as { error: string }).error).toBe('unsupported_token_type');
  });

  it('keeps issuing service tokens with Kratos stopped', async () => {
    const secret = await onboard('svc-no-kratos', [ORDERS]);
    await stack.kratos.stop();
    const res = await token('svc-no-kratos', secret, { grant_type: 'client_credentials', resource: ORDERS });
    expect(res.status).toBe(200);
    await jwtVerify(res.body.access_token, jwks, { issuer, audience: ORDERS });
    expect(decodeProtectedHeader(res.body.access_token).typ).toBe('at+jwt');
  });
});
