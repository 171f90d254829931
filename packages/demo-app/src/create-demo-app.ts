import formbody from '@fastify/formbody';
import { createSsoClient, type SessionStore, ssoFastify } from '@ssohub/client';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { registerApi } from './api/verify-access-token.ts';
import { homePage } from './views/home-page.ts';

/** DemoAppOptions describe one demo client app of the hub. */
export interface DemoAppOptions {
  /** Shown in the header, e.g. "App A" or "Shop B". */
  name: string;
  /** This app's public origin, e.g. https://app-a.test. */
  publicUrl: string;
  /** The hub's issuer URL. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The other demo app, linked from the home page. */
  otherAppUrl: string;
  otherAppName?: string;
  /** Where sessions live (RedisSessionStore, or MemorySessionStore for the demo). */
  store: SessionStore;
  /** HMAC keys of the sign-in transaction cookie (>= 32 characters each). */
  cookieSecrets: string[];
  /** Header colour, so the two apps are easy to tell apart. */
  accent?: string;
  /** http to a non-localhost hub (development only). */
  allowInsecureRequests?: boolean;
  /** The memory store is allowed even with NODE_ENV=production (single-process demo). */
  allowVolatileStore?: boolean;
  logger?: FastifyServerOptions['logger'];
  /** Serve https with this certificate (PEM); plain http otherwise. */
  https?: { cert: string; key: string };
}

/**
 * createDemoApp builds (does not start) a small Fastify client app on `@ssohub/client`: a home
 * page showing who is signed in and this app's own session, a guarded /account page, and
 * `/api/me`, a JSON API that accepts only access tokens issued to THIS client.
 *
 * @example
 * ```ts
 * const app = await createDemoApp({ name: 'App A', publicUrl: 'https://app-a.test', issuer: 'https://login.sso.test/oidc',
 *   clientId: 'app-a', clientSecret, otherAppUrl: 'https://shop-b.example', store, cookieSecrets: [secret] });
 * await app.listen({ port: 4001 });
 * ```
 */
export async function createDemoApp(options: DemoAppOptions): Promise<FastifyInstance> {
  const client = await createSsoClient({
    issuer: options.issuer,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    baseUrl: options.publicUrl,
    secrets: options.cookieSecrets,
    store: options.store,
    ...(options.allowInsecureRequests ? { allowInsecureRequests: true } : {}),
    ...(options.allowVolatileStore ? { allowVolatileStore: true } : {}),
  });
  const app = (options.https
    ? Fastify({ logger: options.logger ?? false, https: options.https })
    : Fastify({ logger: options.logger ?? false })) as unknown as FastifyInstance;
  await app.register(formbody);
  await app.register(ssoFastify, { client });
  const accent = options.accent ?? '#0b69a3';
  const otherAppName = options.otherAppName ?? 'the other app';

  app.addHook('onSend', async (_request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
    reply.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' " + new URL(options.issuer).origin + "; frame-ancestors 'none'");
  });

  app.get('/', async (request, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(homePage({ appName: options.name, accent, otherAppUrl: options.otherAppUrl, otherAppName, session: request.ssoSession, storeDescription: client.options.store.description })),
  );

  app.get('/account', { config: { sso: { required: true } } }, async (request, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(homePage({ appName: options.name, accent, otherAppUrl: options.otherAppUrl, otherAppName, session: request.ssoSession, storeDescription: client.options.store.description })),
  );

  // The app's own API: bearer access tokens issued to this client only (no cookie).
  await registerApi(app, client);

  app.get('/health', async () => ({ ok: true, app: options.clientId, store: client.options.store.description }));
  return app;
}
