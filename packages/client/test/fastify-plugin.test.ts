import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SsoClient, ssoFastify } from '../src/index.ts';
import { cookieHeader, makeClient } from './helpers/test-client.ts';
import { forgetBrowser, startTestHub, type TestHub } from './helpers/test-hub.ts';

let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(() => hub.close());

async function buildApp(client: SsoClient): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(ssoFastify, { client });
  app.get('/', async (request) => ({ signedIn: request.ssoSession !== null }));
  app.get('/account', { config: { sso: { required: true } } }, async (request) => ({ sub: request.ssoSession!.claims.sub, acr: request.ssoSession!.claims.acr }));
  app.get('/billing', { config: { sso: { required: true, acr: 'aal2' } } }, async (request) => ({ acr: request.ssoSession!.claims.acr }));
  await app.ready();
  return app;
}

const html = { accept: 'text/html,application/xhtml+xml' };

/** Browses /account signed out, through the hub, and back: returns the app cookie header. */
async function browseSignIn(app: FastifyInstance, path = '/account', cookie = '') {
  const first = await app.inject({ url: path, headers: { ...html, cookie } });
  expect(first.statusCode).toBe(303);
  const txCookies = first.headers['set-cookie'] as string | string[];
  let jar = cookieHeader([txCookies].flat(), cookie);
  const callback = await hub.authorize(first.headers.location!);
  const back = await app.inject({ url: callback.pathname + callback.search, headers: { ...html, cookie: jar } });
  jar = cookieHeader([back.headers['set-cookie'] as string | string[]].flat(), jar);
  return { first, back, jar, callback };
}

