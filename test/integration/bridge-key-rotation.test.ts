import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey } from '../../packages/hub/src/bridge/provider/signing-keys.ts';
import { HttpSession } from '@ssohub/testkit';
import { authorizationRequest, createUser, submitKratosLogin, walk } from '../support/bridge-kit.ts';
import { type HubStack, startHubStack } from '../support/hub-stack.ts';

// Rotating the provider's keys without signing anyone out: a hub instance with the new signing
// key first and the old one kept (and the new cookie key first, the old one kept) takes over
// from one that only had the old keys.
const APP = 'https://app-a.test';
const SECRET = 'rotation-app-secret-0123456789abcdefghij';
const OLD_COOKIE_KEY = 'old-cookie-key-0123456789abcdefghijklmnop';
const NEW_COOKIE_KEY = 'new-cookie-key-0123456789abcdefghijklmnop';

describe('signing and cookie key rotation', () => {
  let stack: HubStack;
  let config: oidc.Configuration;
  let oldKey: Record<string, unknown>;
  let newKey: Record<string, unknown>;
  let rotated: { url: string };

  beforeAll(async () => {
    oldKey = await generateSigningKey('RS256', 'rs-2026-01');
    newKey = await generateSigningKey('RS256', 'rs-2026-11');
    stack = await startHubStack({
      allowedReturnOrigins: [APP],
      config: {
        bridge: {
          cookieKeys: [OLD_COOKIE_KEY],
          signingKeys: [oldKey],
          clients: [{ client_id: 'app-a', client_secret: SECRET, redirect_uris: [`${APP}/callback`], token_endpoint_auth_method: 'client_secret_basic', ssohub_first_party: true }],
        },
      },
    });
    config = await oidc.discovery(new URL(`${stack.hubUrl}/oidc`), 'app-a', undefined, oidc.ClientSecretBasic(SECRET));
    rotated = await stack.startInstance({ bridge: { cookieKeys: [NEW_COOKIE_KEY, OLD_COOKIE_KEY], signingKeys: [newKey, oldKey] } });
  });
  afterAll(async () => stack?.stop());

  /** The same client configuration, aimed at the rotated instance (same issuer, other port). */
  const atRotated = () => {
    const m = config.serverMetadata();
    const swap = (u: string | undefined) => (u ? `${rotated.url}${new URL(u).pathname}` : undefined);
    return new oidc.Configuration({ ...m, token_endpoint: swap(m.token_endpoint) } as unknown as oidc.ServerMetadata, 'app-a', undefined, oidc.ClientSecretBasic(SECRET));
  };

  it('keeps old tokens verifiable, signs new ones with the new key, and keeps browsers signed in', async () => {
    const user = await createUser(stack.kratos.adminUrl, 'rotation');
    const browser = new HttpSession();
    const first = await authorizationRequest(config, `${APP}/callback`);
    let end = await walk(browser, first.url, [APP]);
    expect(end.kind).toBe('login');
    end = await walk(browser, await submitKratosLogin(browser, stack.hubUrl, (end as { flowId: string }).flowId, user), [APP]);
    const before = await oidc.authorizationCodeGrant(config, (end as { url: URL }).url, { pkceCodeVerifier: first.verifier, expectedState: first.state, expectedNonce: first.nonce });
    expect(decodeProtectedHeader(before.id_token!).kid).toBe('rs-2026-01');

    // The rotated instance publishes both keys; a token signed before the rotation still verifies.
    const jwks = createRemoteJWKSet(new URL(`${rotated.url}/oidc/jwks`));
    const kids = ((await (await fetch(`${rotated.url}/oidc/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
    expect(kids).toEqual(expect.arrayContaining(['rs-2026-11', 'rs-2026-01']));
    await expect(jwtVerify(before.id_token!, jwks, { issuer: `${stack.hubUrl}/oidc`, audience: 'app-a' })).resolves.toBeTruthy();

    // The browser's provider cookies were signed with the old cookie key: still accepted (SSO, no page).
    const second = await authorizationRequest(config, `${APP}/callback`);
    const url = new URL(second.url);
    url.port = new URL(rotated.url).port;
    const sso = await walk(browser, url, [APP]);
    expect(sso.kind).toBe('callback');
    const after = await oidc.authorizationCodeGrant(atRotated(), (sso as { url: URL }).url, { pkceCodeVerifier: second.verifier, expectedState: second.state, expectedNonce: second.nonce });
    expect(decodeProtectedHeader(after.id_token!).kid).toBe('rs-2026-11');
    expect(after.claims()?.sub).toBe(user.id);
  });
});
