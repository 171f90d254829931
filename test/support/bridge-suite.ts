import { HttpSession } from '@ssohub/testkit';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generateSigningKey } from '../../packages/hub/src/bridge/provider/signing-keys.ts';
import {
  authorizationRequest,
  type BackchannelReceiver,
  createUser,
  readLoginFlow,
  startBackchannelReceiver,
  submitKratosLogin,
  type TestUser,
  walk,
} from './bridge-kit.ts';
import { type HubStack, startHubStack } from './hub-stack.ts';

export const APP_A = 'https://app-a.test';
export const SHOP_B = 'https://shop-b.example';
export const PARTNER_C = 'https://partner-c.example';
export const CALLBACKS = [APP_A, SHOP_B, PARTNER_C];
const SECRET_A = 'app-a-secret-0123456789abcdefghijklmnop';
const SECRET_C = 'partner-c-secret-0123456789abcdefghijkl';

export interface BridgeWorld {
  stack: HubStack;
  issuer: string;
  appA: oidc.Configuration;
  shopB: oidc.Configuration;
  partnerC: oidc.Configuration;
  bcA: BackchannelReceiver;
  bcB: BackchannelReceiver;
  shopBKey: CryptoKey;
}

/**
 * Starts the real parts (Kratos, hub on https://login.sso.test, the chosen store) with three
 * clients: app-a (first party, client_secret_basic), shop-b (first party, private_key_jwt) and
 * partner-c (third party, needs consent), the first two with back-channel logout receivers.
 */
