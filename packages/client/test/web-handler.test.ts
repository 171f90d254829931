import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { Hono } from 'hono';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSsoWebHandler, isSsoClientError, RedisSessionStore, type SsoWebHandler, sendWebResponse, toWebRequest } from '../src/index.ts';
import { cookieHeader, makeClient } from './helpers/test-client.ts';
import { forgetBrowser, startTestHub, type TestHub } from './helpers/test-hub.ts';

let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(() => hub.close());

const ORIGIN = 'http://app-a.localhost';
const html = { accept: 'text/html,application/xhtml+xml' };
const json = { accept: 'application/json' };
const form = { 'content-type': 'application/x-www-form-urlencoded' };

type App = (request: Request) => Promise<Response>;

/** webApp is what an app on any fetch-style framework writes: the SDK routes first, then its own. */
function webApp(sso: SsoWebHandler): App {
  return async (request) => {
    const answer = await sso.handle(request);
    if (answer) return answer;
    const { pathname } = new URL(request.url);
    if (pathname === '/') return Response.json({ signedIn: (await sso.getSession(request)) !== null });
    if (pathname === '/account' || pathname === '/billing') {
      const session = await sso.requireSession(request, pathname === '/billing' ? { acr: 'aal2' } : {});
      if (session instanceof Response) return session;
      return Response.json({ sub: session.claims.sub, acr: session.claims.acr });
    }
    return new Response('not found', { status: 404 });
  };
}

async function makeApp(overrides: Parameters<typeof makeClient>[1] = {}) {
  const client = await makeClient(hub, overrides);
  const sso = createSsoWebHandler(client, { onError: () => {} });
  return { client, sso, app: webApp(sso) };
}

/** call sends one real `Request` through the app. */
const call = (app: App, path: string, init: RequestInit = {}) => app(new Request(new URL(path, ORIGIN), { redirect: 'manual', ...init }));

/** Browses `path` signed out, through the hub, and back: returns the app cookie header. */
async function browseSignIn(app: App, path = '/account', cookie = '') {
  const first = await call(app, path, { headers: { ...html, cookie } });
  expect(first.status).toBe(303);
  let jar = cookieHeader(first.headers.getSetCookie(), cookie);
  const callback = await hub.authorize(first.headers.get('location')!);
  const back = await call(app, callback.pathname + callback.search, { headers: { ...html, cookie: jar } });
  jar = cookieHeader(back.headers.getSetCookie(), jar);
  return { first, back, jar, callback };
}