describe('Fastify plugin', () => {
  it('guards a page: redirect to the hub, callback, then the page with request.ssoSession', async () => {
    forgetBrowser(hub.issuer);
    const app = await buildApp(await makeClient(hub));
    const { first, back, jar } = await browseSignIn(app);
    expect(new URL(first.headers.location!).origin).toBe(hub.issuer);
    expect(back.statusCode).toBe(303);
    expect(back.headers.location).toBe('/account');
    const page = await app.inject({ url: '/account', headers: { ...html, cookie: jar } });
    expect(page.statusCode).toBe(200);
    expect(page.json()).toEqual({ sub: 'alice', acr: 'aal1' });
  });

  it('answers 401 JSON to an API call without a session', async () => {
    const app = await buildApp(await makeClient(hub));
    const res = await app.inject({ url: '/account', headers: { accept: 'application/json' } });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: 'session_required' });
  });

  it('steps up: an aal1 session on an aal2 route is sent to sign in with acr_values=aal2', async () => {
    forgetBrowser(hub.issuer);
    const app = await buildApp(await makeClient(hub));
    const { jar } = await browseSignIn(app);
    const res = await app.inject({ url: '/billing', headers: { ...html, cookie: jar } });
    expect(res.statusCode).toBe(303);
    expect(new URL(res.headers.location!).searchParams.get('acr_values')).toBe('aal2');
    const api = await app.inject({ url: '/billing', headers: { accept: 'application/json', cookie: jar } });
    expect(api.statusCode).toBe(401);
    expect(api.headers['www-authenticate']).toContain('insufficient_user_authentication');
    const { jar: upgraded } = await browseSignIn(app, '/billing', jar);
    const page = await app.inject({ url: '/billing', headers: { ...html, cookie: upgraded } });
    expect(page.json()).toEqual({ acr: 'aal2' });
  });

  it('turns callback failures into a 400 error page and clears the transaction cookie', async () => {
    const app = await buildApp(await makeClient(hub));
    const none = await app.inject({ url: '/auth/callback?code=x&state=y', headers: html });
    expect(none.statusCode).toBe(400);
    expect(none.headers['content-type']).toContain('text/html');
    expect(none.body).toContain('SSOHUB_CLIENT_ERR_NO_PENDING_SIGN_IN');
    const start = await app.inject({ url: '/auth/login?returnTo=/account', headers: html });
    const jar = cookieHeader([start.headers['set-cookie'] as string].flat());
    const callback = await hub.authorize(start.headers.location!);
    callback.searchParams.set('state', 'tampered');
    const tampered = await app.inject({ url: callback.pathname + callback.search, headers: { ...html, cookie: jar } });
    expect(tampered.statusCode).toBe(400);
    expect(tampered.body).toContain('SSOHUB_CLIENT_ERR_STATE_MISMATCH');
    expect([tampered.headers['set-cookie']].flat().join()).toMatch(/-tx=; Max-Age=0/);
    const json = await app.inject({ url: '/auth/callback?code=x&state=y', headers: { accept: 'application/json' } });
    expect(json.json()).toMatchObject({ error: 'SSOHUB_CLIENT_ERR_NO_PENDING_SIGN_IN' });
  });

  it('passes ?ui_locales= on to the hub, so a link can ask for the sign-in in a language', async () => {
    const app = await buildApp(await makeClient(hub));
    const start = await app.inject({ url: '/auth/login?returnTo=/account&ui_locales=fr%20en', headers: html });
    expect(start.statusCode).toBe(303);
    expect(new URL(start.headers.location!).searchParams.get('ui_locales')).toBe('fr en');
  });

  it('refuses an open redirect at /auth/login', async () => {
    const app = await buildApp(await makeClient(hub));
    const res = await app.inject({ url: '/auth/login?returnTo=https://evil.example/', headers: html });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('SSOHUB_CLIENT_ERR_RETURN_TO_REFUSED');
  });

  it('replaying the callback URL in the same browser gets the error page, not a crash', async () => {
    const app = await buildApp(await makeClient(hub));
    const { jar, callback } = await browseSignIn(app);
    const replay = await app.inject({ url: callback.pathname + callback.search, headers: { ...html, cookie: jar } });
    expect(replay.statusCode).toBe(400);
    expect(replay.body).toContain('SSOHUB_CLIENT_ERR_NO_PENDING_SIGN_IN');
  });

  it('local logout ends this session only; a cross-origin logout POST is refused', async () => {
    const app = await buildApp(await makeClient(hub));
    const { jar } = await browseSignIn(app);
    const cross = await app.inject({ method: 'POST', url: '/auth/logout', headers: { cookie: jar, origin: 'https://evil.example' } });
    expect(cross.statusCode).toBe(403);
    // Origin: null (sent under Referrer-Policy: no-referrer) counts only with Sec-Fetch-Site: same-origin.
    const opaqueCrossSite = await app.inject({ method: 'POST', url: '/auth/logout', headers: { cookie: jar, origin: 'null', 'sec-fetch-site': 'cross-site' } });
    expect(opaqueCrossSite.statusCode).toBe(403);
    const opaqueNoMetadata = await app.inject({ method: 'POST', url: '/auth/logout', headers: { cookie: jar, origin: 'null' } });
    expect(opaqueNoMetadata.statusCode).toBe(403);
    const res = await app.inject({ method: 'POST', url: '/auth/logout', headers: { cookie: jar, origin: 'null', 'sec-fetch-site': 'same-origin' } });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('http://app-a.localhost/');
    const after = await app.inject({ url: '/', headers: { cookie: jar } });
    expect(after.json()).toEqual({ signedIn: false });
  });

  it('global logout redirects to the hub end_session endpoint with id_token_hint', async () => {
    const app = await buildApp(await makeClient(hub));
    const { jar } = await browseSignIn(app);
    const res = await app.inject({ method: 'POST', url: '/auth/logout/global', headers: { cookie: jar } });
    expect(res.statusCode).toBe(303);
    const url = new URL(res.headers.location!);
    expect(url.origin).toBe(hub.issuer);
    expect(url.searchParams.get('id_token_hint')).toBeTruthy();
  });

  it('back-channel logout: form POST ends the session (200 no-store); bad tokens get 400 JSON', async () => {
    const client = await makeClient(hub);
    const app = await buildApp(client);
    const { jar } = await browseSignIn(app);
    const session = await client.loadSession(jar);
    const bad = await app.inject({ method: 'POST', url: '/auth/backchannel-logout', payload: 'logout_token=nope', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: 'invalid_request' });
    const token = await hub.signLogoutToken({ aud: 'app-a', sid: session!.sid });
    const ok = await app.inject({ method: 'POST', url: '/auth/backchannel-logout', payload: `logout_token=${token}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['cache-control']).toBe('no-store');
    expect((await app.inject({ url: '/', headers: { cookie: jar } })).json()).toEqual({ signedIn: false });
  });

  it('fails at startup when a route asks for an unknown acr', async () => {
    const app = Fastify();
    await app.register(ssoFastify, { client: await makeClient(hub) });
    expect(() => app.get('/x', { config: { sso: { acr: 'gold' } } }, async () => 'x')).toThrow(/config.sso.acr "gold" is not one of acrLevels/);
  });
});

describe('session cookie attributes', () => {
  it('under https: __Host- prefix, Secure, HttpOnly, SameSite=Lax, Path=/, no Domain', async () => {
    forgetBrowser(hub.issuer);
    const client = await makeClient(hub, { baseUrl: 'https://app-a.test' });
    const app = await buildApp(client);
    const { first, back } = await browseSignIn(app);
    const cookies = [[first.headers['set-cookie']].flat(), [back.headers['set-cookie']].flat()].flat() as string[];
    const session = cookies.find((c) => c.startsWith(`${client.sessionCookieName}=`) && !/Max-Age=0/.test(c))!;
    const tx = cookies.find((c) => c.startsWith(`${client.transactionCookieName}=`) && !/Max-Age=0/.test(c))!;
    expect(client.sessionCookieName).toMatch(/^__Host-ssohub-[0-9a-f]{8}$/);
    for (const c of [session, tx]) {
      expect(c).toMatch(/; Secure/);
      expect(c).toMatch(/; HttpOnly/);
      expect(c).toMatch(/; SameSite=Lax/);
      expect(c).toMatch(/; Path=\//);
      expect(c).not.toMatch(/Domain=/i);
    }
    expect(tx).toMatch(/Max-Age=600/);
  });

  it('under http (development): plain name, no Secure, still HttpOnly and host-only', async () => {
    const client = await makeClient(hub, { baseUrl: 'http://app-a.localhost' });
    const app = await buildApp(client);
    const { back } = await browseSignIn(app);
    const session = ([back.headers['set-cookie']].flat() as string[]).find((c) => c.startsWith(`${client.sessionCookieName}=`))!;
    expect(client.sessionCookieName).toMatch(/^ssohub-[0-9a-f]{8}$/);
    expect(session).not.toMatch(/Secure/);
    expect(session).toMatch(/; HttpOnly/);
    expect(session).toMatch(/; SameSite=Lax/);
    expect(session).not.toMatch(/Domain=/i);
  });

  it('two apps on one host get different cookie names (client id hash)', async () => {
    const a = await makeClient(hub);
    const b = await makeClient(hub, { clientId: 'shop-b' });
    expect(a.sessionCookieName).not.toBe(b.sessionCookieName);
  });
});
