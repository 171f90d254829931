import { HttpSession } from '@ssohub/testkit';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { authorizationRequest, createUser, submitKratosLogin, type TestUser, walk } from '../support/bridge-kit.ts';
import { type HubStack, startHubStack } from '../support/hub-stack.ts';

// The provider policies of security review issue 19 (items 6 and 7), against the real hub and
// Kratos: RFC 8414 metadata at the path-inserted well-known URL, offline_access for first-party
// clients without prompt=consent (and never past the Kratos session), and introspection only by
// the token's own client, with the hub's policy rather than oidc-provider's default.

const APP = 'https://app-a.test';
const PARTNER = 'https://partner-c.example';
const SECRET_A = 'policy-app-a-secret-0123456789abcdefghij';
const SECRET_C = 'policy-partner-c-secret-0123456789abcdef';

describe('OAuth policies of the bridge', () => {
  let stack: HubStack;
  let issuer: string;
  let appA: oidc.Configuration;
  let partnerC: oidc.Configuration;
  const notices: string[] = [];

  beforeAll(async () => {
    // oidc-provider prints "default ... function called, you SHOULD change it" through console.info
    // (console.warn for MUST) the first time one of its defaults runs.
    for (const method of ['info', 'warn'] as const) {
      const original = console[method].bind(console);
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        const line = args.map(String).join(' ');
        if (line.includes('oidc-provider')) notices.push(line);
        else original(...args);
      });
    }
    stack = await startHubStack({
      allowedReturnOrigins: [APP, PARTNER],
      config: {
        bridge: {
          clients: [
            {
              client_id: 'app-a',
              client_secret: SECRET_A,
              redirect_uris: [`${APP}/callback`],
              grant_types: ['authorization_code', 'refresh_token'],
              token_endpoint_auth_method: 'client_secret_basic',
              ssohub_first_party: true,
            },
            {
              client_id: 'partner-c',
              client_secret: SECRET_C,
              client_name: 'Partner C',
              redirect_uris: [`${PARTNER}/cb`],
              grant_types: ['authorization_code', 'refresh_token'],
              token_endpoint_auth_method: 'client_secret_basic',
            },
          ],
        },
      },
    });
    issuer = `${stack.hubUrl}/oidc`;
    appA = await oidc.discovery(new URL(issuer), 'app-a', undefined, oidc.ClientSecretBasic(SECRET_A));
    partnerC = await oidc.discovery(new URL(issuer), 'partner-c', undefined, oidc.ClientSecretBasic(SECRET_C));
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await stack?.stop();
  });

  /** Signs in at a client; Kratos login with `user` when asked, the consent approved when shown. */
  async function signIn(browser: HttpSession, config: oidc.Configuration, redirectUri: string, user: TestUser | undefined, extra: Record<string, string> = {}) {
    const req = await authorizationRequest(config, redirectUri, extra);
    let end = await walk(browser, req.url, [APP, PARTNER]);
    if (end.kind === 'login') {
      if (!user) throw new Error('the hub asked for a sign-in');
      end = await walk(browser, await submitKratosLogin(browser, stack.hubUrl, end.flowId, user), [APP, PARTNER]);
    }
    let consentPage: string | undefined;
    if (end.kind === 'page' && end.res.body.includes('data-testid="consent/client"')) {
      consentPage = end.res.body;
      end = await walk(browser, `${end.res.url.href}/consent`, [APP, PARTNER], { method: 'POST', form: { decision: 'approve' } });
    }
    if (end.kind !== 'callback') throw new Error(`expected the callback, got ${end.kind}`);
    const tokens = await oidc.authorizationCodeGrant(config, end.url, { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce, idTokenExpected: true });
    return { tokens, consentPage };
  }

  it('answers RFC 8414 metadata at the path-inserted well-known URL, and OIDC discovery where it was', async () => {
    const rfc8414 = await fetch(`${stack.hubUrl}/.well-known/oauth-authorization-server/oidc`);
    expect(rfc8414.status).toBe(200);
    expect(rfc8414.headers.get('content-type')).toMatch(/^application\/json/);
    const metadata = (await rfc8414.json()) as Record<string, unknown>;
    const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(metadata).toEqual(discovery);
    expect(metadata).toMatchObject({ issuer, token_endpoint: `${issuer}/token`, introspection_endpoint: `${issuer}/token/introspection`, code_challenge_methods_supported: ['S256'] });
    // An OAuth 2.0 client library finds the hub through RFC 8414 alone.
    const oauth = await oidc.discovery(new URL(issuer), 'app-a', undefined, oidc.ClientSecretBasic(SECRET_A), { algorithm: 'oauth2' });
    expect(oauth.serverMetadata().issuer).toBe(issuer);
  });

  it('grants offline_access to a first-party client without prompt=consent, and the refresh token still dies with the Kratos session', async () => {
    const user = await createUser(stack.kratos.adminUrl, 'offline');
    const browser = new HttpSession();
    const { tokens } = await signIn(browser, appA, `${APP}/callback`, user, { scope: 'openid email offline_access' });
    expect(tokens.scope?.split(' ').sort()).toEqual(['email', 'offline_access', 'openid']);
    expect(tokens.refresh_token).toBeTruthy();
    const refreshed = await oidc.refreshTokenGrant(appA, tokens.refresh_token!);
    expect(refreshed.scope?.split(' ')).toContain('offline_access');

    const sessions = (await (await fetch(`${stack.kratos.adminUrl}/admin/identities/${user.id}/sessions`)).json()) as { id: string }[];
    for (const s of sessions) expect((await fetch(`${stack.kratos.adminUrl}/admin/sessions/${s.id}`, { method: 'DELETE' })).status).toBe(204);
    await expect(oidc.refreshTokenGrant(appA, refreshed.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('grants offline_access to a first-party client through a pushed authorization request too', async () => {
    const user = await createUser(stack.kratos.adminUrl, 'offlinepar');
    const browser = new HttpSession();
    await signIn(browser, appA, `${APP}/callback`, user);
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = await oidc.buildAuthorizationUrlWithPAR(appA, {
      redirect_uri: `${APP}/callback`,
      scope: 'openid offline_access',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    const end = await walk(browser, url, [APP]);
    if (end.kind !== 'callback') throw new Error(`expected the callback, got ${end.kind}`);
    const tokens = await oidc.authorizationCodeGrant(appA, end.url, { pkceCodeVerifier: verifier, expectedState: state });
    expect(tokens.scope?.split(' ').sort()).toEqual(['offline_access', 'openid']);
  });

  it('keeps OIDC rules for a third-party client: offline_access only with prompt=consent, shown on the consent screen', async () => {
    const user = await createUser(stack.kratos.adminUrl, 'offline3p');
    const browser = new HttpSession();
    const plain = await signIn(browser, partnerC, `${PARTNER}/cb`, user, { scope: 'openid email offline_access' });
    expect(plain.tokens.scope?.split(' ')).not.toContain('offline_access');
    const asked = await signIn(browser, partnerC, `${PARTNER}/cb`, undefined, { scope: 'openid email offline_access', prompt: 'consent' });
    expect(asked.consentPage).toContain('Keep access while you are away');
    expect(asked.tokens.scope?.split(' ')).toContain('offline_access');
  });

  it('lets a client introspect its own tokens only; another client learns nothing (active: false)', async () => {
    const user = await createUser(stack.kratos.adminUrl, 'introspect');
    const browser = new HttpSession();
    const a = await signIn(browser, appA, `${APP}/callback`, user);
    const c = await signIn(browser, partnerC, `${PARTNER}/cb`, undefined);

    const own = await oidc.tokenIntrospection(appA, a.tokens.access_token);
    expect(own).toMatchObject({ active: true, client_id: 'app-a', sub: user.id });
    expect((await oidc.tokenIntrospection(appA, a.tokens.refresh_token!)).active).toBe(true);
    expect((await oidc.tokenIntrospection(partnerC, c.tokens.access_token)).active).toBe(true);

    for (const [caller, token] of [
      [appA, c.tokens.access_token],
      [appA, c.tokens.refresh_token!],
      [partnerC, a.tokens.access_token],
      [partnerC, a.tokens.refresh_token!],
    ] as const) {
      expect(await oidc.tokenIntrospection(caller, token)).toEqual({ active: false });
    }
    // Revocation by another client is ignored as well: the token stays active for its owner.
    await oidc.tokenRevocation(partnerC, a.tokens.access_token);
    expect((await oidc.tokenIntrospection(appA, a.tokens.access_token)).active).toBe(true);

    // The hub states its own policies: oidc-provider never fell back to a default of its own.
    expect(notices).toEqual([]);
  });
});