describe('web-standard handler (Request/Response)', () => {
  it('guards a page: redirect to the hub, callback, then the page with the session', async () => {
    forgetBrowser(hub.issuer);
    const { app, client } = await makeApp();
    const { first, back, jar } = await browseSignIn(app);
    expect(new URL(first.headers.get('location')!).origin).toBe(hub.issuer);
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe('/account');
    // The new session cookie and the cleared transaction cookie: two Set-Cookie lines, not one joined.
    const cookies = back.headers.getSetCookie();
    expect(cookies).toHaveLength(2);
    expect(cookies.some((c) => c.startsWith(`${client.sessionCookieName}=`) && !/Max-Age=0/.test(c))).toBe(true);
    expect(cookies.some((c) => c.startsWith(`${client.transactionCookieName}=;`) && /Max-Age=0/.test(c))).toBe(true);
    const page = await call(app, '/account', { headers: { ...html, cookie: jar } });
    expect(page.status).toBe(200);
    expect(await page.json()).toEqual({ sub: 'alice', acr: 'aal1' });
  });

  it('answers 401 JSON to an API call without a session, and to a POST even when it asks for HTML', async () => {
    const { app } = await makeApp();
    const res = await call(app, '/account', { headers: json });
    expect(res.status).toBe(401);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ error: 'session_required', login: '/auth/login' });
    const post = await call(app, '/account', { method: 'POST', headers: html });
    expect(post.status).toBe(401);
  });

  it('requireSession keeps the path and query as returnTo', async () => {
    forgetBrowser(hub.issuer);
    const { app } = await makeApp();
    const { back } = await browseSignIn(app, '/account?tab=orders&x=1');
    expect(back.headers.get('location')).toBe('/account?tab=orders&x=1');
  });

  it('steps up: an aal1 session on an aal2 route is sent to sign in with acr_values=aal2', async () => {
    forgetBrowser(hub.issuer);
    const { app } = await makeApp();
    const { jar } = await browseSignIn(app);
    const res = await call(app, '/billing', { headers: { ...html, cookie: jar } });
    expect(res.status).toBe(303);
    expect(new URL(res.headers.get('location')!).searchParams.get('acr_values')).toBe('aal2');
    const api = await call(app, '/billing', { headers: { ...json, cookie: jar } });
    expect(api.status).toBe(401);
    expect(api.headers.get('www-authenticate')).toBe('Bearer error="insufficient_user_authentication", acr_values="aal2"');
    expect(await api.json()).toEqual({ error: 'insufficient_user_authentication', acr_values: 'aal2' });
    const { jar: upgraded } = await browseSignIn(app, '/billing', jar);
    const page = await call(app, '/billing', { headers: { ...html, cookie: upgraded } });
    expect(await page.json()).toEqual({ sub: 'alice', acr: 'aal2' });
  });

  it('requireSession refuses an acr that is not one of acrLevels', async () => {
    const { sso } = await makeApp();
    await expect(sso.requireSession(new Request(`${ORIGIN}/x`), { acr: 'gold' })).rejects.toThrow(/acr "gold" is not one of acrLevels/);
  });

  it('turns callback failures into a 400 error page and clears the transaction cookie', async () => {
    const errors: unknown[] = [];
    const client = await makeClient(hub);
    const app = webApp(createSsoWebHandler(client, { onError: (err) => errors.push(err) }));
    const none = await call(app, '/auth/callback?code=x&state=y', { headers: html });
    expect(none.status).toBe(400);
    expect(none.headers.get('content-type')).toContain('text/html');
    expect(await none.text()).toContain('SSOHUB_CLIENT_ERR_NO_PENDING_SIGN_IN');
    expect(isSsoClientError(errors[0], 'SSOHUB_CLIENT_ERR_NO_PENDING_SIGN_IN')).toBe(true);
    const start = await call(app, '/auth/login?returnTo=/account', { headers: html });
    const jar = cookieHeader(start.headers.getSetCookie());
    const callback = await hub.authorize(start.headers.get('location')!);
    callback.searchParams.set('state', 'tampered');
    const tampered = await call(app, callback.pathname + callback.search, { headers: { ...html, cookie: jar } });
    expect(tampered.status).toBe(400);
    expect(await tampered.text()).toContain('SSOHUB_CLIENT_ERR_STATE_MISMATCH');
    expect(tampered.headers.getSetCookie().join()).toMatch(/-tx=; Max-Age=0/);
    const asJson = await call(app, '/auth/callback?code=x&state=y', { headers: json });
    expect(await asJson.json()).toMatchObject({ error: 'SSOHUB_CLIENT_ERR_NO_PENDING_SIGN_IN' });
  });

  it('passes ?ui_locales= and ?acr= on to the hub', async () => {
    const { app } = await makeApp();
    const start = await call(app, '/auth/login?returnTo=/account&ui_locales=fr%20en&acr=aal2', { headers: html });
    expect(start.status).toBe(303);
    const url = new URL(start.headers.get('location')!);
    expect(url.searchParams.get('ui_locales')).toBe('fr en');
    expect(url.searchParams.get('acr_values')).toBe('aal2');
  });

  it('refuses an open redirect at /auth/login', async () => {
    const { app } = await makeApp();
    const res = await call(app, '/auth/login?returnTo=https://evil.example/', { headers: html });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('SSOHUB_CLIENT_ERR_RETURN_TO_REFUSED');
  });

  it('replaying the callback URL in the same browser gets the error page, not a crash', async () => {
    const { app } = await makeApp();
    const { jar, callback } = await browseSignIn(app);
    const replay = await call(app, callback.pathname + callback.search, { headers: { ...html, cookie: jar } });
    expect(replay.status).toBe(400);
    expect(await replay.text()).toContain('SSOHUB_CLIENT_ERR_NO_PENDING_SIGN_IN');
  });

  it('leaves every other request to the framework (undefined), HEAD and wrong methods included', async () => {
    const { sso } = await makeApp();
    for (const [method, path] of [
      ['GET', '/'],
      ['GET', '/auth/logout'],
      ['POST', '/auth/login'],
      ['HEAD', '/auth/login'],
      ['HEAD', '/auth/callback'],
      ['GET', '/auth/backchannel-logout'],
      ['GET', '/auth/login/extra'],
    ] as const) {
      expect(await sso.handle(new Request(`${ORIGIN}${path}`, { method })), `${method} ${path}`).toBeUndefined();
    }
  });

  it('local logout ends this session only; a cross-origin logout POST is refused', async () => {
    const { app } = await makeApp();
    const { jar } = await browseSignIn(app);
    const post = (headers: Record<string, string>) => call(app, '/auth/logout', { method: 'POST', headers: { cookie: jar, ...headers } });
    expect((await post({ origin: 'https://evil.example' })).status).toBe(403);
    // Origin: null (sent under Referrer-Policy: no-referrer) counts only with Sec-Fetch-Site: same-origin.
    expect((await post({ origin: 'null', 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    const refused = await post({ origin: 'null' });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: 'SSOHUB_CLIENT_ERR_CROSS_ORIGIN' });
    expect(await (await call(app, '/', { headers: { cookie: jar } })).json()).toEqual({ signedIn: true });
    const res = await post({ origin: 'null', 'sec-fetch-site': 'same-origin' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${ORIGIN}/`);
    expect(res.headers.getSetCookie().join()).toMatch(/Max-Age=0/);
    expect(await (await call(app, '/', { headers: { cookie: jar } })).json()).toEqual({ signedIn: false });
  });

  it('global logout redirects to the hub end_session endpoint with id_token_hint', async () => {
    const { app } = await makeApp();
    const { jar } = await browseSignIn(app);
    const cross = await call(app, '/auth/logout/global', { method: 'POST', headers: { cookie: jar, origin: 'https://evil.example' } });
    expect(cross.status).toBe(403);
    const res = await call(app, '/auth/logout/global', { method: 'POST', headers: { cookie: jar, origin: ORIGIN } });
    expect(res.status).toBe(303);
    const url = new URL(res.headers.get('location')!);
    expect(url.origin).toBe(hub.issuer);
    expect(url.searchParams.get('id_token_hint')).toBeTruthy();
    expect(await (await call(app, '/', { headers: { cookie: jar } })).json()).toEqual({ signedIn: false });
  });

  it('back-channel logout: form POST ends the session (200 no-store); bad, missing and oversized bodies get 400', async () => {
    const { app, client } = await makeApp();
    const { jar } = await browseSignIn(app);
    const session = await client.loadSession(jar);
    const post = (body: string, headers: Record<string, string> = form) => call(app, '/auth/backchannel-logout', { method: 'POST', headers, body });
    const bad = await post('logout_token=nope');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'invalid_request' });
    expect((await post('{"logout_token":"x"}', { 'content-type': 'application/json' })).status).toBe(400);
    const huge = await post(`logout_token=${'a'.repeat(70 * 1024)}`);
    expect(huge.status).toBe(400);
    expect(await (await call(app, '/', { headers: { cookie: jar } })).json()).toEqual({ signedIn: true });
    const token = await hub.signLogoutToken({ aud: 'app-a', sid: session!.sid });
    const ok = await post(`logout_token=${token}`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('cache-control')).toBe('no-store');
    expect(await (await call(app, '/', { headers: { cookie: jar } })).json()).toEqual({ signedIn: false });
    // The same token again is a replay (jti already seen).
    expect((await post(`logout_token=${token}`)).status).toBe(400);
  });

  it('getSession and getAccessToken: the session from the Cookie header, its token refreshed when due', async () => {
    forgetBrowser(hub.issuer);
    // refreshSkew 3600 against 3600 s access tokens: every token is "about to expire".
    const { app, sso } = await makeApp({ refreshSkew: 3600 });
    const { jar } = await browseSignIn(app);
    const request = () => new Request(`${ORIGIN}/api`, { headers: { cookie: jar } });
    const before = (await sso.getSession(request()))!;
    expect(before.claims.sub).toBe('alice');
    const token = await sso.getAccessToken(request());
    expect(token).not.toBe(before.tokens.accessToken);
    const after = (await sso.getSession(request()))!;
    expect(after.tokens.accessToken).toBe(token);
    expect(after.version).toBe(before.version + 1);
    expect(await sso.getSession(new Request(`${ORIGIN}/api`))).toBeNull();
    const signedOut = await sso.getAccessToken(new Request(`${ORIGIN}/api`)).catch((e: unknown) => e);
    expect(isSsoClientError(signedOut, 'SSOHUB_CLIENT_ERR_SESSION_REQUIRED')).toBe(true);
  });

  it('rejects a value that is not an SsoClient, naming the argument', () => {
    expect(() => createSsoWebHandler({} as never)).toThrow(/createSsoWebHandler\(client\)/);
  });
});

describe('web-standard handler with the Redis session store', () => {
  const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  const prefix = `ssohub:test:${randomUUID()}:client:`;
  beforeAll(async () => {
    try {
      await redis.connect();
    } catch (cause) {
      throw new Error('Redis on 127.0.0.1:6379 is required by this test (start redis-server); not skipping', { cause });
    }
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('signs in, loads the session and ends it by back-channel logout, unchanged store interface', async () => {
    forgetBrowser(hub.issuer);
    const { app, client } = await makeApp({ store: new RedisSessionStore({ redis, clientId: 'app-a', keyPrefix: prefix }) });
    const { jar } = await browseSignIn(app);
    expect(await (await call(app, '/account', { headers: { ...json, cookie: jar } })).json()).toEqual({ sub: 'alice', acr: 'aal1' });
    expect((await redis.keys(`${prefix}*`)).length).toBeGreaterThan(0);
    const token = await hub.signLogoutToken({ aud: 'app-a', sid: (await client.loadSession(jar))!.sid });
    expect((await call(app, '/auth/backchannel-logout', { method: 'POST', headers: form, body: `logout_token=${token}` })).status).toBe(200);
    expect((await call(app, '/account', { headers: { ...json, cookie: jar } })).status).toBe(401);
  });
});

describe('plain node:http through toWebRequest/sendWebResponse', () => {
  let server: Server;
  let base: string;
  let sso: SsoWebHandler;

  beforeAll(async () => {
    const client = await makeClient(hub);
    sso = createSsoWebHandler(client);
    const app = webApp(sso);
    server = createServer((req, res) => {
      void (async () => {
        const request = toWebRequest(req, client.options.baseUrl);
        // A streamed body larger than the socket buffers: sendWebResponse must wait for drain.
        const response = new URL(request.url).pathname === '/big' ? new Response(await request.text()) : await app(request);
        await sendWebResponse(res, response);
      })().catch((err: unknown) => {
        res.statusCode = 500;
        res.end(String(err));
      });
    });
    server.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const get = (path: string, cookie = '', accept = 'text/html') => fetch(`${base}${path}`, { redirect: 'manual', headers: { cookie, accept } });

  it('round trip over real HTTP: guard, hub, callback, page, back-channel logout, local logout', async () => {
    forgetBrowser(hub.issuer);
    const first = await get('/account?from=http');
    expect(first.status).toBe(303);
    let jar = cookieHeader(first.headers.getSetCookie());
    const callback = await hub.authorize(first.headers.get('location')!);
    const back = await get(callback.pathname + callback.search, jar);
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe('/account?from=http');
    expect(back.headers.getSetCookie()).toHaveLength(2);
    jar = cookieHeader(back.headers.getSetCookie(), jar);
    const page = await get('/account', jar, 'application/json');
    expect(page.status).toBe(200);
    expect(await page.json()).toEqual({ sub: 'alice', acr: 'aal1' });

    const cross = await fetch(`${base}/auth/logout`, { method: 'POST', redirect: 'manual', headers: { cookie: jar, origin: 'https://evil.example' } });
    expect(cross.status).toBe(403);
    const bad = await fetch(`${base}/auth/backchannel-logout`, { method: 'POST', headers: form, body: 'logout_token=forged' });
    expect(bad.status).toBe(400);
    const session = await sso.getSession(new Request(`${base}/`, { headers: { cookie: jar } }));
    const token = await hub.signLogoutToken({ aud: 'app-a', sid: session!.sid });
    const ok = await fetch(`${base}/auth/backchannel-logout`, { method: 'POST', headers: form, body: `logout_token=${token}` });
    expect(ok.status).toBe(200);
    expect(await (await get('/', jar, 'application/json')).json()).toEqual({ signedIn: false });

    const logout = await fetch(`${base}/auth/logout`, { method: 'POST', redirect: 'manual', headers: { cookie: jar } });
    expect(logout.status).toBe(303);
    expect(logout.headers.getSetCookie().join()).toMatch(/Max-Age=0/);
  });

  it('streams request and response bodies both ways (4 MiB echo)', async () => {
    const body = 'x'.repeat(4 * 1024 * 1024);
    const res = await fetch(`${base}/big`, { method: 'POST', body });
    expect(res.status).toBe(200);
    expect((await res.text()).length).toBe(body.length);
  });

  it('builds URLs from the app origin, not from the Host header a client sent', () => {
    const req = { url: '/auth/login?x=1', method: 'GET', rawHeaders: ['Host', 'evil.example', 'Cookie', 'a=1', 'Accept', 'text/html'] };
    const request = toWebRequest(req as never, 'http://app-a.localhost');
    expect(request.url).toBe('http://app-a.localhost/auth/login?x=1');
    expect(request.headers.get('cookie')).toBe('a=1');
  });

  it('takes a back-channel body its caller cut short as the caller\'s failure: no error logged, server keeps serving', async () => {
    const stderr = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const { port } = server.address() as AddressInfo;
      await new Promise<void>((resolve) => {
        const socket = connect({ host: '127.0.0.1', port }, () => {
          // Transfer-Encoding other than chunked: Node reads the body to the end of the connection,
          // and the request is aborted when the connection ends instead.
          socket.end('POST /auth/backchannel-logout HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/x-www-form-urlencoded\r\ntransfer-encoding: gzip\r\nconnection: close\r\n\r\nlogout_token=eyJ');
        });
        socket.resume();
        socket.on('close', () => resolve());
      });
      await new Promise((r) => setTimeout(r, 200));
      expect(stderr).not.toHaveBeenCalled();
      expect((await get('/', '', 'application/json')).status).toBe(200);
    } finally {
      stderr.mockRestore();
    }
  });
});

describe('Hono', () => {
  it('mounts the handler with app.all and guards routes with requireSession', async () => {
    forgetBrowser(hub.issuer);
    const client = await makeClient(hub);
    const sso = createSsoWebHandler(client, { onError: () => {} });
    const app = new Hono();
    app.all('/auth/*', async (c) => (await sso.handle(c.req.raw)) ?? c.notFound());
    app.get('/account', async (c) => {
      const session = await sso.requireSession(c.req.raw);
      return session instanceof Response ? session : c.json({ sub: session.claims.sub });
    });
    app.get('/', async (c) => c.json({ signedIn: (await sso.getSession(c.req.raw)) !== null }));
    const hono: App = async (request) => app.fetch(request);

    const first = await call(hono, '/account', { headers: html });
    expect(first.status).toBe(303);
    let jar = cookieHeader(first.headers.getSetCookie());
    const callback = await hub.authorize(first.headers.get('location')!);
    const back = await call(hono, callback.pathname + callback.search, { headers: { ...html, cookie: jar } });
    expect(back.status).toBe(303);
    jar = cookieHeader(back.headers.getSetCookie(), jar);
    expect(await (await call(hono, '/account', { headers: { ...json, cookie: jar } })).json()).toEqual({ sub: 'alice' });
    expect((await call(hono, '/auth/unknown')).status).toBe(404);
    const token = await hub.signLogoutToken({ aud: 'app-a', sid: (await client.loadSession(jar))!.sid });
    expect((await call(hono, '/auth/backchannel-logout', { method: 'POST', headers: form, body: `logout_token=${token}` })).status).toBe(200);
    expect(await (await call(hono, '/', { headers: { cookie: jar } })).json()).toEqual({ signedIn: false });
    const api = await call(hono, '/account', { headers: { ...json, cookie: jar } });
    expect(api.status).toBe(401);
  });
});
