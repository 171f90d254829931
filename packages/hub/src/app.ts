import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { registerAdminApi } from './admin/register-admin-api.ts';
import { registerMetrics } from './admin/register-metrics.ts';
import { createAuditLog } from './audit/audit-log.ts';
import { createBridge } from './bridge/create-bridge.ts';
import type { ClientMetadata } from './clients/client-registry.ts';
import { idTokenAlgorithms } from './clients/check-client-metadata.ts';
import { createClientRegistry } from './clients/create-client-registry.ts';
import type { HubConfig } from './config/hub-config.ts';
import { logFailure } from './errors/log-failure.ts';
import { presentError } from './errors/present-error.ts';
import { registerErrorHandler, sendError } from './errors/register-error-handler.ts';
import { createGuard } from './guard/create-guard.ts';
import { registerTokenGuard } from './guard/register-token-guard.ts';
import { registerHealth } from './health/register-health.ts';
import { createLogger } from './http/create-logger.ts';
import { createDrainSwitch } from './http/drain-switch.ts';
import { HUB_CSS } from './http/hub-css.ts';
import { ASSET_CSS_PATH } from './http/render-page.ts';
import { registerHubRequest } from './http/register-hub-request.ts';
import { registerSecurityHeaders } from './http/security-headers.ts';
import { fastifyTrustProxy } from './http/trust-proxy.ts';
import type { HubContext } from './hub-context.ts';
import { KratosClient } from './kratos/kratos-client.ts';
import { createHubMetrics } from './metrics/hub-metrics.ts';
import { registerLoginPages } from './login/register-login-pages.ts';
import { registerKratosProxy } from './proxy/register-kratos-proxy.ts';
import { createStorage, type Storage } from './storage/storage.ts';

export interface Hub {
  /** The public listener of the login domain: flow pages, Kratos proxy, OIDC provider, health. */
  app: FastifyInstance;
  /** The admin listener (127.0.0.1 by default): admin API and metrics. */
  admin: FastifyInstance;
  ctx: HubContext;
  /**
   * Stops the hub: readiness turns 503 and every response says `Connection: close`; after
   * `drainMs` (default 0) the listeners stop accepting connections, in-flight requests finish,
   * then the back-channel deliverer, Kratos client and store close. No deadline here: the caller
   * sets one (shutDownOnSignals in http/graceful-shutdown.ts).
   */
  close(options?: { drainMs?: number }): Promise<void>;
}

export interface HubDependencies {
  log?: Logger;
  storage?: Storage;
}

/**
 * Builds a hub instance from a checked configuration without listening, so tests drive it with
 * `app.inject()` or listen on a port of their choice (fastify's testing guide).
 */
export async function buildApp(config: Readonly<HubConfig>, deps: HubDependencies = {}): Promise<Hub> {
  const log = deps.log ?? createLogger(config.logLevel);
  const storage = deps.storage ?? (await createStorage(config.store, log));
  const kratos = new KratosClient({ publicUrl: config.kratos.publicUrl, adminUrl: config.kratos.adminUrl });
  const audit = createAuditLog(storage, log);
  const base = { config, log, kratos, storage, audit };
  const metrics = createHubMetrics();
  const clients = createClientRegistry({
    staticClients: config.bridge.clients as unknown as ClientMetadata[],
    storage,
    audit,
    mode: config.mode,
    idTokenAlgs: idTokenAlgorithms(config.bridge.signingKeys),
  });
  const bridge = await createBridge({ ...base, metrics, clients });
  const ctx: HubContext = { ...base, metrics, clients, guard: createGuard({ ...base, metrics }), bridge };

  const https = config.publicUrl.startsWith('https:');
  const fastifyOptions = {
    loggerInstance: log,
    trustProxy: fastifyTrustProxy(config.trustProxy),
    bodyLimit: 64 * 1024,
    requestIdHeader: false as const,
    genReqId: () => crypto.randomUUID(),
    routerOptions: { ignoreTrailingSlash: true },
    // Fastify's default answers requests that reach a closing server with a bare JSON 503. Those
    // requests already arrived (on a kept-alive connection): serve them; the drain switch adds
    // `Connection: close` so the client opens its next connection elsewhere.
    return503OnClosing: false,
    // Requests Fastify turns away before any route or hook (a malformed escape in the path, a bad
    // Content-Type header) take the hub's one error path too: its page or JSON, the request id,
    // one log line, instead of Fastify's own JSON.
    frameworkErrors: (err: Error, request: FastifyRequest, reply: FastifyReply) => {
      const shown = presentError(err, request.id);
      logFailure(request.log, err, shown);
      return sendError(request, reply, shown);
    },
  };
  const app = Fastify({
    ...fastifyOptions,
    ...(config.listen.tls ? { https: { cert: config.listen.tls.cert, key: config.listen.tls.key } } : {}),
  }) as unknown as FastifyInstance;
  const admin = Fastify({ ...fastifyOptions, loggerInstance: log.child({ listener: 'admin' }) }) as unknown as FastifyInstance;

  const drain = createDrainSwitch([app.server, admin.server]);
  // First hook of all: every later hook and handler may touch the store.
  registerHubRequest(app);
  registerHubRequest(admin);
  registerErrorHandler(app);
  registerErrorHandler(admin);
  registerSecurityHeaders(app, { https });
  registerTokenGuard(app, ctx.guard, bridge.tokenPath);
  await app.register(fastifyCookie);
  await app.register(fastifyFormbody, { bodyLimit: 64 * 1024 });
  app.get(ASSET_CSS_PATH, async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(HUB_CSS),
  );

  registerHealth(app, ctx, { shuttingDown: () => drain.draining });
  await registerKratosProxy(app, {
    kratosPublicUrl: config.kratos.publicUrl,
    publicUrl: config.publicUrl,
    sessionCookieName: config.kratos.sessionCookieName,
    guard: ctx.guard,
    async beforeLogout(cookie) {
      const session = await kratos.whoami(cookie).catch(() => undefined);
      if (!session) return undefined;
      return async () => {
        await bridge.endKratosSession(session.id, 'kratos_logout').catch((err: Error) => log.error({ err: { message: err.message } }, 'could not propagate a Kratos logout'));
      };
    },
  });
  await bridge.register(app);
  await registerLoginPages(app, ctx);
  await registerAdminApi(admin, ctx);
  registerMetrics(admin, metrics);

  log.info(
    { publicUrl: config.publicUrl, issuer: bridge.issuer, store: storage.description, mode: config.mode },
    'hub built',
  );

  return {
    app,
    admin,
    ctx,
    async close({ drainMs = 0 } = {}) {
      drain.start();
      if (drainMs > 0) await new Promise((resolve) => setTimeout(resolve, drainMs));
      // Stops accepting, closes idle kept-alive connections, waits for in-flight requests.
      await Promise.allSettled([app.close(), admin.close()]);
      await bridge.close();
      await kratos.close();
      if (!deps.storage) await storage.close();
    },
  };
}
