import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createAccessTokenVerifier,
  createSsoClient,
  isSsoClientError,
  MemorySessionStore,
  type SsoClient,
  ssoApiExpress,
  ssoApiFastify,
  ssoFastify,
} from '../src/index.ts';
import { COOKIE_SECRET, makeClient, signIn } from './helpers/test-client.ts';
import { CLIENT_SECRETS, forgetBrowser, startTestHub, type TestHub } from './helpers/test-hub.ts';
import { closedPort, type StandInHub, startStandInHub } from './helpers/stand-in-introspection.ts';

/** The verdict of verify(): 'ok', or the HTTP status of the SsoClientError it rejected with. */
async function outcome(promise: Promise<unknown>): Promise<'ok' | number> {
  try {
    await promise;
    return 'ok';
  } catch (err) {
    if (isSsoClientError(err)) return err.status;
    throw err;
  }
}

const now = () => Math.floor(Date.now() / 1000);
const goodAnswer = (over: Record<string, unknown> = {}) => ({
  json: { active: true, token_type: 'Bearer', client_id: 'app-a', sub: 'alice', scope: 'openid email', exp: now() + 600, iat: now(), ...over },
});

describe('access tokens at the real provider (oidc-provider test hub)', () => {
  let hub: TestHub;
  let appA: SsoClient;
  let shopB: SsoClient;
  beforeAll(async () => {
    hub = await startTestHub();
    appA = await makeClient(hub);
    shopB = await makeClient(hub, { clientId: 'shop-b' });
  });
  afterAll(() => hub.close());

  it("accepts this app's access token; refuses its refresh token, its ID token, JWT-shaped garbage and another client's token with 401", async () => {
    forgetBrowser(hub.issuer);
    const { session } = await signIn(hub, appA);
    const other = (await signIn(hub, shopB)).session;
    const verifier = createAccessTokenVerifier(appA, { cacheTtl: 0, refusalCacheTtl: 0 });
    const token = await verifier.verify(session.tokens.accessToken);
    expect(token).toMatchObject({ sub: 'alice', clientId: 'app-a', scopes: expect.arrayContaining(['openid', 'email']) });
    expect(token.exp).toBeGreaterThan(now());
    expect(token.introspection.token_type).toBe('Bearer');

    expect(session.tokens.refreshToken).toBeTruthy();
    const refusals = {
      'refresh token': session.tokens.refreshToken!,
      'ID token': session.tokens.idToken,
      'JWT-shaped garbage': 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl',
      "shop-b's access token": other.tokens.accessToken,
      "shop-b's refresh token": other.tokens.refreshToken!,
      'unknown opaque token': 'x'.repeat(43),
    };
    for (const [kind, bearer] of Object.entries(refusals)) {
      await expect(verifier.verify(bearer), kind).rejects.toMatchObject({ code: 'SSOHUB_CLIENT_ERR_ACCESS_TOKEN_INVALID', status: 401 });
    }
    await expect(verifier.verify(session.tokens.refreshToken!)).rejects.toThrow('access token refused: not an access token');
    await expect(verifier.verify(session.tokens.idToken)).rejects.toThrow('unsupported_token_type');
  });

  it('ssoApiFastify guards config.ssoApi routes only, next to ssoFastify', async () => {
    const { session } = await signIn(hub, appA);
    const app: FastifyInstance = Fastify();
    await app.register(ssoFastify, { client: appA });
    await app.register(ssoApiFastify, { client: appA });
    app.get('/api/me', { config: { ssoApi: true } }, async (request) => ({ sub: request.ssoApiToken!.sub }));
    app.get('/open', async (request) => ({ token: request.ssoApiToken }));
    const me = (authorization?: string) => app.inject({ url: '/api/me', headers: authorization ? { authorization } : {} });

    const ok = await me(`Bearer ${session.tokens.accessToken}`);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ sub: 'alice' });

    const refresh = await me(`Bearer ${session.tokens.refreshToken}`);
    expect(refresh.statusCode).toBe(401);
    expect(refresh.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    expect(refresh.headers['cache-control']).toBe('no-store');
    expect(refresh.json()).toEqual({ error: 'invalid_token', error_description: 'access token refused: not an access token' });

    const id = await me(`Bearer ${session.tokens.idToken}`);
    expect(id.statusCode).toBe(401);
    expect(id.headers['www-authenticate']).toBe('Bearer error="invalid_token"');

    const missing = await me();
    expect(missing.statusCode).toBe(401);
    expect(missing.headers['www-authenticate']).toBe('Bearer');
    expect((await me(`Basic ${Buffer.from('a:b').toString('base64')}`)).statusCode).toBe(401);
    expect((await me(`Bearer ${session.tokens.accessToken} extra`)).statusCode).toBe(401);
    expect((await app.inject({ url: '/open' })).json()).toEqual({ token: null });
    await app.close();
  });

  it('ssoApiExpress lets only this app’s access token through and sets req.ssoApiToken', async () => {
    const { session } = await signIn(hub, appA);
    const api = ssoApiExpress(appA);
    const app = express();
    app.get('/api/me', api, (req, res) => {
      res.json({ sub: req.ssoApiToken!.sub, scopes: req.ssoApiToken!.scopes });
    });
    const server: Server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const get = (token: string) => fetch(`${base}/api/me`, { headers: { authorization: `Bearer ${token}` } });
      const ok = await get(session.tokens.accessToken);
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({ sub: 'alice' });
      for (const bad of [session.tokens.refreshToken!, session.tokens.idToken]) {
        const res = await get(bad);
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
        expect(await res.json()).toMatchObject({ error: 'invalid_token' });
      }
      expect((await fetch(`${base}/api/me`)).status).toBe(401);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('refuses to build for a public client (it cannot introspect)', async () => {
    const open = await makeClient(hub, { clientSecret: undefined, tokenEndpointAuthMethod: 'none' });
    expect(() => createAccessTokenVerifier(open)).toThrow(/confidential client/);
    expect(() => createAccessTokenVerifier({} as SsoClient)).toThrow(TypeError);
  });
});

describe('the introspection answer, and a hub that fails (stand-in hub)', () => {
  let hub: StandInHub;
  let client: SsoClient;
  const makeStandInClient = (issuer: string) =>
    createSsoClient({
      issuer,
      clientId: 'app-a',
      clientSecret: CLIENT_SECRETS['app-a'],
      baseUrl: 'http://app-a.localhost',
      secrets: [COOKIE_SECRET],
      store: new MemorySessionStore({ clientId: 'app-a', warn: () => {} }),
      warn: () => {},
    });

  beforeAll(async () => {
    hub = await startStandInHub();
    client = await makeStandInClient(hub.issuer);
  });
  afterAll(() => hub.close());
  afterEach(() => {
    vi.useRealTimers();
    hub.calls.length = 0;
    hub.answer = () => ({ json: { active: false } });
  });

  it("introspects with this app's credentials and an access_token hint", async () => {
    hub.answer = () => goodAnswer({ sid: 'hub-sid-1' });
    const token = await createAccessTokenVerifier(client).verify('opaque-access-token');
    expect(token).toMatchObject({ sub: 'alice', clientId: 'app-a', scopes: ['openid', 'email'], sid: 'hub-sid-1' });
    expect(hub.calls).toHaveLength(1);
    expect(hub.calls[0]).toMatchObject({ token: 'opaque-access-token', tokenTypeHint: 'access_token' });
    // client_secret_basic: form-encoded id and secret (RFC 6749 §2.3.1), base64.
    const basic = Buffer.from(hub.calls[0]!.authorization!.replace(/^Basic /, ''), 'base64').toString('utf8');
    expect(basic.split(':').map(decodeURIComponent)).toEqual(['app-a', CLIENT_SECRETS['app-a']]);
  });

  it('refuses (401) an active answer that is not a live Bearer access token of this app', async () => {
    const cases: [string, Record<string, unknown>][] = [
      ['refresh token (no token_type)', { token_type: undefined }],
      ['token_type refresh_token', { token_type: 'refresh_token' }],
      ['DPoP-bound token', { token_type: 'DPoP', cnf: { jkt: 'x' } }],
      ['sender-constrained Bearer', { cnf: { 'x5t#S256': 'x' } }],
      ["another client's token", { client_id: 'shop-b' }],
      ['another audience', { aud: ['shop-b'] }],
      ['another issuer', { iss: 'https://evil.example' }],
      ['no subject', { sub: undefined }],
      ['no expiry', { exp: undefined }],
      ['expired', { exp: now() - 1 }],
      ['inactive', { active: false }],
    ];
    const verifier = createAccessTokenVerifier(client, { cacheTtl: 0, refusalCacheTtl: 0 });
    for (const [kind, over] of cases) {
      hub.answer = () => goodAnswer(over);
      expect(await outcome(verifier.verify(`token-${kind.replace(/\W/g, '-')}`)), kind).toBe(401);
    }
    hub.answer = () => goodAnswer({ aud: ['app-a', 'other'], iss: hub.issuer, token_type: 'bearer' });
    expect(await outcome(verifier.verify('token-with-aud'))).toBe('ok');
  });

  it('an OAuth error about the token (unsupported_token_type, invalid_request) is 401, not an outage', async () => {
    const verifier = createAccessTokenVerifier(client, { cacheTtl: 0, refusalCacheTtl: 0 });
    for (const error of ['unsupported_token_type', 'invalid_request']) {
      hub.answer = () => ({ status: 400, json: { error, error_description: 'nope' } });
      expect(await outcome(verifier.verify('eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln')), error).toBe(401);
    }
  });

  it('malformed or oversized bearers are refused without asking the hub', async () => {
    const verifier = createAccessTokenVerifier(client);
    for (const bad of ['', 'has space', 'quote"d', 'ü-token', 'a'.repeat(4097)]) expect(await outcome(verifier.verify(bad)), bad).toBe(401);
    expect(hub.calls).toHaveLength(0);
  });

  it('a hub that answers 5xx, 429, non-JSON, or refuses the app’s own credentials is 503', async () => {
    const verifier = createAccessTokenVerifier(client, { cacheTtl: 0, refusalCacheTtl: 0 });
    const answers = {
      '500 server_error': { status: 500, json: { error: 'server_error' } },
      '503 temporarily_unavailable': { status: 503, json: { error: 'temporarily_unavailable' } },
      '502 html from a proxy': { status: 502, text: '<html>Bad Gateway</html>' },
      '429 rate limited': { status: 429, json: { error: 'slow_down' } },
      '200 not JSON': { status: 200, text: 'oops' },
      '401 invalid_client': { status: 401, json: { error: 'invalid_client' } },
      'dropped connection': 'drop' as const,
    };
    for (const [kind, answer] of Object.entries(answers)) {
      hub.answer = () => answer;
      const err = await verifier.verify('opaque-token').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isSsoClientError(err, 'SSOHUB_CLIENT_ERR_INTROSPECTION_UNAVAILABLE'), kind).toBe(true);
      expect((err as { status: number }).status, kind).toBe(503);
    }
  });

  it('an unreachable hub is 503, and the Fastify plugin answers temporarily_unavailable', async () => {
    const port = await closedPort();
    const elsewhere = await startStandInHub({ introspectionEndpoint: `http://127.0.0.1:${port}/token/introspection` });
    try {
      const unreachable = await makeStandInClient(elsewhere.issuer);
      expect(await outcome(createAccessTokenVerifier(unreachable).verify('opaque-token'))).toBe(503);
      const app = Fastify();
      await app.register(ssoApiFastify, { client: unreachable });
      app.get('/api/me', { config: { ssoApi: true } }, async () => ({ ok: true }));
      const res = await app.inject({ url: '/api/me', headers: { authorization: 'Bearer opaque-token' } });
      expect(res.statusCode).toBe(503);
      expect(res.headers['www-authenticate']).toBeUndefined();
      expect(res.json()).toEqual({ error: 'temporarily_unavailable', error_description: 'the hub could not check the access token' });
      await app.close();
    } finally {
      await elsewhere.close();
    }
  });

  it('an introspection that does not answer within `timeout` is 503', async () => {
    hub.answer = () => 'hang';
    const verifier = createAccessTokenVerifier(client, { timeout: 0.3 });
    const started = performance.now();
    expect(await outcome(verifier.verify('opaque-token'))).toBe(503);
    const took = performance.now() - started;
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(3000);
  });

  it('caches an accepted answer for cacheTtl: the second check does not ask the hub', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    hub.answer = () => goodAnswer();
    const verifier = createAccessTokenVerifier(client, { cacheTtl: 5 });
    expect(await outcome(verifier.verify('cached-token'))).toBe('ok');
    expect(await outcome(verifier.verify('cached-token'))).toBe('ok');
    expect(hub.calls).toHaveLength(1);
    vi.setSystemTime(Date.now() + 4_000);
    expect(await outcome(verifier.verify('cached-token'))).toBe('ok');
    expect(hub.calls).toHaveLength(1);
    // Past cacheTtl the hub is asked again, and its new answer (revoked) wins.
    vi.setSystemTime(Date.now() + 1_500);
    hub.answer = () => ({ json: { active: false } });
    expect(await outcome(verifier.verify('cached-token'))).toBe(401);
    expect(hub.calls).toHaveLength(2);
  });

  it("never caches an accepted answer beyond the token's exp", async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const exp = now() + 2;
    hub.answer = () => goodAnswer({ exp });
    const verifier = createAccessTokenVerifier(client, { cacheTtl: 60 });
    expect(await outcome(verifier.verify('short-lived'))).toBe('ok');
    vi.setSystemTime(Date.now() + 1_000);
    expect(await outcome(verifier.verify('short-lived'))).toBe('ok');
    expect(hub.calls).toHaveLength(1);
    vi.setSystemTime(Date.now() + 1_500);
    // The stand-in still (wrongly) says active with the old exp: the SDK refuses it as expired.
    expect(await outcome(verifier.verify('short-lived'))).toBe(401);
    expect(hub.calls).toHaveLength(2);
  });

  it('caches refusals for the shorter refusalCacheTtl, and never caches an outage', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    hub.answer = () => ({ json: { active: false } });
    const verifier = createAccessTokenVerifier(client, { cacheTtl: 30, refusalCacheTtl: 2 });
    expect(await outcome(verifier.verify('refused-token'))).toBe(401);
    expect(await outcome(verifier.verify('refused-token'))).toBe(401);
    expect(hub.calls).toHaveLength(1);
    vi.setSystemTime(Date.now() + 2_500);
    expect(await outcome(verifier.verify('refused-token'))).toBe(401);
    expect(hub.calls).toHaveLength(2);

    hub.answer = () => ({ status: 500, json: { error: 'server_error' } });
    expect(await outcome(verifier.verify('outage-token'))).toBe(503);
    hub.answer = () => goodAnswer();
    expect(await outcome(verifier.verify('outage-token'))).toBe('ok');
    expect(hub.calls).toHaveLength(4);
  });

  it('concurrent checks of one token share one introspection; the cache is bounded', async () => {
    hub.answer = () => goodAnswer();
    const verifier = createAccessTokenVerifier(client, { cacheMaxEntries: 2 });
    const results = await Promise.all(Array.from({ length: 8 }, () => outcome(verifier.verify('busy-token'))));
    expect(results).toEqual(Array(8).fill('ok'));
    expect(hub.calls).toHaveLength(1);
    await verifier.verify('second-token');
    await verifier.verify('third-token'); // evicts busy-token, the oldest
    expect(hub.calls).toHaveLength(3);
    await verifier.verify('third-token');
    await verifier.verify('second-token');
    expect(hub.calls).toHaveLength(3);
    await verifier.verify('busy-token');
    expect(hub.calls).toHaveLength(4);
    verifier.clearCache();
    await verifier.verify('busy-token');
    expect(hub.calls).toHaveLength(5);
  });

  it('checks its options', () => {
    expect(() => createAccessTokenVerifier(client, { timeout: 0 })).toThrow(/timeout/);
    expect(() => createAccessTokenVerifier(client, { cacheTtl: -1 })).toThrow(/cacheTtl/);
    expect(() => createAccessTokenVerifier(client, { cacheMaxEntries: 1.5 })).toThrow(/cacheMaxEntries/);
  });
});