export async function startBridgeWorld(store: 'redis' | 'memory'): Promise<BridgeWorld> {
  const tls = { cert: inject('certPem'), key: inject('keyPem') };
  const bcA = await startBackchannelReceiver('app-a.test', tls);
  const bcB = await startBackchannelReceiver('shop-b.example', tls);
  const shopBJwk = await generateSigningKey('ES256', 'shop-b-key-1');
  const { d: _d, ...shopBPublic } = shopBJwk;
  const signingKeys = [await generateSigningKey('RS256', 'hub-rs-1'), await generateSigningKey('ES256', 'hub-es-1')];
  const stack = await startHubStack({
    store,
    allowedReturnOrigins: CALLBACKS,
    config: {
      bridge: {
        signingKeys,
        backchannel: { retryDelaysMs: [300, 600], pollIntervalMs: 50 },
        clients: [
          {
            client_id: 'app-a',
            client_secret: SECRET_A,
            client_name: 'App A',
            redirect_uris: [`${APP_A}/callback`],
            post_logout_redirect_uris: [`${APP_A}/signed-out`],
            grant_types: ['authorization_code', 'refresh_token'],
            token_endpoint_auth_method: 'client_secret_basic',
            backchannel_logout_uri: bcA.uri,
            backchannel_logout_session_required: true,
            ssohub_first_party: true,
          },
          {
            client_id: 'shop-b',
            client_name: 'Shop B',
            redirect_uris: [`${SHOP_B}/auth/callback`],
            grant_types: ['authorization_code', 'refresh_token'],
            token_endpoint_auth_method: 'private_key_jwt',
            jwks: { keys: [shopBPublic] },
            backchannel_logout_uri: bcB.uri,
            backchannel_logout_session_required: true,
            ssohub_first_party: true,
          },
          {
            client_id: 'partner-c',
            client_secret: SECRET_C,
            client_name: 'Partner C',
            redirect_uris: [`${PARTNER_C}/cb`],
            token_endpoint_auth_method: 'client_secret_basic',
          },
        ],
      },
    },
  });
  const issuer = `${stack.hubUrl}/oidc`;
  const appA = await oidc.discovery(new URL(issuer), 'app-a', undefined, oidc.ClientSecretBasic(SECRET_A));
  const shopBKey = (await crypto.subtle.importKey('jwk', shopBJwk as JsonWebKey, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign'])) as CryptoKey;
  const shopB = await oidc.discovery(new URL(issuer), 'shop-b', { token_endpoint_auth_method: 'private_key_jwt' }, oidc.PrivateKeyJwt({ key: shopBKey, kid: 'shop-b-key-1' }));
  const partnerC = await oidc.discovery(new URL(issuer), 'partner-c', undefined, oidc.ClientSecretBasic(SECRET_C));
  return { stack, issuer, appA, shopB, partnerC, bcA, bcB, shopBKey };
}

export async function stopBridgeWorld(w: BridgeWorld | undefined): Promise<void> {
  if (!w) return;
  await w.stack.stop();
  await w.bcA.close();
  await w.bcB.close();
}

/** Signs in at a client: the authorization request, the Kratos login if asked, the code redeemed. */
export async function signIn(
  w: BridgeWorld,
  browser: HttpSession,
  config: oidc.Configuration,
  redirectUri: string,
  user: TestUser | undefined,
  extra: Record<string, string> = {},
) {
  const req = await authorizationRequest(config, redirectUri, extra);
  let end = await walk(browser, req.url, CALLBACKS);
  let loginFlow: Awaited<ReturnType<typeof readLoginFlow>> | undefined;
  let pages = 0;
  if (end.kind === 'login') {
    if (!user) throw new Error('the hub asked for a sign-in but the test has no user to sign in');
    loginFlow = await readLoginFlow(browser, w.stack.hubUrl, end.flowId);
    const back = await submitKratosLogin(browser, w.stack.hubUrl, end.flowId, user);
    pages++;
    end = await walk(browser, back, CALLBACKS);
  }
  if (end.kind !== 'callback') throw new Error(`expected a callback, got ${end.kind}: ${end.kind === 'page' ? `${end.res.status} ${end.res.body.slice(0, 400)}` : ''}`);
  const tokens = await oidc.authorizationCodeGrant(config, end.url, { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce, idTokenExpected: true });
  return { tokens, claims: tokens.claims()!, loginFlow, pages, callback: end.url, chain: end.chain };
}

export function describeBridgeSuite(store: 'redis' | 'memory'): void {
  describe(`OIDC bridge on ${store}`, () => {
    let w: BridgeWorld;
    beforeAll(async () => {
      w = await startBridgeWorld(store);
    });
    afterAll(async () => stopBridgeWorld(w));

    it('signs in a first app through the Kratos login flow and a second app without any page', async () => {
      const user = await createUser(w.stack.kratos.adminUrl, 'sso');
      const browser = new HttpSession();
      const first = await signIn(w, browser, w.appA, `${APP_A}/callback`, user);
      expect(first.pages).toBe(1);
      expect(first.loginFlow).toMatchObject({ refresh: false });
      expect(first.claims).toMatchObject({ iss: w.issuer, aud: 'app-a', sub: user.id, acr: 'aal1', amr: ['pwd'] });
      expect(first.claims.sid).toEqual(expect.any(String));
      expect(first.claims.auth_time).toBeGreaterThan(Date.now() / 1000 - 60);
      expect(first.callback.searchParams.get('iss')).toBe(w.issuer);

      const second = await signIn(w, browser, w.shopB, `${SHOP_B}/auth/callback`, undefined);
      expect(second.pages).toBe(0);
      expect(second.chain.every((u) => u.origin !== w.stack.hubUrl || !u.pathname.startsWith('/login'))).toBe(true);
      expect(second.claims).toMatchObject({ iss: w.issuer, aud: 'shop-b', sub: user.id, acr: 'aal1', amr: ['pwd'], auth_time: first.claims.auth_time });
      expect(second.claims.sid).toEqual(expect.any(String));
      expect(second.claims.sid).not.toBe(first.claims.sid);

      const info = await oidc.fetchUserInfo(w.appA, first.tokens.access_token, user.id);
      expect(info).toMatchObject({ sub: user.id, email: user.email, email_verified: true, name: user.name });
    });
  });
}
