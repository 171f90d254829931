/**
 * @file The SDK's failure paths against an unhealthy hub, simulated with nock (which intercepts
 * the global fetch both openid-client and jose use): a token endpoint answering 5xx or not
 * reachable during refresh, a discovery that never answers (bounded by `discoveryTimeout`), and a JWKS endpoint failing while a
 * back-channel logout token is verified. An outage of the hub must never end a session, and must
 * never make the app refuse (400) a logout token that may well be valid.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSsoClient, isSsoClientError, MemorySessionStore, type SsoClient, SsoClientError, ssoFastify } from '../src/index.ts';
import { COOKIE_SECRET, makeClient, signIn } from './helpers/test-client.ts';
import { forgetBrowser, startTestHub, type TestHub } from './helpers/test-hub.ts';

let hub: TestHub;
let client: SsoClient;
let tokenPath: string;
let jwksPath: string;

beforeAll(async () => {
  // Access tokens live 60 s at this hub; refreshSkew 3600 makes every token "about to expire".
  hub = await startTestHub({ accessTokenTtl: 60 });
  client = await makeClient(hub, { refreshSkew: 3600 });
  const metadata = client.configuration.serverMetadata();
  tokenPath = new URL(metadata.token_endpoint!).pathname;
  jwksPath = new URL(metadata.jwks_uri!).pathname;
});
afterEach(() => {
  // Every test leaves nock as the setup file made it: no interceptor left behind.
  nock.cleanAll();
});
afterAll(() => hub.close());

/** Only the one hub path is intercepted; every other request still reaches the in-process hub. */
const hubScope = () => nock(hub.issuer, { allowUnmocked: true });

/** rejection awaits a promise that must reject with an SsoClientError and returns it. */
async function rejection(promise: Promise<unknown>): Promise<SsoClientError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SsoClientError);
  return err as SsoClientError;
}

describe('refresh while the hub is down', () => {
  const outages: [string, (scope: nock.Scope) => nock.Scope][] = [
    // oidc-provider (the hub) answers its internal failures like this: an OAuth error body on a 500.
    ['500 with an OAuth server_error body', (s) => s.post(tokenPath).reply(500, { error: 'server_error', error_description: 'oops! something went wrong' })],
    ['503 with an OAuth temporarily_unavailable body', (s) => s.post(tokenPath).reply(503, { error: 'temporarily_unavailable' })],
    ['503 from a proxy (HTML body)', (s) => s.post(tokenPath).reply(503, '<html><body>Service Unavailable</body></html>', { 'content-type': 'text/html' })],
    ['502 with an empty body', (s) => s.post(tokenPath).reply(502)],
    ['connection refused', (s) => s.post(tokenPath).replyWithError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))],
    ['connection reset', (s) => s.post(tokenPath).replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))],
  ];

  for (const [name, outage] of outages) {
    it(`${name}: the session is kept, the error is the 503 outage error, a later refresh works`, async () => {
      forgetBrowser(hub.issuer);
      const { session, cookie } = await signIn(hub, client);
      const scope = outage(hubScope());

      const err = await rejection(client.getAccessToken(session));
      expect(scope.isDone()).toBe(true);
      expect(err.code).toBe('SSOHUB_CLIENT_ERR_REFRESH_FAILED');
      expect(err.status).toBe(503);
      expect(err.expose).toBe(false);
      expect(err.message).toMatch(/could not be reached/);

      // Not ended, not altered: same tokens (the refresh token was not consumed), same version.
      const kept = await client.loadSession(cookie);
      expect(kept).toBeDefined();
      expect(kept!.version).toBe(session.version);
      expect(kept!.tokens).toEqual(session.tokens);

      // The hub is back: the very same refresh token still works.
      nock.cleanAll();
      const token = await client.getAccessToken(kept!);
      expect(token).not.toBe(session.tokens.accessToken);
      const after = await client.loadSession(cookie);
      expect(after!.version).toBe(session.version + 1);
      expect(after!.tokens.accessToken).toBe(token);
    });
  }

  it('concurrent callers during an outage all get the outage error and the session survives', async () => {
    const { session, cookie } = await signIn(hub, client);
    // One network call for all callers (single flight): one interceptor is enough.
    const scope = hubScope().post(tokenPath).reply(503, { error: 'temporarily_unavailable' });
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => client.getAccessToken(session)));
    expect(scope.isDone()).toBe(true);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect(isSsoClientError((r as PromiseRejectedResult).reason, 'SSOHUB_CLIENT_ERR_REFRESH_FAILED')).toBe(true);
      expect(((r as PromiseRejectedResult).reason as SsoClientError).status).toBe(503);
    }
    expect(await client.loadSession(cookie)).toMatchObject({ version: session.version });
    // The store lock was released: the next refresh is not blocked by the failed one.
    nock.cleanAll();
    expect((await client.refreshSession((await client.loadSession(cookie))!)).version).toBe(session.version + 1);
  });

  it('a real refusal (400 invalid_grant) still ends the session, as documented', async () => {
    const { session, cookie } = await signIn(hub, client);
    const scope = hubScope().post(tokenPath).reply(400, { error: 'invalid_grant', error_description: 'grant request is invalid' });
    const err = await rejection(client.getAccessToken(session));
    expect(scope.isDone()).toBe(true);
    expect(err).toMatchObject({ code: 'SSOHUB_CLIENT_ERR_REFRESH_FAILED', status: 401 });
    expect(await client.loadSession(cookie)).toBeUndefined();
  });
});

