import { MemorySessionStore } from '@ssohub/client';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookieHeader } from '../../client/test/helpers/test-client.ts';
import { CLIENT_SECRETS, startTestHub, type TestHub } from '../../client/test/helpers/test-hub.ts';
import { createDemoApp } from '../src/index.ts';

let hub: TestHub;
let appA: FastifyInstance;
let shopB: FastifyInstance;

async function demo(clientId: string, name: string, other: string) {
  return createDemoApp({
    name,
    publicUrl: `http://${clientId}.localhost`,
    issuer: hub.issuer,
    clientId,
    clientSecret: CLIENT_SECRETS[clientId]!,
    otherAppUrl: other,
    store: new MemorySessionStore({ clientId, warn: () => {} }),
    cookieSecrets: ['demo-cookie-secret-0123456789abcdef0123'],
  });
}

beforeAll(async () => {
  hub = await startTestHub();
  appA = await demo('app-a', 'App A', 'http://shop-b.localhost/');
  shopB = await demo('shop-b', 'Shop B', 'http://app-a.localhost/');
});
afterAll(async () => {
  await appA.close();
  await shopB.close();
  await hub.close();
});

const html = { accept: 'text/html' };

async function signInTo(app: FastifyInstance): Promise<string> {
  const start = await app.inject({ url: '/auth/login?returnTo=/', headers: html });
  let jar = cookieHeader([start.headers['set-cookie'] as string].flat());
  const callback = await hub.authorize(start.headers.location!);
  const back = await app.inject({ url: callback.pathname + callback.search, headers: { ...html, cookie: jar } });
  expect(back.statusCode).toBe(303);
  jar = cookieHeader([back.headers['set-cookie'] as string | string[]].flat(), jar);
  return jar;
}

describe('demo app', () => {
  it('signed out: offers sign-in and names its session store; no JavaScript on the page', async () => {
    const res = await appA.inject({ url: '/', headers: html });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('data-testid="sign-in"');
    expect(res.body).toContain('memory: data lost on restart');
    expect(res.body).not.toContain('<script');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
  });

  it('signs in at A, then at B without a new login, each with its own session; shows the session facts', async () => {
    const jarA = await signInTo(appA);
    const logins = hub.interactions;
    const jarB = await signInTo(shopB);
    expect(hub.interactions).toBe(logins);
    const pageA = (await appA.inject({ url: '/', headers: { ...html, cookie: jarA } })).body;
    const pageB = (await shopB.inject({ url: '/', headers: { ...html, cookie: jarB } })).body;
    for (const page of [pageA, pageB]) {
      expect(page).toContain('data-testid="user">User alice<');
      expect(page).toContain('data-testid="logout-local"');
      expect(page).toContain('data-testid="logout-global"');
    }
    const suffix = (page: string) => /data-testid="session-suffix">([^<]+)</.exec(page)![1];
    expect(suffix(pageA)).toHaveLength(8);
    expect(suffix(pageA)).not.toBe(suffix(pageB));
    expect(pageA).toContain('href="http://shop-b.localhost/"');
    const sessionA = await appA.ssoClient.loadSession(jarA);
    expect(pageA).toContain(`data-testid="session-sid">${sessionA!.sid}<`);
    // The cookies of one app mean nothing to the other.
    expect(await shopB.ssoClient.loadSession(jarA)).toBeUndefined();
  });

  it("/api/me accepts A's access token at A and refuses it at B (audience / client_id)", async () => {
    const jarA = await signInTo(appA);
    const token = (await appA.ssoClient.loadSession(jarA))!.tokens.accessToken;
    const atA = await appA.inject({ url: '/api/me', headers: { authorization: `Bearer ${token}` } });
    expect(atA.statusCode).toBe(200);
    expect(atA.json()).toMatchObject({ app: 'app-a', sub: 'alice' });
    const atB = await shopB.inject({ url: '/api/me', headers: { authorization: `Bearer ${token}` } });
    expect(atB.statusCode).toBe(401);
    expect(atB.json()).toMatchObject({ error: 'invalid_token', error_description: 'access token refused: issued to another client' });
    expect(atB.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    expect((await appA.inject({ url: '/api/me' })).statusCode).toBe(401);
    expect((await appA.inject({ url: '/api/me', headers: { authorization: 'Bearer forged' } })).statusCode).toBe(401);
  });

  it("/api/me refuses A's own refresh token and ID token with 401 invalid_token (never 200, never 503)", async () => {
    const jarA = await signInTo(appA);
    const { tokens } = (await appA.ssoClient.loadSession(jarA))!;
    expect(tokens.refreshToken).toBeTruthy();
    for (const [kind, token] of [
      ['refresh token', tokens.refreshToken!],
      ['ID token', tokens.idToken],
      ['JWT-shaped garbage', 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln'],
    ] as const) {
      const res = await appA.inject({ url: '/api/me', headers: { authorization: `Bearer ${token}` } });
      expect(res.statusCode, kind).toBe(401);
      expect(res.headers['www-authenticate'], kind).toBe('Bearer error="invalid_token"');
      expect(res.json(), kind).toMatchObject({ error: 'invalid_token' });
    }
    // The access token of the same session still works.
    expect((await appA.inject({ url: '/api/me', headers: { authorization: `Bearer ${tokens.accessToken}` } })).statusCode).toBe(200);
  });

  it('local logout at A leaves B signed in', async () => {
    const jarA = await signInTo(appA);
    const jarB = await signInTo(shopB);
    const out = await appA.inject({ method: 'POST', url: '/auth/logout', headers: { cookie: jarA, origin: 'http://app-a.localhost' } });
    expect(out.statusCode).toBe(303);
    expect(await appA.ssoClient.loadSession(jarA)).toBeUndefined();
    expect(await shopB.ssoClient.loadSession(jarB)).toBeDefined();
  });
});
