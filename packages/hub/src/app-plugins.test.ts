import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminApiPlugin } from './admin/register-admin-api.ts';
import { buildApp, type Hub } from './app.ts';
import { checkConfig } from './config/check-config.ts';
import { errorHandlerPlugin } from './errors/register-error-handler.ts';
import { createLogger } from './http/create-logger.ts';
import { hubRequestPlugin } from './http/register-hub-request.ts';
import { securityHeadersPlugin } from './http/security-headers.ts';
import type { HubContext } from './hub-context.ts';
import { loginPagesPlugin } from './login/register-login-pages.ts';
import { kratosProxyPlugin } from './proxy/register-kratos-proxy.ts';

// The hub is assembled from Fastify plugins that name what they need before them (app.ts): a
// wrong order fails at startup with Fastify's own message, instead of routes that silently miss
// a hook (a route plugin only gets the hooks its parent had when it was registered).

const config = checkConfig({
  mode: 'development',
  publicUrl: 'http://login.localhost:4000',
  store: { kind: 'memory' },
  kratos: { publicUrl: 'http://127.0.0.1:9', adminUrl: 'http://127.0.0.1:9' },
  admin: { token: 'admin-token-0123456789abcdefghij' },
  bridge: { cookieKeys: ['test-cookie-key-0123456789abcdefghijklmnop'] },
});
const ctx = { config } as unknown as HubContext;
const proxyOptions = { kratosPublicUrl: 'http://127.0.0.1:9', publicUrl: config.publicUrl, sessionCookieName: 'ory_kratos_session', guard: {} as never };

describe('the hub plugins, registered in the wrong order', () => {
  it.each([
    ['a route group before the hub request', (app: ReturnType<typeof Fastify>) => app.register(kratosProxyPlugin, proxyOptions), "The dependency 'ssohub-hub-request' of plugin 'ssohub-kratos-proxy' is not registered"],
    [
      'the Kratos proxy before the error handler it hands errors to',
      (app: ReturnType<typeof Fastify>) => app.register(hubRequestPlugin).register(kratosProxyPlugin, proxyOptions),
      "The dependency 'ssohub-error-handler' of plugin 'ssohub-kratos-proxy' is not registered",
    ],
    [
      'the login pages before the security headers',
      (app: ReturnType<typeof Fastify>) => app.register(hubRequestPlugin).register(errorHandlerPlugin).register(loginPagesPlugin, { ctx }),
      "The dependency 'ssohub-security-headers' of plugin 'ssohub-login-pages' is not registered",
    ],
    [
      'the login pages before the form parser',
      (app: ReturnType<typeof Fastify>) =>
        app.register(hubRequestPlugin).register(errorHandlerPlugin).register(securityHeadersPlugin, { https: false }).register(cookie).register(loginPagesPlugin, { ctx }).register(formbody),
      "The dependency '@fastify/formbody' of plugin 'ssohub-login-pages' is not registered",
    ],
    ['the admin API before the hub request', (app: ReturnType<typeof Fastify>) => app.register(adminApiPlugin, { ctx }).register(hubRequestPlugin), "The dependency 'ssohub-hub-request' of plugin 'ssohub-admin-api' is not registered"],
  ])('%s fails at startup with Fastify\'s message', async (_case, register, message) => {
    const app = Fastify();
    register(app);
    await expect(app.ready()).rejects.toMatchObject({ code: 'FST_ERR_PLUGIN_DEPENDENCY_NOT_REGISTERED', message });
  });
});

describe('the hub as built', () => {
  let hub: Hub;
  beforeAll(async () => {
    hub = await buildApp(config, { log: createLogger('silent', { write: () => {} }) });
    await Promise.all([hub.app.ready(), hub.admin.ready()]);
  });
  afterAll(() => hub.close());

  /** The hub's plugins in registration order, as Fastify's own plugin tree shows them. */
  const plugins = (tree: string) => [...tree.matchAll(/(ssohub-[a-z-]+|@fastify\/[a-z-]+)/g)].map((m) => m[1]);

  it('registers the hub request first on both listeners, so its onRequest hook is the first of each', () => {
    expect(plugins(hub.app.printPlugins())[0]).toBe('ssohub-hub-request');
    expect(plugins(hub.admin.printPlugins())[0]).toBe('ssohub-hub-request');
  });

  it('registers every hub plugin once, in an order that satisfies each one\'s dependencies', () => {
    const publicOrder = plugins(hub.app.printPlugins()).filter((p) => p !== '@fastify/reply-from');
    expect(publicOrder).toEqual([
      'ssohub-hub-request',
      'ssohub-request-metrics',
      'ssohub-error-handler',
      'ssohub-client-errors',
      'ssohub-security-headers',
      'ssohub-token-guard',
      '@fastify/cookie',
      '@fastify/formbody',
      'ssohub-language-picker',
      'ssohub-health',
      'ssohub-kratos-proxy',
      'ssohub-bridge',
      'ssohub-login-pages',
      'ssohub-account-page',
    ]);
    expect(plugins(hub.admin.printPlugins())).toEqual(['ssohub-hub-request', 'ssohub-request-metrics', 'ssohub-error-handler', 'ssohub-client-errors', 'ssohub-admin-api', 'ssohub-console', '@fastify/cookie', '@fastify/formbody', 'ssohub-metrics']);
  });

  it('keeps the listener-wide hooks on routes of encapsulated plugins: security headers on /health and a 404, the token on an unknown admin address', async () => {
    const health = await hub.app.inject({ method: 'GET', url: '/health/alive' });
    expect(health.headers['content-security-policy']).toContain("default-src 'none'");
    const missing = await hub.app.inject({ method: 'GET', url: '/nowhere', headers: { accept: 'application/json' } });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['x-frame-options']).toBe('DENY');
    const closed = await hub.admin.inject({ method: 'GET', url: '/admin/nowhere' });
    expect(closed.statusCode).toBe(401);
    expect(closed.json()).toMatchObject({ error: { code: 'SSOHUB_ERR_UNAUTHORIZED', requestId: expect.any(String) } });
  });
});
