import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EXIT } from '@ssohub/cli';
import { HttpSession, waitFor } from '@ssohub/testkit';
import { adminTokenForTests, type HubStack, startHubStack } from '../support/hub-stack.ts';
import { runCli } from './cli-run.ts';

const PASSWORD = 'correct-horse-battery-9';

/**
 * Platform-team journeys through the CLI against a hub with the real bridge, Kratos and Redis:
 * onboard a client and sign in with openid-client, rotate its secret, delete it, and see and end
 * a user's sessions across two clients.
 */
describe('onboarded clients sign users in, and the CLI controls them', () => {
  let stack: HubStack;
  let env: Record<string, string>;
  let backchannel: Server;
  let backchannelOrigin: string;
  const logoutTokens: { path: string; token: string }[] = [];
  const email = `cli-user.${Date.now()}@example.test`;

  beforeAll(async () => {
    stack = await startHubStack();
    env = { SSOHUB_ADMIN_URL: stack.adminUrl, SSOHUB_ADMIN_TOKEN: adminTokenForTests };
    backchannel = createServer({ cert: inject('certPem'), key: inject('keyPem') }, (req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => {
        body += d.toString();
      });
      req.on('end', () => {
        logoutTokens.push({ path: req.url ?? '', token: new URLSearchParams(body).get('logout_token') ?? '' });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => backchannel.listen(0, '127.0.0.1', r));
    // shop-b.example is named in the test certificate; app-a.test only matches its `*.test`
    // wildcard, which Node's TLS check refuses (a wildcard must not cover a whole TLD).
    backchannelOrigin = `https://shop-b.example:${(backchannel.address() as AddressInfo).port}`;
    const created = await fetch(`${stack.kratos.adminUrl}/admin/identities`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      // A verified address, so sign-ins reach the apps (bridge.requireVerifiedEmail, on by default).
      body: JSON.stringify({
        schema_id: 'person',
        traits: { email, name: 'Cli User' },
        credentials: { password: { config: { password: PASSWORD } } },
        verifiable_addresses: [{ value: email, via: 'email', verified: true, status: 'completed' }],
      }),
    });
    expect(created.status).toBe(201);
  });
  afterAll(async () => {
    backchannel?.close();
    await stack?.stop();
  });

  async function onboard(id: string, redirectOrigin: string): Promise<string> {
    const res = await runCli(
      ['clients', 'create', '--json', '--id', id, '--redirect-uri', `${redirectOrigin}/callback`, '--backchannel-logout-uri', `${backchannelOrigin}/backchannel/${id}`, '--first-party', '--scope', 'openid email'],
      env,
    );
    expect(res.code, res.stdout + res.stderr).toBe(EXIT.OK);
    return res.json().client_secret;
  }

  /** Drives the browser from the authorization URL to the client's callback, signing in if asked. */
  async function authorize(browser: HttpSession, config: oidc.Configuration, redirectUri: string, extra: Record<string, string> = {}) {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid email',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      ...extra,
    });
    let next = url;
    for (let hops = 0; hops < 20; hops++) {
      if (next.href.startsWith(redirectUri)) return { callback: next, verifier, state, nonce };
      const res = await browser.request(next, { follow: false });
      const location = res.headers.get('location');
      if (location) {
        next = new URL(location, next);
        continue;
      }
      const flowId = res.url.searchParams.get('flow');
      if (res.url.pathname === '/login' && flowId) {
        const flow = JSON.parse((await browser.request(`${stack.hubUrl}/self-service/login/flows?id=${flowId}`, { headers: { accept: 'application/json' } })).body);
        const csrf = flow.ui.nodes.find((n: { attributes: { name?: string } }) => n.attributes.name === 'csrf_token').attributes.value;
        const submitted = await browser.request(flow.ui.action, { form: { csrf_token: csrf, method: 'password', identifier: email, password: PASSWORD }, follow: false });
        next = new URL(submitted.headers.get('location') ?? '', flow.ui.action);
        continue;
      }
      throw new Error(`the sign-in stopped at ${res.url} with ${res.status}: ${res.body.slice(0, 300)}`);
    }
    throw new Error('too many redirects');
  }

  async function signIn(browser: HttpSession, clientId: string, secret: string, redirectOrigin: string) {
    const config = await oidc.discovery(new URL(stack.hub.ctx.bridge!.issuer), clientId, secret);
    const redirectUri = `${redirectOrigin}/callback`;
    const { callback, verifier, state, nonce } = await authorize(browser, config, redirectUri);
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
    return { config, tokens, redirectUri };
  }

  it('signs in with a client onboarded by the CLI; a rotated secret refuses the old one and accepts the new', async () => {
    const secret = await onboard('cli-app-a', 'https://app-a.test');
    const browser = new HttpSession();
    const { tokens } = await signIn(browser, 'cli-app-a', secret, 'https://app-a.test');
    expect(tokens.claims()).toMatchObject({ aud: 'cli-app-a' });

    const rotated = await runCli(['clients', 'rotate-secret', 'cli-app-a', '--json'], env);
    expect(rotated.code).toBe(EXIT.OK);
    const newSecret = rotated.json().client_secret;
    await expect(signIn(browser, 'cli-app-a', secret, 'https://app-a.test')).rejects.toMatchObject({ error: 'invalid_client' });
    const again = await signIn(browser, 'cli-app-a', newSecret, 'https://app-a.test');
    expect(again.tokens.claims()?.sub).toBe(tokens.claims()?.sub);
  });

  it('onboards a client with ES256 ID tokens by default and RS256 on request; the hub signs each with the matching key', async () => {
    const esSecret = await onboard('cli-app-es', 'https://app-a.test');
    const res = await runCli(
      ['clients', 'create', '--json', '--id', 'cli-app-rs', '--redirect-uri', 'https://app-a.test/callback', '--first-party', '--scope', 'openid email', '--id-token-alg', 'RS256'],
      env,
    );
    expect(res.code, res.stdout + res.stderr).toBe(EXIT.OK);
    expect(res.json().client.id_token_signed_response_alg).toBe('RS256');
    const shown = await runCli(['clients', 'show', 'cli-app-es', '--json'], env);
    expect(shown.json().client.id_token_signed_response_alg).toBe('ES256');
    expect((await runCli(['clients', 'show', 'cli-app-rs'], env)).stdout).toMatch(/^id_token_alg: +RS256$/m);
    const browser = new HttpSession();
    // openid-client verifies each ID token against the hub's JWKS, so these sign-ins prove the signature too.
    const es = await signIn(browser, 'cli-app-es', esSecret, 'https://app-a.test');
    const rs = await signIn(browser, 'cli-app-rs', res.json().client_secret, 'https://app-a.test');
    const header = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()) as { alg: string; kid: string };
    expect(header(es.tokens.id_token!).alg).toBe('ES256');
    expect(header(rs.tokens.id_token!).alg).toBe('RS256');
    const jwks = (await (await fetch(`${stack.hub.ctx.bridge!.issuer}/jwks`)).json()) as { keys: { kid: string; alg?: string; kty: string }[] };
    expect(jwks.keys.find((k) => k.kid === header(es.tokens.id_token!).kid)).toMatchObject({ kty: 'EC' });
    expect(es.tokens.claims()?.sub).toBe(rs.tokens.claims()?.sub);

    const wrong = await runCli(['clients', 'create', '--json', '--id', 'cli-app-hs', '--redirect-uri', 'https://app-a.test/callback', '--id-token-alg', 'HS256'], env);
    expect(wrong.code).toBe(EXIT.USAGE);
    expect(wrong.stderr).toMatch(/--id-token-alg.*HS256.*RS256, ES256/s);
  });

  it('stops honouring a deleted client\'s tokens', async () => {
    const secret = await onboard('cli-app-gone', 'https://app-a.test');
    const { config, tokens } = await signIn(new HttpSession(), 'cli-app-gone', secret, 'https://app-a.test');
    const sub = tokens.claims()!.sub;
    expect((await oidc.fetchUserInfo(config, tokens.access_token, sub)).email).toBe(email);
    expect((await runCli(['clients', 'delete', 'cli-app-gone', '--yes'], env)).code).toBe(EXIT.OK);
    await expect(oidc.fetchUserInfo(config, tokens.access_token, sub)).rejects.toMatchObject({ status: 401 });
    // A new authorization request names a client the hub no longer knows.
    await expect(signIn(new HttpSession(), 'cli-app-gone', secret, 'https://app-a.test')).rejects.toThrow(/client/i);
  });

  it('lists a user\'s session across two clients and revokes it; both clients are logged out', async () => {
    const secretA = await onboard('cli-sess-a', 'https://app-a.test');
    const secretB = await onboard('cli-sess-b', 'https://shop-b.example');
    const browser = new HttpSession();
    const a = await signIn(browser, 'cli-sess-a', secretA, 'https://app-a.test');
    await signIn(browser, 'cli-sess-b', secretB, 'https://shop-b.example');

    const listed = await runCli(['sessions', 'list', email, '--json'], env);
    expect(listed.code).toBe(EXIT.OK);
    const withClients = listed.json().sessions.filter((s: { clients: string[] }) => s.clients.includes('cli-sess-a'));
    expect(withClients).toHaveLength(1);
    expect(withClients[0].clients).toEqual(expect.arrayContaining(['cli-sess-a', 'cli-sess-b']));
    expect((await runCli(['sessions', 'list', email], env)).stdout).toMatch(/cli-sess-a, cli-sess-b/);

    const revoked = await runCli(['sessions', 'revoke', email, '--all', '--json'], env);
    expect(revoked.code).toBe(EXIT.OK);
    expect(revoked.json().revoked).toContain(withClients[0].id);
    await waitFor('back-channel logout to both clients', async () =>
      ['cli-sess-a', 'cli-sess-b'].every((id) => logoutTokens.some((t) => t.path === `/backchannel/${id}` && t.token)) ? true : undefined,
    { timeoutMs: 15_000 });
    expect((await runCli(['sessions', 'list', email, '--json'], env)).json().sessions).toEqual([]);
    // The provider session is gone too: a silent request needs a new sign-in.
    const silent = await authorize(browser, a.config, a.redirectUri, { prompt: 'none' });
    expect(silent.callback.searchParams.get('error')).toBe('login_required');
  });
});
