// One SSO Hub client and web handler per process, shared by every route module: discovery runs
// once, at the first import. Sessions live in Redis, so every instance of the app (and every
// Next.js worker) sees a sign-in, a refresh and a back-channel logout at once. See ../../nextjs.md.
import { createSsoClient, createSsoWebHandler, RedisSessionStore } from '@ssohub/client';
import { Redis } from 'ioredis';

function env(name: string, fallback?: string): string {
  const value = process.env[name] || fallback;
  if (value === undefined) throw new Error(`${name} is required (see docs/integrations/nextjs.md)`);
  return value;
}

const clientId = env('CLIENT_ID');

/** The app's Redis connection, exported so a server can close it on shutdown. */
export const redis = new Redis(env('REDIS_URL', 'redis://127.0.0.1:6379'));

/** The SSO Hub client: discovery, tokens, sessions. */
export const client = await createSsoClient({
  issuer: env('SSOHUB_ISSUER'),
  clientId,
  clientSecret: env('CLIENT_SECRET'),
  // The public origin: every URL the SDK builds comes from it, never from the Host header.
  baseUrl: env('APP_URL'),
  // offline_access asks for a refresh token; email and profile make the hub's userinfo answer
  // them (the ID token carries neither): the SDK asks userinfo once, at sign-in.
  scopes: ['openid', 'email', 'profile', 'offline_access'],
  // Signs the short-lived sign-in cookie (state, nonce, PKCE verifier); 32+ characters.
  secrets: [env('COOKIE_SECRET')],
  store: new RedisSessionStore({ redis, clientId, ...(process.env.REDIS_KEY_PREFIX ? { keyPrefix: process.env.REDIS_KEY_PREFIX } : {}) }),
});

/** The web-standard adapter: the SDK's routes and guards on Request and Response. */
export const sso = createSsoWebHandler(client);
