import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpSession } from '@ssohub/testkit';
import { authorizationRequest, createUser, submitKratosLogin, type TestUser, walk } from '../support/bridge-kit.ts';
import { type HubStack, startHubStack } from '../support/hub-stack.ts';

// Two architecture invariants checked against the real parts:
//  3. a provider session never outlives, and never changes identity from, its Kratos session;
//  7. secrets, tokens, codes and cookies never reach a log line (the hub logs at trace level here).

const APP = 'https://app-a.test';
const SECRET = 'invariants-app-secret-0123456789abcdefgh';

describe('architecture invariants 3 and 7', () => {
  let stack: HubStack;
  let config: oidc.Configuration;
  const lines: string[] = [];

  beforeAll(async () => {
    stack = await startHubStack({
      allowedReturnOrigins: [APP],
      log: { level: 'trace', destination: { write: (line: string) => void lines.push(line) } },
      config: {
        bridge: {
          clients: [
            {
              client_id: 'app-a',
              client_secret: SECRET,
              redirect_uris: [`${APP}/callback`],
              post_logout_redirect_uris: [`${APP}/bye`],
              grant_types: ['authorization_code', 'refresh_token'],
              scope: 'openid email profile offline_access',
              token_endpoint_auth_method: 'client_secret_basic',
              ssohub_first_party: true,
            },
          ],
        },
      },
    });
    config = await oidc.discovery(new URL(`${stack.hubUrl}/oidc`), 'app-a', undefined, oidc.ClientSecretBasic(SECRET));
  });
  afterAll(async () => stack?.stop());

  /** One sign-in at the client; signs in at Kratos with `user` if the hub asks for it. */
  async function signIn(browser: HttpSession, user: TestUser | undefined, extra: Record<string, string> = {}) {
    const req = await authorizationRequest(config, `${APP}/callback`, { scope: 'openid email offline_access', prompt: 'consent', ...extra });
    let end = await walk(browser, req.url, [APP]);
    let askedToLogIn = false;
    if (end.kind === 'login') {
      if (!user) throw new Error('the hub asked for a sign-in');
      askedToLogIn = true;
      end = await walk(browser, await submitKratosLogin(browser, stack.hubUrl, end.flowId, user), [APP]);
    }
    if (end.kind !== 'callback') throw new Error(`expected the callback, got ${end.kind}`);
    const tokens = await oidc.authorizationCodeGrant(config, end.url, { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce, idTokenExpected: true });
    return { tokens, claims: tokens.claims()!, askedToLogIn, code: end.url.searchParams.get('code')! };
  }

  /** Signs the browser out of Kratos only, through the proxied Kratos browser logout (not the hub's /logout). */
  async function kratosOnlyLogout(browser: HttpSession) {
    const flow = await browser.request(`${stack.hubUrl}/self-service/logout/browser`, { headers: { accept: 'application/json' } });
    expect(flow.status).toBe(200);
    const { logout_url } = JSON.parse(flow.body) as { logout_url: string };
    await browser.request(logout_url, { follow: false });
    expect((await browser.request(`${stack.hubUrl}/sessions/whoami`, { headers: { accept: 'application/json' } })).status).toBe(401);
  }

  it('propagates a logout made through Kratos own endpoint (not the hub page) to the provider sessions', async () => {
    const erin = await createUser(stack.kratos.adminUrl, 'erin');
    const browser = new HttpSession();
    await signIn(browser, erin);
    const before = (await stack.hub.ctx.audit.tail({ count: 1 })).at(-1)?.id;
    await kratosOnlyLogout(browser);
    const events = await stack.hub.ctx.audit.tail(before ? { after: before, count: 50 } : { count: 50 });
    expect(events.find((e) => e.type === 'bridge.kratos_session.ended')).toMatchObject({ subject: erin.id, reason: 'kratos_logout' });
    expect(events.some((e) => e.type === 'bridge.session.ended' && e.subject === erin.id)).toBe(true);
  });

  async function kratosLogin(browser: HttpSession, user: TestUser) {
    const init = await browser.request(`${stack.hubUrl}/self-service/login/browser`, { follow: false });
    const flowId = new URL(init.headers.get('location')!).searchParams.get('flow')!;
    await submitKratosLogin(browser, stack.hubUrl, flowId, user);
  }

  it('never lets a provider session change identity: after the browser signs in to Kratos as someone else, the client gets the new identity', async () => {
    const alice = await createUser(stack.kratos.adminUrl, 'alice');
    const bob = await createUser(stack.kratos.adminUrl, 'bob');
    const browser = new HttpSession();
    const first = await signIn(browser, alice);
    expect(first.claims.sub).toBe(alice.id);

    // The provider session for Alice is still in the browser; her Kratos session is replaced by Bob's.
    await kratosOnlyLogout(browser);
    await kratosLogin(browser, bob);
    const second = await signIn(browser, undefined);
    expect(second.claims.sub).toBe(bob.id);
    expect(second.askedToLogIn).toBe(false);
    const info = await oidc.fetchUserInfo(config, second.tokens.access_token, bob.id);
    expect(info.email).toBe(bob.email);
  });

  it('never lets a provider session outlive its Kratos session: with no Kratos session left, the hub asks to sign in again', async () => {
    const carol = await createUser(stack.kratos.adminUrl, 'carol');
    const browser = new HttpSession();
    await signIn(browser, carol);
    await kratosOnlyLogout(browser);
    // The provider's router ignores case and trailing slashes; the Kratos re-check must too.
    for (const variant of ['/oidc/AUTH', '/oidc/auth/', '/oidc/auth']) {
      const none = await authorizationRequest(config, `${APP}/callback`, { prompt: 'none' });
      none.url.pathname = variant;
      const end = await walk(browser, none.url, [APP]);
      expect(end.kind, variant).toBe('callback');
      expect(end.kind === 'callback' && end.url.searchParams.get('error'), variant).toBe('login_required');
    }
    const again = await signIn(browser, carol);
    expect(again.askedToLogIn).toBe(true);
  });

  it('re-checks the Kratos session on every method the authorization endpoint answers (HEAD too)', async () => {
    const frank = await createUser(stack.kratos.adminUrl, 'frank');
    const browser = new HttpSession();
    await signIn(browser, frank);
    // Revoked behind the hub's back, through Kratos' own admin API.
    const sessions = (await (await fetch(`${stack.kratos.adminUrl}/admin/identities/${frank.id}/sessions`)).json()) as { id: string }[];
    for (const s of sessions) expect((await fetch(`${stack.kratos.adminUrl}/admin/sessions/${s.id}`, { method: 'DELETE' })).status).toBe(204);
    const none = await authorizationRequest(config, `${APP}/callback`, { prompt: 'none' });
    const head = await browser.request(none.url, { method: 'HEAD', follow: false });
    const location = new URL(head.headers.get('location') ?? '/', stack.hubUrl);
    expect(location.searchParams.get('code')).toBeNull();
    expect(location.searchParams.get('error')).toBe('login_required');
  });

  it('keeps every secret of a full sign-in, refresh, failed sign-in and logout out of the logs', async () => {
    const dave = await createUser(stack.kratos.adminUrl, 'dave');
    const browser = new HttpSession();
    lines.length = 0;
    const { tokens, code } = await signIn(browser, dave);
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    await oidc.fetchUserInfo(config, refreshed.access_token, dave.id);
    await oidc.tokenIntrospection(config, refreshed.access_token);
    // A failed password attempt and a wrong code on the token endpoint are logged too.
    const other = new HttpSession();
    const init = await other.request(`${stack.hubUrl}/self-service/login/browser`, { follow: false });
    const flowId = new URL(init.headers.get('location')!).searchParams.get('flow')!;
    await expect(submitKratosLogin(other, stack.hubUrl, flowId, { email: dave.email, password: 'Wrong-password-for-dave-1' })).rejects.toThrow();
    await oidc.authorizationCodeGrant(config, new URL(`${APP}/callback?code=not-a-real-code-123&iss=${encodeURIComponent(`${stack.hubUrl}/oidc`)}`), { pkceCodeVerifier: 'x'.repeat(43), idTokenExpected: true }).catch(() => undefined);
    const end = oidc.buildEndSessionUrl(config, { id_token_hint: refreshed.id_token!, post_logout_redirect_uri: `${APP}/bye` });
    const confirm = await browser.request(end, { follow: false });
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirm.body)?.[1];
    expect(xsrf).toBeTruthy();
    await browser.request(`${stack.hubUrl}/oidc/session/end/confirm`, { form: { xsrf: xsrf!, logout: 'yes' }, follow: false });

    // oidc-provider's `_interaction*` cookies hold the interaction uid, which is also the public
    // path /interaction/<uid> by design; their `.sig` companions are the secret part and count.
    const cookieValues = browser.jar
      .all()
      .filter((c) => !/^_interaction(_resume)?$/.test(c.name))
      .map((c) => c.value)
      .filter((v) => v.length >= 16);
    const secrets: Record<string, string> = {
      password: dave.password,
      'wrong password': 'Wrong-password-for-dave-1',
      'authorization code': code,
      'access token': tokens.access_token,
      'refreshed access token': refreshed.access_token,
      'refresh token': tokens.refresh_token!,
      'rotated refresh token': refreshed.refresh_token!,
      'id token': tokens.id_token!,
      'client secret': SECRET,
      'cookie key': 'test-cookie-key-0123456789abcdefghijklmnop',
      'logout xsrf': xsrf!,
      ...Object.fromEntries(cookieValues.map((v, i) => [`cookie #${i}`, v])),
    };
    const log = lines.join('');
    expect(lines.length).toBeGreaterThan(20);
    // Request lines are logged, by path only.
    expect(log).toContain('"path":"/oidc/token"');
    expect(log).not.toMatch(/"url":"[^"]*\?/);
    const leaked = Object.entries(secrets).filter(([, value]) => log.includes(value)).map(([name]) => name);
    expect(leaked).toEqual([]);
  });
});
