import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '@ssohub/cli';
import { HttpSession } from '@ssohub/testkit';
import { authorizationRequest, createUser, submitKratosLogin, walk } from '../support/bridge-kit.ts';
import { adminTokenForTests, type HubStack, startHubStack } from '../support/hub-stack.ts';
import { runCli, spawnCli } from './cli-run.ts';

describe('ssohub clients, sessions, lockouts and audit against a running hub', () => {
  let stack: HubStack;
  let env: Record<string, string>;
  beforeAll(async () => {
    stack = await startHubStack({
      config: { bridge: { clients: [{ client_id: 'static-app', client_secret: 's'.repeat(40), redirect_uris: ['https://static.test/cb'] }] } },
    });
    env = { SSOHUB_ADMIN_URL: stack.adminUrl, SSOHUB_ADMIN_TOKEN: adminTokenForTests };
  });
  afterAll(async () => stack?.stop());

  it('runs as a real binary: lists clients as JSON and exits 0', async () => {
    const res = await spawnCli(['clients', 'list', '--json'], env);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(EXIT.OK);
    expect(res.json().clients.map((c: { client_id: string }) => c.client_id)).toEqual(['static-app']);
  });

  it('onboards a client and prints its secret once; show and list never do', async () => {
    const created = await runCli(
      ['clients', 'create', '--json', '--id', 'app-a', '--name', 'App A', '--redirect-uri', 'https://app-a.test/callback', '--redirect-uri', 'https://app-a.test/cb2', '--post-logout-uri', 'https://app-a.test/', '--backchannel-logout-uri', 'https://app-a.test/backchannel', '--first-party', '--scope', 'openid email', '--access-token-ttl', '600'],
      env,
    );
    expect(created.code, created.stdout + created.stderr).toBe(EXIT.OK);
    const { client, client_secret } = created.json();
    expect(client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(client).toMatchObject({
      client_id: 'app-a',
      client_name: 'App A',
      redirect_uris: ['https://app-a.test/callback', 'https://app-a.test/cb2'],
      backchannel_logout_session_required: true,
      ssohub_first_party: true,
      ssohub_access_token_ttl: 600,
      source: 'api',
    });
    const shown = await runCli(['clients', 'show', 'app-a', '--json'], env);
    expect(shown.json().client.has_secret).toBe(true);
    expect(shown.stdout).not.toContain(client_secret);
    const human = await runCli(['clients', 'show', 'app-a'], env);
    expect(human.stdout).toMatch(/^client_id: +app-a$/m);
    expect(human.stdout).not.toContain(client_secret);
    const table = await runCli(['clients', 'list'], env);
    expect(table.stdout).toMatch(/^CLIENT ID +NAME +SOURCE +FIRST-PARTY +REDIRECT URIS$/m);
    expect(table.stdout).toMatch(/^app-a +App A +api +yes +https:\/\/app-a\.test\/callback/m);
  });

  it('tells, for a new client, what its OpenID Connect library needs: PKCE S256, the ID token algorithm, userinfo, the back-channel URI, the recipes', async () => {
    const text = await runCli(
      ['clients', 'create', '--id', 'app-lib', '--redirect-uri', 'https://app-lib.test/auth/callback', '--backchannel-logout-uri', 'https://app-lib.test/auth/backchannel-logout', '--scope', 'openid email profile offline_access', '--grant-type', 'authorization_code', '--grant-type', 'refresh_token'],
      env,
    );
    expect(text.code, text.stdout + text.stderr).toBe(EXIT.OK);
    // Left out, the algorithm is the hub's default (ES256 here): the way to RS256 is printed.
    expect(text.stdout).toMatch(/^id_token_alg: +ES256$/m);
    expect(text.stdout).toMatch(/^For your OpenID Connect library \(docs\/integrations\/README\.md\):$/m);
    expect(text.stdout).toMatch(/^ {2}PKCE: +S256 on every sign-in/m);
    expect(text.stdout).toMatch(/^ {2}ID token alg: +ES256; for a library that verifies RS256 only: ssohub clients update app-lib --id-token-alg RS256$/m);
    expect(text.stdout).toMatch(/^ {2}email, name: +from userinfo, not the ID token: ask for scope "openid email profile offline_access"/m);
    expect(text.stdout).toContain('POSTed to https://app-lib.test/auth/backchannel-logout');
    expect(text.stdout).toMatch(/^ {2}recipes: +docs\/integrations\/go\.md, .*docs\/integrations\/oauth2-proxy\.md$/m);

    const json = await runCli(['clients', 'create', '--json', '--id', 'app-lib-rs', '--redirect-uri', 'https://app-lib-rs.test/auth/callback', '--id-token-alg', 'RS256', '--scope', 'openid'], env);
    expect(json.code, json.stdout + json.stderr).toBe(EXIT.OK);
    expect(json.json().library).toEqual({
      pkce: 'S256',
      id_token_alg: 'RS256',
      email_and_name: 'userinfo',
      scope: 'openid',
      scope_missing: ['email', 'profile'],
      backchannel_logout_uri: null,
      docs: ['docs/integrations/README.md', 'docs/integrations/go.md', 'docs/integrations/python.md', 'docs/integrations/hono.md', 'docs/integrations/nextjs.md', 'docs/integrations/oauth2-proxy.md'],
    });
    for (const id of ['app-lib', 'app-lib-rs']) expect((await runCli(['clients', 'delete', id, '--yes'], env)).code).toBe(EXIT.OK);
  });

  it('updates and rotates the secret of an onboarded client, then deletes it', async () => {
    await runCli(['clients', 'create', '--json', '--id', 'app-b', '--redirect-uri', 'https://shop-b.example/cb'], env);
    const updated = await runCli(['clients', 'update', 'app-b', '--json', '--no-first-party', '--redirect-uri', 'https://shop-b.example/callback'], env);
    expect(updated.code).toBe(EXIT.OK);
    expect(updated.json().client).toMatchObject({ ssohub_first_party: false, redirect_uris: ['https://shop-b.example/callback'] });
    const before = (await stack.hub.ctx.clients.find('app-b'))!.metadata.client_secret;
    const rotated = await runCli(['clients', 'rotate-secret', 'app-b', '--json'], env);
    expect(rotated.json().client_secret).not.toBe(before);
    expect((await runCli(['clients', 'delete', 'app-b'], env)).code).toBe(EXIT.USAGE);
    // Nobody signed in to it: nothing to revoke.
    expect((await runCli(['clients', 'delete', 'app-b', '--yes', '--json'], env)).json()).toEqual({ deleted: 'app-b', revokedGrants: 0 });
    const gone = await runCli(['clients', 'show', 'app-b', '--json'], env);
    expect(gone.code).toBe(EXIT.NOT_FOUND);
    expect(gone.json().error.message).toMatch(/there is no client "app-b"/);
  });

  it('deleting a client revokes what it was issued: a client onboarded again under its id gets none of it back', async () => {
    const APP_D = 'https://app-d.test';
    const onboard = async () => {
      const res = await runCli(['clients', 'create', '--json', '--id', 'app-d', '--redirect-uri', `${APP_D}/callback`, '--first-party', '--grant-type', 'authorization_code', '--grant-type', 'refresh_token'], env);
      expect(res.code, res.stdout + res.stderr).toBe(EXIT.OK);
      return oidc.discovery(new URL(`${stack.hubUrl}/oidc`), 'app-d', undefined, oidc.ClientSecretBasic(res.json().client_secret));
    };
    const app = await onboard();
    const user = await createUser(stack.kratos.adminUrl, 'deleted-client');
    const browser = new HttpSession();
    const req = await authorizationRequest(app, `${APP_D}/callback`);
    let end = await walk(browser, req.url, [APP_D]);
    if (end.kind === 'login') end = await walk(browser, await submitKratosLogin(browser, stack.hubUrl, end.flowId, user), [APP_D]);
    if (end.kind !== 'callback') throw new Error(`expected the callback, got ${end.kind}`);
    const tokens = await oidc.authorizationCodeGrant(app, end.url, { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce });
    const refreshToken = tokens.refresh_token!;
    expect(refreshToken).toBeTruthy();
    const userinfo = (accessToken: string) => fetch(app.serverMetadata().userinfo_endpoint!, { headers: { authorization: `Bearer ${accessToken}` } });
    expect((await userinfo(tokens.access_token)).status).toBe(200);

    const deleted = await runCli(['clients', 'delete', 'app-d', '--yes'], env);
    expect(deleted.stdout).toBe('Deleted client app-d. Revoked 1 grant(s).\n');
    await expect(oidc.refreshTokenGrant(app, refreshToken)).rejects.toMatchObject({ status: 401, cause: [{ parameters: { error: 'invalid_client' } }] });
    // Gone from the store, not only unusable while no client has the id.
    const provider = stack.hub.ctx.bridge!.provider;
    expect(await provider.AccessToken.find(tokens.access_token)).toBeUndefined();
    expect(await provider.RefreshToken.find(refreshToken)).toBeUndefined();

    const again = await onboard();
    await expect(oidc.refreshTokenGrant(again, refreshToken)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect(await oidc.tokenIntrospection(again, tokens.access_token)).toMatchObject({ active: false });
    expect((await userinfo(tokens.access_token)).status).toBe(401);
    expect((await runCli(['clients', 'delete', 'app-d', '--yes', '--json'], env)).json()).toEqual({ deleted: 'app-d', revokedGrants: 0 });
  });

  it('exits 2 with a message naming the field when the hub refuses a definition', async () => {
    const res = await runCli(['clients', 'create', '--id', 'bad', '--redirect-uri', 'https://bad.test/cb#frag'], env);
    expect(res.code).toBe(EXIT.USAGE);
    expect(res.stderr).toMatch(/^ssohub: invalid client: redirect_uris\[0\] must not contain a fragment/);
    const json = await runCli(['clients', 'create', '--json', '--id', 'bad', '--redirect-uri', 'http://bad.test/cb'], env);
    expect(json.json().error).toMatchObject({ code: 'SSOHUB_ERR_VALIDATION', exitCode: EXIT.USAGE, message: expect.stringMatching(/redirect_uris\[0\] must use https/) });
    expect((await runCli(['clients', 'create', '--id', 'bad', '--access-token-ttl', 'soon'], env)).code).toBe(EXIT.USAGE);
    expect((await runCli(['clients', 'frobnicate'], env)).code).toBe(EXIT.USAGE);
  });

  it('exits 6 when changing a client that comes from configuration, or reusing an id', async () => {
    const res = await runCli(['clients', 'rotate-secret', 'static-app'], env);
    expect(res.code).toBe(EXIT.CONFLICT);
    expect(res.stderr).toMatch(/comes from the hub's configuration/);
    expect((await runCli(['clients', 'create', '--id', 'static-app', '--redirect-uri', 'https://x.test/cb'], env)).code).toBe(EXIT.CONFLICT);
  });

  it('exits 4 without a token or with a wrong one, and 5 when the admin API does not answer', async () => {
    const none = await runCli(['clients', 'list'], { SSOHUB_ADMIN_URL: stack.adminUrl });
    expect(none.code).toBe(EXIT.AUTH);
    expect(none.stderr).toMatch(/set SSOHUB_ADMIN_TOKEN/);
    const wrong = await runCli(['clients', 'list', '--token', 'not-the-token-0123456789abcdef'], env);
    expect(wrong.code).toBe(EXIT.AUTH);
    const down = await runCli(['clients', 'list', '--admin-url', 'http://127.0.0.1:2'], env);
    expect(down.code).toBe(EXIT.UNREACHABLE);
    expect(down.stderr).toMatch(/cannot reach the admin API at http:\/\/127\.0\.0\.1:2/);
  });

  it('lists lockouts, reports sessions of unknown users as not found, and tails the audit trail', async () => {
    expect((await runCli(['lockouts', 'list', '--json'], env)).json()).toEqual({ lockouts: expect.any(Array) });
    expect((await runCli(['lockouts', 'clear', 'nobody@example.test', '--json'], env)).json()).toMatchObject({ identifier: 'nobody@example.test' });
    expect((await runCli(['sessions', 'list', 'nobody@example.test'], env)).code).toBe(EXIT.NOT_FOUND);
    expect((await runCli(['sessions', 'revoke', 'nobody@example.test'], env)).code).toBe(EXIT.USAGE);
    const tail = await runCli(['audit', 'tail', '--json', '--count', '100'], env);
    expect(tail.code).toBe(EXIT.OK);
    const events = tail.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(events.filter((e) => e.clientId === 'app-b').map((e) => e.type)).toEqual(['client.created', 'client.updated', 'client.secret_rotated', 'client.deleted']);
    expect(events.find((e) => e.type === 'client.created')?.actor).toBe('admin:cli-test');
    const after = await runCli(['audit', 'tail', '--json', '--after', events.at(-2).id], env);
    expect(after.stdout.trim().split('\n').map((l) => JSON.parse(l).id)).toEqual([events.at(-1).id]);
    expect((await runCli(['audit', 'tail'], env)).stdout).toMatch(/^TIME +TYPE +OUTCOME +ACTOR +SUBJECT +CLIENT$/m);
  });
});