describe('discovery that never answers', () => {
  let stalled: Server;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    // Accepts the connection, reads the request, never answers.
    stalled = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.resume();
    });
    await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => stalled.close(() => resolve()));
  });

  const options = (issuer: string) => ({
    issuer,
    clientId: 'app-a',
    clientSecret: 'app-a-client-secret-0123456789abcdef',
    baseUrl: 'http://app-a.localhost',
    secrets: [COOKIE_SECRET],
    store: new MemorySessionStore({ clientId: 'app-a', warn: () => {} }),
    warn: () => {},
  });

  it('a hub that accepts the connection but never answers: SSOHUB_CLIENT_ERR_DISCOVERY within discoveryTimeout, saying it timed out', async () => {
    const issuer = `http://127.0.0.1:${(stalled.address() as AddressInfo).port}`;
    const started = performance.now();
    const err = await rejection(createSsoClient({ ...options(issuer), discoveryTimeout: 0.3 }));
    const elapsed = performance.now() - started;
    expect(err.code).toBe('SSOHUB_CLIENT_ERR_DISCOVERY');
    expect(err.status).toBe(500);
    expect(err.expose).toBe(false);
    expect(err.message).toBe(`discovery at ${issuer}/ failed: timed out after 0.3 s (SsoClientOptions.discoveryTimeout)`);
    // The request did reach the stalled hub: it was the wait, not a refused connection, that ended it.
    expect(elapsed).toBeGreaterThanOrEqual(250);
    // Far below the 10 s default, so the option (not the default) bounded the wait.
    expect(elapsed).toBeLessThan(2_000);
  }, 5_000);

  it('a short discoveryTimeout does not shorten the requests made after discovery', async () => {
    const fast = await makeClient(hub, { discoveryTimeout: 0.3 });
    expect(fast.configuration.timeout).toBe(10);
  });

  it('a discovery answering 503 or not reachable fails at once with SSOHUB_CLIENT_ERR_DISCOVERY', async () => {
    const issuer = 'http://hub-down.localhost';
    nock(issuer).get('/.well-known/openid-configuration').reply(503, 'down');
    expect((await rejection(createSsoClient(options(issuer)))).code).toBe('SSOHUB_CLIENT_ERR_DISCOVERY');
    nock(issuer).get('/.well-known/openid-configuration').replyWithError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    expect((await rejection(createSsoClient(options(issuer)))).code).toBe('SSOHUB_CLIENT_ERR_DISCOVERY');
    expect(nock.isDone()).toBe(true);
  });
});

