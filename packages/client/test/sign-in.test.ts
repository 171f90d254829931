import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSsoClientError, type SsoClient } from '../src/index.ts';
import { cookieHeader, makeClient, signIn } from './helpers/test-client.ts';
import { forgetBrowser, startTestHub, type TestHub } from './helpers/test-hub.ts';

let hub: TestHub;
let client: SsoClient;

beforeAll(async () => {
  hub = await startTestHub();
  client = await makeClient(hub);
});
afterAll(() => hub.close());

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    if (isSsoClientError(err)) return `${err.status} ${err.code}`;
    throw err;
  }
  throw new Error('expected a failure');
}

describe('sign-in round trip', () => {
  it('creates a new local session with claims, sid and tokens, and clears the transaction cookie', async () => {
    hub.next = { accountId: 'alice' };
    const { session, returnTo, setCookies, cookie } = await signIn(hub, client, '/orders?id=7');
    expect(returnTo).toBe('/orders?id=7');
    expect(session.claims).toMatchObject({ sub: 'alice', email: 'alice@example.test', name: 'User alice', acr: 'aal1', amr: ['pwd'] });
    expect(typeof session.claims.auth_time).toBe('number');
    expect(session.sid).toMatch(/.+/);
    expect(session.tokens.refreshToken).toBeTruthy();
    expect(session.tokens.idToken.split('.')).toHaveLength(3);
    expect(setCookies.find((c) => c.startsWith(`${client.transactionCookieName}=;`))).toMatch(/Max-Age=0/);
    const loaded = await client.loadSession(cookie);
    expect(loaded?.id).toBe(session.id);
    // The cookie carries a random secret, never a token, and the store key is its digest.
    const value = cookie.split('; ').find((c) => c.startsWith(`${client.sessionCookieName}=`))!.split('=')[1]!;
    expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(value).not.toBe(session.id);
    expect(cookie).not.toContain(session.tokens.accessToken);
  });

  it('gives every sign-in a new session id, even for the same user and browser', async () => {
    const first = await signIn(hub, client);
    const second = await client.beginSignIn({});
    const callback = await hub.authorize(second.url);
    const tx = cookieHeader([second.setCookie], first.cookie);
    const result = await client.completeSignIn(callback.pathname + callback.search, tx);
    expect(result.session.id).not.toBe(first.session.id);
    // The session this browser had before is ended, not left behind.
    expect(await client.loadSession(first.cookie)).toBeUndefined();
  });

  it('refuses a returnTo that leaves the site (no open redirect)', async () => {
    for (const bad of ['https://evil.example/', '//evil.example', '/\\evil.example', 'javascript:alert(1)', 'orders', '/.//evil.example', '/%2e//evil.example', '/a/..//evil.example']) {
      expect(await codeOf(client.beginSignIn({ returnTo: bad }))).toBe('400 SSOHUB_CLIENT_ERR_RETURN_TO_REFUSED');
    }
  });

  it('asks for PKCE S256, state and nonce', async () => {
    const { url } = await client.beginSignIn({});
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get('state')).toBeTruthy();
    expect(url.searchParams.get('nonce')).toBeTruthy();
    expect(url.searchParams.get('redirect_uri')).toBe('http://app-a.localhost/auth/callback');
  });
});

