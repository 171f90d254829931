import { HttpSession } from '@ssohub/testkit';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizationRequest, createUser, submitKratosLogin, walk } from '../support/bridge-kit.ts';
import { APP_A, type BridgeWorld, CALLBACKS, SECRET_A, SHOP_B, signIn, startBridgeWorld, stopBridgeWorld } from '../support/bridge-suite.ts';

// Several hub instances behind one issuer share provider state through Redis: nothing another
// instance needs lives in process memory.
describe('two hub instances sharing one Redis', () => {
  let w: BridgeWorld;
  let second: { url: string };
  beforeAll(async () => {
    w = await startBridgeWorld('redis');
    second = await w.stack.startInstance();
  });
  afterAll(async () => stopBridgeWorld(w));

  const at = (config: oidc.Configuration, base: string, clientAuth: oidc.ClientAuth) => {
    const m = config.serverMetadata();
    const swap = (u: string | undefined) => (u ? `${base}${new URL(u).pathname}` : undefined);
    return new oidc.Configuration(
      { ...m, token_endpoint: swap(m.token_endpoint), userinfo_endpoint: swap(m.userinfo_endpoint), introspection_endpoint: swap(m.introspection_endpoint) } as unknown as oidc.ServerMetadata,
      config.clientMetadata().client_id,
      undefined,
      clientAuth,
    );
  };

  it('signs in through one instance and redeems, refreshes and uses the tokens at the other', async () => {
    const user = await createUser(w.stack.kratos.adminUrl, 'multi');
    const browser = new HttpSession();
    const req = await authorizationRequest(w.appA, `${APP_A}/callback`);
    let end = await walk(browser, req.url, CALLBACKS);
    expect(end.kind).toBe('login');
    end = await walk(browser, await submitKratosLogin(browser, w.stack.hubUrl, (end as { flowId: string }).flowId, user), CALLBACKS);
    expect(end.kind).toBe('callback');

    const viaSecond = at(w.appA, second.url, oidc.ClientSecretBasic(SECRET_A));
    const tokens = await oidc.authorizationCodeGrant(viaSecond, (end as { url: URL }).url, { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce });
    expect(tokens.claims()).toMatchObject({ iss: w.issuer, aud: 'app-a', sub: user.id });

    const refreshed = await oidc.refreshTokenGrant(viaSecond, tokens.refresh_token!);
    const info = await oidc.fetchUserInfo(w.appA, refreshed.access_token, user.id);
    expect(info).toMatchObject({ sub: user.id, email: user.email });
  });

  it('finds the provider session of one instance at the other: SSO without any page', async () => {
    const user = await createUser(w.stack.kratos.adminUrl, 'multi-sso');
    const browser = new HttpSession();
    await signIn(w, browser, w.appA, `${APP_A}/callback`, user);
    const req = await authorizationRequest(w.shopB, `${SHOP_B}/auth/callback`);
    const url = new URL(req.url);
    url.port = new URL(second.url).port;
    const end = await walk(browser, url, CALLBACKS);
    expect(end.kind).toBe('callback');
    expect(end.chain.some((u) => u.pathname === '/login')).toBe(false);
    const cb = (end as { url: URL }).url;
    expect(cb.searchParams.get('code')).toBeTruthy();
    // The code issued by the second instance is redeemed at the first.
    const tokens = await oidc.authorizationCodeGrant(w.shopB, cb, { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce });
    expect(tokens.claims()).toMatchObject({ aud: 'shop-b', sub: user.id });
  });

  it('serves a client onboarded through the registry at once, on every instance, without a restart', async () => {
    const created = await w.stack.hub.ctx.clients.create(
      {
        client_id: `onboarded-${Date.now()}`,
        client_name: 'Onboarded D',
        redirect_uris: ['https://onboarded-d.example/callback'],
        token_endpoint_auth_method: 'client_secret_basic',
        ssohub_first_party: true,
      },
      'test',
    );
    const secret = created.metadata.client_secret!;
    // Authorized at the first instance, redeemed at the second.
    const secondMetadata = at(w.appA, second.url, oidc.ClientSecretBasic(secret)).serverMetadata();
    const d = new oidc.Configuration(secondMetadata, created.metadata.client_id, undefined, oidc.ClientSecretBasic(secret));
    const user = await createUser(w.stack.kratos.adminUrl, 'onboarded');
    const browser = new HttpSession();
    await signIn(w, browser, w.appA, `${APP_A}/callback`, user);
    const req = await authorizationRequest(d, 'https://onboarded-d.example/callback');
    const end = await walk(browser, req.url, [...CALLBACKS, 'https://onboarded-d.example']);
    expect(end.kind).toBe('callback');
    const tokens = await oidc.authorizationCodeGrant(d, (end as { url: URL }).url, { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce });
    expect(tokens.claims()).toMatchObject({ aud: created.metadata.client_id, sub: user.id });
  });
});
