// A Hono app that signs its users in through SSO Hub with @ssohub/client's web-standard adapter
// (createSsoWebHandler): the SDK's routes under /auth/*, a page guarded with requireSession, an
// API that calls the hub with the session's access token, sessions in Redis, and the back-channel
// logout endpoint that ends the app's session when the user signs out anywhere. See ../hono.md.
//
// In this repository: node --import ./scripts/from-source.ts docs/integrations/hono/server.ts
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { serve } from '@hono/node-server';
import { createSsoClient, createSsoWebHandler, isSsoClientError, RedisSessionStore } from '@ssohub/client';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { html } from 'hono/html';
import { Redis } from 'ioredis';

function env(name: string, fallback?: string): string {
  const value = process.env[name] || fallback;
  if (value === undefined) throw new Error(`${name} is required (see docs/integrations/hono.md)`);
  return value;
}

const clientId = env('CLIENT_ID');
const redis = new Redis(env('REDIS_URL', 'redis://127.0.0.1:6379'));
const client = await createSsoClient({
  issuer: env('SSOHUB_ISSUER'),
  clientId,
  clientSecret: env('CLIENT_SECRET'),
  baseUrl: env('APP_URL'),
  // offline_access asks for a refresh token; email and profile make the hub's userinfo answer
  // them (the ID token carries neither): the SDK asks userinfo once, at sign-in.
  scopes: ['openid', 'email', 'profile', 'offline_access'],
  // Signs the short-lived sign-in cookie (state, nonce, PKCE verifier); 32+ characters, first signs.
  secrets: [env('COOKIE_SECRET')],
  // Every instance of the app shares the sessions; a back-channel logout reaches them all.
  store: new RedisSessionStore({ redis, clientId, ...(process.env.REDIS_KEY_PREFIX ? { keyPrefix: process.env.REDIS_KEY_PREFIX } : {}) }),
});
const sso = createSsoWebHandler(client);

const app = new Hono();

// The hub POSTs logout_token here (register APP_URL/auth/backchannel-logout). sso.handle would
// answer it too; the app takes it first only to log how many sessions ended (the Response does
// not say), with the same 64 KiB limit and checks the handler applies.
app.post('/auth/backchannel-logout', bodyLimit({ maxSize: 64 * 1024, onError: (c) => c.json({ error: 'invalid_request' }, 400) }), async (c) => {
  const form = (c.req.header('content-type') ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');
  try {
    const result = await client.handleBackchannelLogout(form ? await c.req.text() : undefined);
    if (result.status === 200) console.log(`back-channel logout ended ${result.ended} session(s)`);
    return new Response(result.body || null, { status: result.status, headers: result.headers });
  } catch (err) {
    // The hub's keys could not be fetched (503): nothing ended, and the hub retries.
    const status = isSsoClientError(err) ? err.status : 500;
    return c.json({ error: 'temporarily_unavailable' }, status as 503, { 'cache-control': 'no-store' });
  }
});

// Sign-in (GET /auth/login?returnTo=/path), the callback, logout and global logout (POST).
app.all('/auth/*', async (c, next) => (await sso.handle(c.req.raw)) ?? next());

// Refreshes the session's tokens now (the SDK refreshes by itself when the access token is about
// to expire; this shows the hub rotating the refresh token). A refused refresh ends the session.
app.post('/auth/refresh', async (c) => {
  if (!client.isSameOrigin(c.req.header('origin'), c.req.header('sec-fetch-site'))) return c.json({ error: 'cross_origin' }, 403);
  const session = await sso.getSession(c.req.raw);
  if (!session) return c.json({ error: 'session_required' }, 401);
  try {
    const next = await client.refreshSession(session);
    const rotated = next.tokens.refreshToken !== undefined && next.tokens.refreshToken !== session.tokens.refreshToken;
    return c.json({ refreshed: true, rotated }, 200, { 'cache-control': 'no-store' });
  } catch (err) {
    if (isSsoClientError(err) && err.status === 401) return c.json({ error: 'session_required' }, 401);
    throw err;
  }
});

app.get('/', async (c) => {
  const session = await sso.getSession(c.req.raw);
  c.header('cache-control', 'no-store');
  if (!session) return c.html(html`<!doctype html><title>Hono app</title><p data-testid="anonymous">Not signed in. <a href="/auth/login">Sign in</a></p>`);
  const { email, name } = session.claims;
  return c.html(html`<!doctype html><title>Hono app</title>
<p data-testid="user">Signed in as <strong>${email ?? session.claims.sub}</strong> (${name ?? ''})</p>
<p><a href="/account">Account</a> · <a href="/api/me">/api/me</a></p>
<form method="post" action="/auth/logout/global"><button>Sign out everywhere</button></form>`);
});

// A guarded page: signed out, the browser goes to sign in and comes back here.
app.get('/account', async (c) => {
  const session = await sso.requireSession(c.req.raw);
  if (session instanceof Response) return session;
  return c.html(html`<!doctype html><title>Account</title><p data-testid="account">${session.claims.email ?? session.claims.sub}</p>`);
});

// An API that calls another service for the user: here the hub's userinfo, with the session's
// access token (refreshed first when it is about to expire). Signed out: 401 JSON, no redirect.
app.get('/api/me', async (c) => {
  const session = await sso.requireSession(c.req.raw);
  if (session instanceof Response) return session;
  const accessToken = await sso.getAccessToken(c.req.raw);
  const userinfo = client.configuration.serverMetadata().userinfo_endpoint!;
  const res = await fetch(userinfo, { headers: { authorization: `Bearer ${accessToken}` } });
  if (!res.ok) return c.json({ error: 'upstream_failed', status: res.status }, 502);
  return c.json(await res.json(), 200, { 'cache-control': 'no-store' });
});

app.onError((err, c) => {
  if (isSsoClientError(err) && err.status === 401) return c.json({ error: 'session_required' }, 401);
  console.error('request failed:', err instanceof Error ? err.message : err);
  return c.json({ error: 'server_error' }, 500);
});

const [hostname, port] = env('LISTEN', '127.0.0.1:8080').split(/:(?=\d+$)/) as [string, string];
const tls = process.env.TLS_CERT_FILE && process.env.TLS_KEY_FILE;
const server = serve(
  {
    fetch: app.fetch,
    hostname,
    port: Number(port),
    // Behind a TLS proxy the app serves http; TLS_CERT_FILE/TLS_KEY_FILE make it serve https itself.
    ...(tls ? { createServer, serverOptions: { cert: readFileSync(process.env.TLS_CERT_FILE!), key: readFileSync(process.env.TLS_KEY_FILE!) } } : {}),
  },
  (info) => console.log(`listening on ${tls ? 'https' : 'http'}://${info.address}:${info.port}`),
);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    server.close(() => void redis.quit().finally(() => process.exit(0)));
  });
}