describe('callback checks', () => {
  it('asks the hub for the app’s languages (ui_locales), and refuses what is not a list of language tags', async () => {
    const { url } = await client.beginSignIn({ uiLocales: 'de-CH de en' });
    expect(url.searchParams.get('ui_locales')).toBe('de-CH de en');
    expect((await client.beginSignIn({})).url.searchParams.has('ui_locales')).toBe(false);
    for (const bad of ['', 'de,fr', 'de  fr', 'de&prompt=none', '<script>', 'a b c d e f g h i j k']) {
      expect(await codeOf(client.beginSignIn({ uiLocales: bad })), bad).toBe('400 SSOHUB_CLIENT_ERR_AUTHORIZATION_ERROR');
    }
  });

  it('refuses a tampered state', async () => {
    const start = await client.beginSignIn({});
    const callback = await hub.authorize(start.url);
    callback.searchParams.set('state', `${callback.searchParams.get('state')}x`);
    expect(await codeOf(client.completeSignIn(callback.pathname + callback.search, cookieHeader([start.setCookie])))).toBe('400 SSOHUB_CLIENT_ERR_STATE_MISMATCH');
  });

  it('refuses a tampered transaction cookie', async () => {
    const start = await client.beginSignIn({});
    const callback = await hub.authorize(start.url);
    const header = cookieHeader([start.setCookie]);
    const tampered = header.replace(/=([A-Za-z0-9_-])/, (_m, c: string) => `=${c === 'a' ? 'b' : 'a'}`);
    expect(await codeOf(client.completeSignIn(callback.pathname + callback.search, tampered))).toBe('400 SSOHUB_CLIENT_ERR_TRANSACTION_INVALID');
  });

  it('refuses a callback without a pending sign-in', async () => {
    const start = await client.beginSignIn({});
    const callback = await hub.authorize(start.url);
    expect(await codeOf(client.completeSignIn(callback.pathname + callback.search, undefined))).toBe('400 SSOHUB_CLIENT_ERR_NO_PENDING_SIGN_IN');
    expect(await codeOf(client.completeSignIn('/auth/callback', 'other=1'))).toBe('400 SSOHUB_CLIENT_ERR_NO_PENDING_SIGN_IN');
  });

  it('refuses a replayed callback: without the cleared cookie, and with a copy of the old cookie', async () => {
    const { callback, txCookie, setCookies } = await signIn(hub, client);
    const replay = callback.pathname + callback.search;
    // A browser that replays the URL no longer has the transaction cookie (cleared by the response).
    expect(await codeOf(client.completeSignIn(replay, cookieHeader(setCookies, txCookie)))).toBe('400 SSOHUB_CLIENT_ERR_NO_PENDING_SIGN_IN');
    // Someone who kept a copy of the cookie is stopped before the code reaches the hub again.
    expect(await codeOf(client.completeSignIn(replay, txCookie))).toBe('400 SSOHUB_CLIENT_ERR_CALLBACK_REPLAYED');
  });

  it('a reused code is refused by the hub even from another client instance (store not shared)', async () => {
    const { callback, txCookie } = await signIn(hub, client);
    const other = await makeClient(hub);
    expect(await codeOf(other.completeSignIn(callback.pathname + callback.search, txCookie))).toBe('400 SSOHUB_CLIENT_ERR_CODE_REJECTED');
  });

  it('refuses a callback whose iss is missing or another issuer (RFC 9207)', async () => {
    for (const iss of ['http://127.0.0.1:1', null]) {
      const start = await client.beginSignIn({});
      const callback = await hub.authorize(start.url);
      if (iss) callback.searchParams.set('iss', iss);
      else callback.searchParams.delete('iss');
      expect(await codeOf(client.completeSignIn(callback.pathname + callback.search, cookieHeader([start.setCookie])))).toBe('400 SSOHUB_CLIENT_ERR_ISSUER_MISMATCH');
    }
  });

  it('rebuilds the callback URL from the configured base URL, ignoring any host in the input', async () => {
    const start = await client.beginSignIn({});
    const callback = await hub.authorize(start.url);
    const spoofed = `http://evil.example${callback.pathname}${callback.search}`;
    const result = await client.completeSignIn(spoofed, cookieHeader([start.setCookie]));
    expect(result.session.claims.sub).toBe('alice');
  });

  it('reports an OAuth error from the hub clearly', async () => {
    const start = await client.beginSignIn({});
    const state = start.url.searchParams.get('state')!;
    const url = `/auth/callback?error=access_denied&state=${state}&iss=${encodeURIComponent(hub.issuer)}`;
    expect(await codeOf(client.completeSignIn(url, cookieHeader([start.setCookie])))).toBe('400 SSOHUB_CLIENT_ERR_AUTHORIZATION_ERROR');
  });

  it('tells the user where to add a second factor when the hub cannot reach the asked level', async () => {
    const start = await client.beginSignIn({ acrValues: 'aal2' });
    const state = start.url.searchParams.get('state')!;
    const url = `/auth/callback?error=unmet_authentication_requirements&state=${state}&iss=${encodeURIComponent(hub.issuer)}`;
    const err = await client.completeSignIn(url, cookieHeader([start.setCookie])).catch((e: Error) => e);
    expect((err as Error).message).toBe(`this page needs a second factor: set up an authenticator app at ${new URL('/settings', hub.issuer).href}, then try again`);
  });

  it('refuses a transaction cookie of another client (apps sharing a secret)', async () => {
    const shop = await makeClient(hub, { clientId: 'shop-b', cookieName: 'ssohub-app' });
    const app = await makeClient(hub, { cookieName: 'ssohub-app' });
    const start = await shop.beginSignIn({});
    const callback = await hub.authorize(start.url);
    expect(await codeOf(app.completeSignIn(callback.pathname + callback.search, cookieHeader([start.setCookie])))).toBe('400 SSOHUB_CLIENT_ERR_TRANSACTION_INVALID');
  });
});

describe('step-up', () => {
  it('asks for acr_values and records the higher acr', async () => {
    const start = await client.beginSignIn({ acrValues: 'aal2' });
    expect(start.url.searchParams.get('acr_values')).toBe('aal2');
    const callback = await hub.authorize(start.url);
    const { session } = await client.completeSignIn(callback.pathname + callback.search, cookieHeader([start.setCookie]));
    expect(session.claims.acr).toBe('aal2');
    expect(client.checkAccess(session, { acr: 'aal2' })).toEqual({ allow: true });
  });

  it('refuses a sign-in that did not reach the requested level (no redirect loop)', async () => {
    forgetBrowser(hub.issuer);
    hub.enforceAcrValues = false;
    hub.next = { accountId: 'alice', acr: 'aal1' };
    try {
      const start = await client.beginSignIn({ acrValues: 'aal2' });
      const callback = await hub.authorize(start.url);
      expect(await codeOf(client.completeSignIn(callback.pathname + callback.search, cookieHeader([start.setCookie])))).toBe('403 SSOHUB_CLIENT_ERR_AUTHORIZATION_ERROR');
    } finally {
      hub.enforceAcrValues = true;
      hub.next = { accountId: 'alice' };
    }
  });

  it('decides access: none, session required, step-up', async () => {
    forgetBrowser(hub.issuer);
    const { session } = await signIn(hub, client);
    expect(client.checkAccess(undefined, { required: true })).toEqual({ allow: false, reason: 'session_required' });
    expect(client.checkAccess(session, { required: true })).toEqual({ allow: true });
    expect(client.checkAccess(session, { acr: 'aal2' })).toEqual({ allow: false, reason: 'step_up', acr: 'aal2' });
    expect(client.checkAccess(undefined, undefined)).toEqual({ allow: true });
  });
});