describe('back-channel logout while the JWKS endpoint fails', () => {
  const form = (token: string) => `logout_token=${encodeURIComponent(token)}`;

  /** A fresh client (its JWKS not fetched yet) with two app sessions of alice's hub session. */
  async function setup() {
    const fresh = await makeClient(hub);
    forgetBrowser(hub.issuer);
    hub.next = { accountId: 'alice' };
    const a1 = await signIn(hub, fresh);
    const a2 = await signIn(hub, fresh);
    const token = await hub.signLogoutToken({ aud: 'app-a', sid: a1.session.sid, sub: 'alice' });
    return { fresh, a1, a2, token };
  }

  const failures: [string, (scope: nock.Scope) => nock.Scope][] = [
    ['answers 500', (s) => s.get(jwksPath).reply(500, 'internal error')],
    ['answers 503', (s) => s.get(jwksPath).reply(503)],
    ['is unreachable', (s) => s.get(jwksPath).replyWithError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))],
  ];

  for (const [name, failure] of failures) {
    it(`JWKS ${name}: 503 (the hub retries), nothing ended, jti not burnt; the same token works once JWKS is back`, async () => {
      const { fresh, a1, a2, token } = await setup();
      const scope = failure(hubScope());

      const err = await rejection(fresh.handleBackchannelLogout(form(token)));
      expect(scope.isDone()).toBe(true);
      expect(err.code).toBe('SSOHUB_CLIENT_ERR_HUB_KEYS_UNAVAILABLE');
      expect(err.status).toBe(503);
      expect(await fresh.loadSession(a1.cookie)).toBeDefined();
      expect(await fresh.loadSession(a2.cookie)).toBeDefined();

      nock.cleanAll();
      const res = await fresh.handleBackchannelLogout(form(token));
      expect(res).toMatchObject({ status: 200, ended: 2 });
      expect(await fresh.loadSession(a1.cookie)).toBeUndefined();
      expect(await fresh.loadSession(a2.cookie)).toBeUndefined();
    });
  }

  it('through the Fastify adapter the hub gets a 503 (not 200, not 400) and can retry successfully', async () => {
    const { fresh, a1, token } = await setup();
    const app = Fastify();
    await app.register(ssoFastify, { client: fresh });
    await app.ready();
    try {
      const post = () =>
        app.inject({ method: 'POST', url: '/auth/backchannel-logout', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: form(token) });
      const scope = hubScope().get(jwksPath).reply(500);
      const down = await post();
      expect(scope.isDone()).toBe(true);
      expect(down.statusCode).toBe(503);
      expect(down.headers['cache-control']).toBe('no-store');
      expect(down.json()).toMatchObject({ error: 'SSOHUB_CLIENT_ERR_HUB_KEYS_UNAVAILABLE' });
      expect(await fresh.loadSession(a1.cookie)).toBeDefined();

      nock.cleanAll();
      const retried = await post();
      expect(retried.statusCode).toBe(200);
      expect(await fresh.loadSession(a1.cookie)).toBeUndefined();
    } finally {
      await app.close();
    }
  });

  it('a token the JWKS refutes is still refused with 400 once the keys are fetched (no 503 for bad tokens)', async () => {
    const { fresh, a1 } = await setup();
    const unknownKid = await hub.signLogoutToken({ aud: 'app-a', sid: a1.session.sid }, { kid: 'not-a-hub-key' });
    const res = await fresh.handleBackchannelLogout(form(unknownKid));
    expect(res.status).toBe(400);
    expect(await fresh.loadSession(a1.cookie)).toBeDefined();
  });
});
