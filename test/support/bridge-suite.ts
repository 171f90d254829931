import type { webcrypto } from 'node:crypto';
import { HttpSession } from '@ssohub/testkit';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
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
export const SECRET_A = 'app-a-secret-0123456789abcdefghijklmnop';
const SECRET_C = 'partner-c-secret-0123456789abcdefghijkl';

export interface BridgeWorld {
  stack: HubStack;
  issuer: string;
  appA: oidc.Configuration;
  shopB: oidc.Configuration;
  partnerC: oidc.Configuration;
  bcA: BackchannelReceiver;
  bcB: BackchannelReceiver;
  shopBKey: webcrypto.CryptoKey;
}

/**
 * Starts the real parts (Kratos, hub on https://login.sso.test, the chosen store) with three
 * clients: app-a (first party, client_secret_basic), shop-b (first party, private_key_jwt) and
 * partner-c (third party, needs consent), the first two with back-channel logout receivers.
 */
/** Options of a bridge world: `shortcuts: false` runs the bridge on its plain path (bridge.shortcuts). */
export interface BridgeWorldOptions {
  shortcuts?: boolean;
}

export async function startBridgeWorld(store: 'redis' | 'memory', { shortcuts = true }: BridgeWorldOptions = {}): Promise<BridgeWorld> {
  const tls = { cert: inject('certPem'), key: inject('keyPem') };
  // The test certificate covers localhost and shop-b.example by name (a *.test wildcard is too
  // broad for TLS name checks), so app-a's back-channel receiver answers on localhost.
  const bcA = await startBackchannelReceiver('localhost', tls);
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
        shortcuts,
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
  const shopBKey = await crypto.subtle.importKey('jwk', shopBJwk as webcrypto.JsonWebKey, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
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

/** Counts the hub's calls to Kratos from now until the returned function is called. */
function countKratosCalls(w: BridgeWorld): () => Record<string, number> {
  const methods = ['whoami', 'whoamiOrPending', 'getSession', 'getIdentity'] as const;
  const spies = methods.map((m) => vi.spyOn(w.stack.hub.ctx.kratos, m));
  return () => {
    const counts = Object.fromEntries(methods.map((m, i) => [m, spies[i]!.mock.calls.length]));
    for (const spy of spies) spy.mockRestore();
    return counts;
  };
}

export function describeBridgeSuite(store: 'redis' | 'memory', options: BridgeWorldOptions = {}): void {
  describe(`OIDC bridge on ${store}${options.shortcuts === false ? ', shortcuts off' : ''}`, () => {
    let w: BridgeWorld;
    beforeAll(async () => {
      w = await startBridgeWorld(store, options);
    });
    afterAll(async () => stopBridgeWorld(w));

    it('signs in a first app through the Kratos login flow and a second app without any page', async () => {
      const user = await createUser(w.stack.kratos.adminUrl, 'sso');
      const browser = new HttpSession();
      // A first sign-in asks Kratos twice (whoami before and after its login flow); the account
      // lookup at the resume and the code exchange reuse the second answer. On the plain path
      // each of those asks Kratos' admin API itself: that is all the shortcuts save.
      const plain = options.shortcuts === false;
      const firstCalls = countKratosCalls(w);
      const first = await signIn(w, browser, w.appA, `${APP_A}/callback`, user);
      expect(firstCalls()).toEqual({ whoami: 2, whoamiOrPending: 0, getSession: plain ? 1 : 0, getIdentity: plain ? 1 : 0 });
      expect(first.pages).toBe(1);
      expect(first.loginFlow).toMatchObject({ refresh: false });
      expect(first.claims).toMatchObject({ iss: w.issuer, aud: 'app-a', sub: user.id, acr: 'aal1', amr: ['pwd'] });
      expect(first.claims.sid).toEqual(expect.any(String));
      expect(first.claims.auth_time).toBeGreaterThan(Date.now() / 1000 - 60);
      expect(first.callback.searchParams.get('iss')).toBe(w.issuer);

      // The hop asks Kratos once (whoami at /auth, with the browser's cookies) and reuses that
      // answer for the account lookup of the same request and for the code exchange.
      const secondCalls = countKratosCalls(w);
      const second = await signIn(w, browser, w.shopB, `${SHOP_B}/auth/callback`, undefined);
      expect(secondCalls()).toEqual({ whoami: 1, whoamiOrPending: 0, getSession: plain ? 1 : 0, getIdentity: plain ? 1 : 0 });
      expect(second.pages).toBe(0);
      expect(second.chain.every((u) => u.origin !== w.stack.hubUrl || !u.pathname.startsWith('/login'))).toBe(true);
      expect(second.claims).toMatchObject({ iss: w.issuer, aud: 'shop-b', sub: user.id, acr: 'aal1', amr: ['pwd'], auth_time: first.claims.auth_time });
      expect(second.claims.sid).toEqual(expect.any(String));
      expect(second.claims.sid).not.toBe(first.claims.sid);

      const info = await oidc.fetchUserInfo(w.appA, first.tokens.access_token, user.id);
      expect(info).toMatchObject({ sub: user.id, email: user.email, email_verified: true, name: user.name });
    });

    it('names the app on the sign-in page its authorization request leads to, from the client registry only (#20)', async () => {
      const browser = new HttpSession();
      const html = async (flowId: string) => {
        const res = await browser.request(`${w.stack.hubUrl}/login?flow=${flowId}`, { headers: { accept: 'text/html' } });
        expect(res.status).toBe(200);
        return res.body;
      };
      const req = await authorizationRequest(w.appA, `${APP_A}/callback`);
      const end = await walk(browser, req.url, CALLBACKS);
      if (end.kind !== 'login') throw new Error(`expected the login page, got ${end.kind}`);
      expect(await html(end.flowId)).toMatch(/data-testid="flow\/client">Sign in to continue to <strong data-testid="flow\/client-name">App A<\/strong>/);

      // A login flow whose return_to is not a live interaction of the hub names no app.
      for (const returnTo of [`${w.stack.hubUrl}/interaction/no-such-interaction`, `${APP_A}/interaction/${new URL(String(end.chain.find((u) => u.pathname.startsWith('/interaction/')))).pathname.split('/')[2]}`]) {
        const forged = await walk(browser, `${w.stack.hubUrl}/login?return_to=${encodeURIComponent(returnTo)}`, CALLBACKS);
        if (forged.kind !== 'login') throw new Error(`expected the login page, got ${forged.kind}`);
        const body = await html(forged.flowId);
        expect(body).toContain('data-testid="flow/title">Sign in</h1>');
        expect(body).not.toMatch(/flow\/client|to continue to|App A/);
      }
    });

    it('answers prompt=none with a code when signed in, and with login_required and no page when not', async () => {
      const user = await createUser(w.stack.kratos.adminUrl, 'none');
      const browser = new HttpSession();
      await signIn(w, browser, w.appA, `${APP_A}/callback`, user);
      const silent = await signIn(w, browser, w.shopB, `${SHOP_B}/auth/callback`, undefined, { prompt: 'none' });
      expect(silent.pages).toBe(0);
      expect(silent.claims.sub).toBe(user.id);

      const stranger = new HttpSession();
      const req = await authorizationRequest(w.appA, `${APP_A}/callback`, { prompt: 'none' });
      const end = await walk(stranger, req.url, CALLBACKS);
      expect(end.kind).toBe('callback');
      const cb = (end as { url: URL }).url;
      expect(cb.searchParams.get('error')).toBe('login_required');
      expect(cb.searchParams.get('state')).toBe(req.state);
      expect(cb.searchParams.get('iss')).toBe(w.issuer);
      expect(end.chain.some((u) => u.pathname === '/login' || u.pathname.startsWith('/self-service'))).toBe(false);
    });

    it('sends prompt=login and an exceeded max_age through a Kratos refresh login, and a fresh enough session through without a page', async () => {
      const user = await createUser(w.stack.kratos.adminUrl, 'fresh');
      const browser = new HttpSession();
      const first = await signIn(w, browser, w.appA, `${APP_A}/callback`, user);
      const recent = await signIn(w, browser, w.appA, `${APP_A}/callback`, undefined, { max_age: '3600' });
      expect(recent.pages).toBe(0);
      expect(recent.claims.auth_time).toBe(first.claims.auth_time);

      await new Promise((r) => setTimeout(r, 2_100));
      const forced = await signIn(w, browser, w.appA, `${APP_A}/callback`, user, { prompt: 'login' });
      expect(forced.pages).toBe(1);
      expect(forced.loginFlow).toMatchObject({ refresh: true });
      expect(forced.loginFlow?.returnTo).toMatch(new RegExp(`^${w.stack.hubUrl}/interaction/`));
      expect(forced.claims.auth_time).toBeGreaterThan(first.claims.auth_time as number);

      await new Promise((r) => setTimeout(r, 2_100));
      const aged = await signIn(w, browser, w.shopB, `${SHOP_B}/auth/callback`, user, { max_age: '1' });
      expect(aged.pages).toBe(1);
      expect(aged.loginFlow).toMatchObject({ refresh: true });
      expect(aged.claims.auth_time).toBeGreaterThan(forced.claims.auth_time as number);
      expect(aged.claims.sub).toBe(user.id);
    });

    it('asks for consent for a third-party app: approve remembers the grant, deny ends in access_denied', async () => {
      const user = await createUser(w.stack.kratos.adminUrl, 'consent');
      const browser = new HttpSession();
      await signIn(w, browser, w.appA, `${APP_A}/callback`, user);
      const req = await authorizationRequest(w.partnerC, `${PARTNER_C}/cb`);
      const consent = await walk(browser, req.url, CALLBACKS);
      expect(consent.kind).toBe('page');
      const page = (consent as { res: { status: number; body: string; url: URL } }).res;
      expect(page.status).toBe(200);
      expect(page.body).toContain('data-testid="consent/client">Partner C<');
      expect(page.body).toContain('See your email address');
      const approved = await walk(browser, `${page.url.href}/consent`, CALLBACKS, { method: 'POST', form: { decision: 'approve' } });
      expect(approved.kind).toBe('callback');
      const tokens = await oidc.authorizationCodeGrant(w.partnerC, (approved as { url: URL }).url, { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce });
      expect(tokens.claims()).toMatchObject({ aud: 'partner-c', sub: user.id });

      const again = await signIn(w, browser, w.partnerC, `${PARTNER_C}/cb`, undefined);
      expect(again.pages).toBe(0);

      const other = await createUser(w.stack.kratos.adminUrl, 'deny');
      const browser2 = new HttpSession();
      await signIn(w, browser2, w.appA, `${APP_A}/callback`, other);
      const req2 = await authorizationRequest(w.partnerC, `${PARTNER_C}/cb`);
      const consent2 = await walk(browser2, req2.url, CALLBACKS);
      expect(consent2.kind).toBe('page');
      const denied = await walk(browser2, `${(consent2 as { res: { url: URL } }).res.url.href}/consent`, CALLBACKS, { method: 'POST', form: { decision: 'deny' } });
      expect(denied.kind).toBe('callback');
      expect((denied as { url: URL }).url.searchParams.get('error')).toBe('access_denied');
      expect((denied as { url: URL }).url.searchParams.get('state')).toBe(req2.state);
    });

    it('ends the provider session when its Kratos session is revoked through the Kratos admin API', async () => {
      const user = await createUser(w.stack.kratos.adminUrl, 'revoked');
      const browser = new HttpSession();
      const a = await signIn(w, browser, w.appA, `${APP_A}/callback`, user);
      const b = await signIn(w, browser, w.shopB, `${SHOP_B}/auth/callback`, undefined);
      const kratosSessionId = await whoamiId(w, browser);
      const bindings = await w.stack.hub.ctx.bridge!.listBindings(user.id);
      expect(bindings).toHaveLength(1);
      expect(bindings[0]).toMatchObject({ kratosSessionId, accountId: user.id });
      expect(bindings[0]!.clients.map((c) => c.clientId).sort()).toEqual(['app-a', 'shop-b']);

      const del = await fetch(`${w.stack.kratos.adminUrl}/admin/sessions/${kratosSessionId}`, { method: 'DELETE' });
      expect(del.status).toBe(204);

      // Session-bound tokens stop working at once, before the browser comes back.
      await expect(oidc.fetchUserInfo(w.appA, a.tokens.access_token, user.id)).rejects.toThrow();
      await expect(oidc.refreshTokenGrant(w.shopB, b.tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });

      const req = await authorizationRequest(w.appA, `${APP_A}/callback`);
      const end = await walk(browser, req.url, CALLBACKS);
      expect(end.kind).toBe('login');
      // The stale provider session was ended, and with it both apps' sessions (back-channel).
      await waitForLogoutToken(w.bcA, a.claims.sid as string);
      await waitForLogoutToken(w.bcB, b.claims.sid as string);
      expect(await w.stack.hub.ctx.bridge!.listBindings(user.id)).toEqual([]);
    });

    it('logs out globally: back-channel logout at both apps (one after a retry), Kratos session revoked', async () => {
      const user = await createUser(w.stack.kratos.adminUrl, 'logout');
      const browser = new HttpSession();
      const a = await signIn(w, browser, w.appA, `${APP_A}/callback`, user);
      const b = await signIn(w, browser, w.shopB, `${SHOP_B}/auth/callback`, undefined);
      const kratosSessionId = await whoamiId(w, browser);
      w.bcB.failFirst.push(503);

      // The app's id_token_hint is for this browser's session: the user chose "everywhere" at the
      // app, and the hub does not ask a second time (issue #20); straight back to the app.
      const state = oidc.randomState();
      const endUrl = oidc.buildEndSessionUrl(w.appA, { id_token_hint: a.tokens.id_token!, post_logout_redirect_uri: `${APP_A}/signed-out`, state });
      const done = await walk(browser, endUrl, CALLBACKS);
      expect(done.kind).toBe('callback');
      expect(done.chain.map((u) => u.pathname)).toEqual(['/oidc/session/end', '/signed-out']);
      const back = (done as { url: URL }).url;
      expect(back.origin + back.pathname).toBe(`${APP_A}/signed-out`);
      expect(back.searchParams.get('state')).toBe(state);

      const jwks = createRemoteJWKSet(new URL(w.appA.serverMetadata().jwks_uri!));
      const tokenA = await waitForLogoutToken(w.bcA, a.claims.sid as string);
      const tokenB = await waitForLogoutToken(w.bcB, b.claims.sid as string);
      for (const [token, aud, sid] of [[tokenA, 'app-a', a.claims.sid], [tokenB, 'shop-b', b.claims.sid]] as const) {
        const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer: w.issuer, audience: aud, typ: 'logout+jwt', maxTokenAge: '2 minutes', requiredClaims: ['iat', 'jti', 'events', 'sid', 'sub'] });
        expect(protectedHeader.alg).toBe('RS256');
        expect(payload).toMatchObject({ sub: user.id, sid, events: { 'http://schemas.openid.net/event/backchannel-logout': {} } });
        expect(payload.nonce).toBeUndefined();
      }
      const kratosSession = (await (await fetch(`${w.stack.kratos.adminUrl}/admin/sessions/${kratosSessionId}`)).json()) as { active: boolean };
      expect(kratosSession.active).toBe(false);

      const audit = await w.stack.hub.ctx.audit.tail({ count: 500 });
      const forB = audit.filter((e) => e.type.startsWith('bridge.backchannel.') && e.clientId === 'shop-b' && e.subject === user.id);
      expect(forB.map((e) => `${e.type}#${e.attempt}`)).toEqual(['bridge.backchannel.failed#1', 'bridge.backchannel.delivered#2']);
      expect(JSON.stringify(audit)).not.toContain(tokenA);

      const req = await authorizationRequest(w.appA, `${APP_A}/callback`);
      expect((await walk(browser, req.url, CALLBACKS)).kind).toBe('login');
    });

    describe('RP-initiated logout asks the user unless the app proves this very session (#20)', () => {
      async function confirmPage(browser: HttpSession, endUrl: URL): Promise<{ action: string; xsrf: string }> {
        const confirm = await walk(browser, endUrl, CALLBACKS);
        expect(confirm.kind).toBe('page');
        const page = (confirm as { res: { status: number; body: string } }).res;
        expect(page.status).toBe(200);
        expect(page.body).toContain('data-testid="logout/everywhere"');
        expect(page.body).not.toContain('<script');
        const action = /<form method="post" action="([^"]+)"/.exec(page.body)?.[1];
        const xsrf = /name="xsrf" value="([^"]+)"/.exec(page.body)?.[1];
        expect(action && xsrf).toBeTruthy();
        return { action: action!.replaceAll('&amp;', '&'), xsrf: xsrf! };
      }
      const signedIn = async (browser: HttpSession) => (await browser.request(`${w.stack.hubUrl}/sessions/whoami`, { headers: { accept: 'application/json' } })).status === 200;

      it('no id_token_hint: the confirmation form, nobody signed out until it is posted', async () => {
        const user = await createUser(w.stack.kratos.adminUrl, 'logoutnohint');
        const browser = new HttpSession();
        await signIn(w, browser, w.appA, `${APP_A}/callback`, user);
        const endUrl = oidc.buildEndSessionUrl(w.appA, { post_logout_redirect_uri: `${APP_A}/signed-out` });
        expect(endUrl.searchParams.get('id_token_hint')).toBeNull();
        const { action, xsrf } = await confirmPage(browser, endUrl);
        expect(await signedIn(browser)).toBe(true);
        const done = await walk(browser, new URL(action, w.stack.hubUrl), CALLBACKS, { method: 'POST', form: { xsrf, logout: 'yes' } });
        expect(done.kind).toBe('callback');
        expect(await signedIn(browser)).toBe(false);
      });

      it('an id_token_hint of another session of the same user and app: the confirmation form', async () => {
        const user = await createUser(w.stack.kratos.adminUrl, 'logoutother');
        const elsewhere = new HttpSession();
        const other = await signIn(w, elsewhere, w.appA, `${APP_A}/callback`, user);
        const browser = new HttpSession();
        await signIn(w, browser, w.appA, `${APP_A}/callback`, user);
        const endUrl = oidc.buildEndSessionUrl(w.appA, { id_token_hint: other.tokens.id_token!, post_logout_redirect_uri: `${APP_A}/signed-out` });
        await confirmPage(browser, endUrl);
        expect(await signedIn(browser)).toBe(true);
        expect(await signedIn(elsewhere)).toBe(true);
      });

      it('a tampered id_token_hint: refused, nobody signed out', async () => {
        const user = await createUser(w.stack.kratos.adminUrl, 'logouttamper');
        const browser = new HttpSession();
        const a = await signIn(w, browser, w.appA, `${APP_A}/callback`, user);
        const [header, payload] = a.tokens.id_token!.split('.');
        const forged = `${header}.${payload}.${Buffer.from('not the hub signature').toString('base64url')}`;
        const res = await browser.request(oidc.buildEndSessionUrl(w.appA, { id_token_hint: forged, post_logout_redirect_uri: `${APP_A}/signed-out` }), { follow: false });
        expect(res.status).toBe(400);
        expect(res.body).toContain('We could not sign you out');
        expect(await signedIn(browser)).toBe(true);
      });
    });

    it('ends everything bound to a Kratos session when the hub itself ends it (login-domain logout, admin revoke)', async () => {
      const user = await createUser(w.stack.kratos.adminUrl, 'hublogout');
      const browser = new HttpSession();
      const a = await signIn(w, browser, w.appA, `${APP_A}/callback`, user);
      const kratosSessionId = await whoamiId(w, browser);
      await w.stack.hub.ctx.bridge!.endKratosSession(kratosSessionId, 'admin_revoke');
      const token = await waitForLogoutToken(w.bcA, a.claims.sid as string);
      expect(decodeJwt(token).sub).toBe(user.id);
      const whoami = await browser.request(`${w.stack.hubUrl}/sessions/whoami`, { headers: { accept: 'application/json' } });
      expect(whoami.status).toBe(401);
      await expect(oidc.refreshTokenGrant(w.appA, a.tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
      expect(await w.stack.hub.ctx.bridge!.listBindings(user.id)).toEqual([]);
    });

    describe('bad requests get the right OAuth error and never a server error', () => {
      let user: TestUser;
      let browser: HttpSession;
      beforeAll(async () => {
        user = await createUser(w.stack.kratos.adminUrl, 'bad');
        browser = new HttpSession();
        await signIn(w, browser, w.appA, `${APP_A}/callback`, user);
      });

      const authUrl = (params: Record<string, string>) => {
        const u = new URL(w.appA.serverMetadata().authorization_endpoint!);
        for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
        return u;
      };
      const base = { response_type: 'code', scope: 'openid', state: 'st-1', nonce: 'n-1' };
      const challenge = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

      it('case=unknown client: an error page, no redirect', async () => {
        const res = await browser.request(authUrl({ ...base, client_id: 'nobody', redirect_uri: `${APP_A}/callback`, code_challenge: challenge, code_challenge_method: 'S256' }), { follow: false });
        expect(res.status).toBe(400);
        expect(res.headers.get('location')).toBeNull();
        expect(res.body).toContain('data-code="invalid_client"');
      });

      it('case=unregistered redirect URI: an error page, no redirect', async () => {
        for (const redirect of ['https://evil.example/callback', `${APP_A}/callback/extra`, `${APP_A}/callback?x=1`]) {
          const res = await browser.request(authUrl({ ...base, client_id: 'app-a', redirect_uri: redirect, code_challenge: challenge, code_challenge_method: 'S256' }), { follow: false });
          expect(res.status).toBe(400);
          expect(res.headers.get('location')).toBeNull();
          expect(res.body).toContain('data-code="invalid_redirect_uri"');
        }
      });

      it('case=missing or plain PKCE: invalid_request back at the client', async () => {
        const cases: Record<string, string>[] = [{}, { code_challenge: challenge, code_challenge_method: 'plain' }, { code_challenge: challenge }];
        for (const pkce of cases) {
          const end = await walk(browser, authUrl({ ...base, client_id: 'app-a', redirect_uri: `${APP_A}/callback`, ...pkce }), CALLBACKS);
          expect(end.kind).toBe('callback');
          const cb = (end as { url: URL }).url;
          expect(cb.searchParams.get('error')).toBe('invalid_request');
          expect(cb.searchParams.get('error_description')).toMatch(/PKCE|code_challenge/);
        }
      });

      it('case=wrong client secret: invalid_client', async () => {
        const res = await tokenCall(w, { grant_type: 'authorization_code', code: 'whatever', redirect_uri: `${APP_A}/callback`, code_verifier: 'x'.repeat(43) }, 'app-a', 'not-the-secret-0123456789abcdefghijkl');
        expect(res.status).toBe(401);
        expect(res.body.error).toBe('invalid_client');
      });

      it('case=reused code: invalid_grant, and the tokens issued from it are revoked', async () => {
        const req = await authorizationRequest(w.appA, `${APP_A}/callback`);
        const end = (await walk(browser, req.url, CALLBACKS)) as { url: URL };
        const code = end.url.searchParams.get('code')!;
        const params = { grant_type: 'authorization_code', code, redirect_uri: `${APP_A}/callback`, code_verifier: req.verifier };
        const first = await tokenCall(w, params, 'app-a', SECRET_A);
        expect(first.status).toBe(200);
        const before = await introspect(w, first.body.access_token as string);
        expect(before.active).toBe(true);
        const second = await tokenCall(w, params, 'app-a', SECRET_A);
        expect(second.status).toBe(400);
        expect(second.body.error).toBe('invalid_grant');
        expect((await introspect(w, first.body.access_token as string)).active).toBe(false);
        expect((await tokenCall(w, { grant_type: 'refresh_token', refresh_token: first.body.refresh_token as string }, 'app-a', SECRET_A)).body.error).toBe('invalid_grant');
      });

      it('case=wrong PKCE verifier: invalid_grant', async () => {
        const req = await authorizationRequest(w.appA, `${APP_A}/callback`);
        const end = (await walk(browser, req.url, CALLBACKS)) as { url: URL };
        const res = await tokenCall(w, { grant_type: 'authorization_code', code: end.url.searchParams.get('code')!, redirect_uri: `${APP_A}/callback`, code_verifier: oidc.randomPKCECodeVerifier() }, 'app-a', SECRET_A);
        expect(res.status).toBe(400);
        expect(res.body.error).toBe('invalid_grant');
      });

      it('case=expired code: invalid_grant', async () => {
        const short = await w.stack.startInstance({ bridge: { ttl: { authorizationCode: 1 } } as never });
        const other = new HttpSession();
        const someone = await createUser(w.stack.kratos.adminUrl, 'expired');
        // Sign in to Kratos through the main instance, then ask the short-lived-code instance.
        await signIn(w, other, w.appA, `${APP_A}/callback`, someone);
        const req = await authorizationRequest(w.appA, `${APP_A}/callback`);
        const url = new URL(req.url);
        const shortUrl = new URL(short.url);
        url.port = shortUrl.port;
        const end = (await walk(other, url, CALLBACKS)) as { kind: string; url: URL };
        expect(end.kind).toBe('callback');
        await new Promise((r) => setTimeout(r, 2_200));
        const res = await tokenCall(w, { grant_type: 'authorization_code', code: end.url.searchParams.get('code')!, redirect_uri: `${APP_A}/callback`, code_verifier: req.verifier }, 'app-a', SECRET_A, `${short.url}/oidc/token`);
        expect(res.status).toBe(400);
        expect(res.body.error).toBe('invalid_grant');
      });

      it('case=refresh token reused after rotation: invalid_grant, and the rotated one dies too', async () => {
        const s = await signIn(w, browser, w.appA, `${APP_A}/callback`, undefined);
        const old = s.tokens.refresh_token!;
        const calls = countKratosCalls(w);
        const rotated = await oidc.refreshTokenGrant(w.appA, old);
        // One Kratos call per refresh: the bound session, with its identity, from the admin API.
        expect(calls()).toEqual({ whoami: 0, whoamiOrPending: 0, getSession: 1, getIdentity: 0 });
        expect(rotated.refresh_token).toBeTruthy();
        expect(rotated.refresh_token).not.toBe(old);
        const reuse = await tokenCall(w, { grant_type: 'refresh_token', refresh_token: old }, 'app-a', SECRET_A);
        expect(reuse.status).toBe(400);
        expect(reuse.body.error).toBe('invalid_grant');
        const after = await tokenCall(w, { grant_type: 'refresh_token', refresh_token: rotated.refresh_token! }, 'app-a', SECRET_A);
        expect(after.body.error).toBe('invalid_grant');
      });

      it('case=unregistered post_logout_redirect_uri: refused, nobody signed out', async () => {
        const s = await signIn(w, browser, w.appA, `${APP_A}/callback`, undefined);
        const endUrl = oidc.buildEndSessionUrl(w.appA, { id_token_hint: s.tokens.id_token!, post_logout_redirect_uri: 'https://evil.example/' });
        const res = await browser.request(endUrl, { follow: false });
        expect(res.status).toBe(400);
        expect(res.body).toContain('data-code="invalid_request"');
        expect((await browser.request(`${w.stack.hubUrl}/sessions/whoami`, { headers: { accept: 'application/json' } })).status).toBe(200);
      });
    });
  });
}

async function whoamiId(w: BridgeWorld, browser: HttpSession): Promise<string> {
  const res = await browser.request(`${w.stack.hubUrl}/sessions/whoami`, { headers: { accept: 'application/json' } });
  if (res.status !== 200) throw new Error(`expected a Kratos session, whoami answered ${res.status}`);
  return (JSON.parse(res.body) as { id: string }).id;
}

async function waitForLogoutToken(receiver: BackchannelReceiver, sid: string): Promise<string> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const token = receiver.tokens.find((t) => decodeJwt(t).sid === sid);
    if (token) return token;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no back-channel logout token for sid ${sid} at ${receiver.uri} (attempts: ${receiver.attempts})`);
}

async function tokenCall(w: BridgeWorld, params: Record<string, string>, clientId: string, secret: string, endpoint?: string) {
  const res = await fetch(endpoint ?? w.appA.serverMetadata().token_endpoint!, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${btoa(`${clientId}:${secret}`)}` },
    body: new URLSearchParams(params),
  });
  expect(res.status).toBeLessThan(500);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function introspect(w: BridgeWorld, token: string): Promise<{ active: boolean }> {
  const res = await oidc.tokenIntrospection(w.appA, token);
  return res as { active: boolean };
}
