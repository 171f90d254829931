import { createHash } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Logger } from 'pino';
import { accountPagePlugin } from './account/register-account-page.ts';
import { adminApiPlugin } from './admin/register-admin-api.ts';
import { metricsPlugin } from './admin/register-metrics.ts';
import { createAuditLog } from './audit/audit-log.ts';
import { loadBranding } from './branding/branding-assets.ts';
import type { Bridge } from './bridge/bridge.ts';
import { createBridge } from './bridge/create-bridge.ts';
import type { ClientMetadata } from './clients/client-registry.ts';
import { idTokenAlgorithms } from './clients/check-client-metadata.ts';
import { createClientRegistry } from './clients/create-client-registry.ts';
import type { HubConfig } from './config/hub-config.ts';
import { CONSOLE_PATH } from './console/console-cookie.ts';
import { consolePlugin } from './console/register-console.ts';
import { createSignInThrottle } from './console/sign-in-throttle.ts';
import { errorFormatOf } from './errors/error-format.ts';
import { logFailure } from './errors/log-failure.ts';
import { presentError } from './errors/present-error.ts';
import { errorHandlerPlugin, sendError } from './errors/register-error-handler.ts';
import { createGuard } from './guard/create-guard.ts';
import type { Guard } from './guard/guard.ts';
import { registerTokenGuard } from './guard/register-token-guard.ts';
import { healthPlugin } from './health/register-health.ts';
import { clientErrorsPlugin, createClientErrorAnswers } from './http/client-errors.ts';
import { createLogger, requestChildLogger } from './http/create-logger.ts';
import { createDrainSwitch } from './http/drain-switch.ts';
import { HUB_CSS } from './http/hub-css.ts';
import { hubRequestPlugin } from './http/register-hub-request.ts';
import { registerWebAuthnScript } from './http/register-webauthn-script.ts';
import { ASSET_CSS_PATH, setPageBranding } from './http/render-page.ts';
import { REQUEST_TIMEOUT_MS, REQUEST_TIMEOUT_SERVER_OPTIONS } from './http/request-timeout.ts';
import { securityHeaders, securityHeadersPlugin } from './http/security-headers.ts';
import { fastifyTrustProxy } from './http/trust-proxy.ts';
import type { HubContext } from './hub-context.ts';
import { languagePickerPlugin } from './i18n/register-language-picker.ts';
import { KratosClient } from './kratos/kratos-client.ts';
import { lockoutActions } from './login/lockout-actions.ts';
import { loginPagesPlugin } from './login/register-login-pages.ts';
import { createHubMetrics, observeLatency } from './metrics/hub-metrics.ts';
import { requestMetricsPlugin } from './metrics/register-request-metrics.ts';
import { kratosProxyPlugin } from './proxy/register-kratos-proxy.ts';
import { sampledTraceId } from './tracing/hub-spans.ts';
import { requestTracingPlugin } from './tracing/register-request-tracing.ts';
import type { HubTracing } from './tracing/start-tracing.ts';
import { createStorage, type Storage } from './storage/storage.ts';
import { MAX_QUERY_LENGTH } from './users/user-admin.ts';

export interface Hub {
  /** The public listener of the login domain: flow pages, Kratos proxy, OIDC provider, health. */
  app: FastifyInstance;
  /** The admin listener (127.0.0.1 by default): admin API, web console and metrics. */
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
  /**
   * The hub's tracing (tracing/start-tracing.ts), when OTEL_* asks for it: every request gets a
   * span. The hub flushes and stops it when it closes. Absent, no tracing hook runs at all.
   */
  tracing?: HubTracing;
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
  // With tracing on, the latency histograms keep the trace id of a sampled request per bucket.
  const metrics = createHubMetrics({ exemplars: deps.tracing !== undefined });
  kratos.observeCalls((operation, outcome, seconds) =>
    observeLatency(metrics, metrics.kratos.duration, { operation, outcome }, seconds, metrics.exemplars ? sampledTraceId() : undefined),
  );
  if (storage.kind === 'redis') {
    storage.observeCommands?.(metrics.store.observe);
  }
  const clients = createClientRegistry({
    staticClients: config.bridge.clients as unknown as ClientMetadata[],
    storage,
    audit,
    mode: config.mode,
    idTokenAlgs: idTokenAlgorithms(config.bridge.signingKeys),
  });
  const bridge = await createBridge({ ...base, metrics, clients, traced: deps.tracing !== undefined, ...(deps.tracing ? { tracer: deps.tracing.tracer } : {}) });
  const ctx: HubContext = {
    ...base,
    metrics,
    clients,
    guard: createGuard({ ...base, metrics }),
    bridge,
    ...(deps.tracing ? { tracing: deps.tracing.settings } : {}),
  };

  const https = config.publicUrl.startsWith('https:');
  // The `branding` options (issue 20): files read now, so a file gone since the check fails startup.
  const branding = loadBranding(config.branding);
  // Every page takes its branding from here: the flow and consent pages call renderPage far from
  // the configuration, and threading it through them all would reach modules built around
  // Kratos' and the provider's data only to pass it on (render-page.ts, setPageBranding).
  // The stylesheet is cached by browsers; its URL carries its content hash, so a release or a
  // colour change is a new URL.
  const hubCss = HUB_CSS + branding.css;
  const hubCssVersion = createHash('sha256').update(hubCss).digest('hex').slice(0, 16);
  setPageBranding({ ...branding.page, hubStylesheetHref: `${ASSET_CSS_PATH}?v=${hubCssVersion}` });
  // Node's parser errors and requests that take too long to arrive (http/request-timeout.ts) are
  // answered in the hub's format: its page on the login domain, its JSON on the admin listener.
  const publicClientErrors = createClientErrorAnswers({ format: 'page', headers: securityHeaders({ https, imgOrigin: branding.imgOrigin }) });
  const adminClientErrors = createClientErrorAnswers({ format: 'json' });
  // A request must arrive whole within REQUEST_TIMEOUT_MS: see http/request-timeout.ts for why
  // it is set on Node's server and as Fastify's option (which Fastify assigns after it).
  const serverOptions = { ...REQUEST_TIMEOUT_SERVER_OPTIONS };
  const fastifyOptions = {
    loggerInstance: log,
    childLoggerFactory: requestChildLogger,
    bodyLimit: 64 * 1024,
    requestIdHeader: false as const,
    genReqId: () => crypto.randomUUID(),
    routerOptions: { ignoreTrailingSlash: true },
    requestTimeout: REQUEST_TIMEOUT_MS,
    http: serverOptions,
    // Route schemas (TypeBox) refuse what does not match, and convert or drop nothing: Fastify's
    // default Ajv turns `{"sid": 42}` into "42" and silently removes a property the schema does
    // not declare, so a field the caller believed it set could vanish. Query and path parameters
    // are text, and their schemas say so.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false } },
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
    trustProxy: fastifyTrustProxy(config.trustProxy),
    clientErrorHandler: publicClientErrors.handle,
    ...(config.listen.tls ? { https: { cert: config.listen.tls.cert, key: config.listen.tls.key, ...serverOptions } } : {}),
  }) as unknown as FastifyInstance;
  const admin = Fastify({
    ...fastifyOptions,
    // Its own: the admin listener is reached on loopback or through a tunnel, not through the
    // public listener's proxies, so an X-Forwarded-For there is the client's own (which would pick
    // its IP for the admin token's throttle and the audit trail).
    trustProxy: fastifyTrustProxy(config.admin.trustProxy),
    // A path parameter as long as an address can be (`/admin/users/<email>`): Fastify's default
    // (100) turns a longer one away before any route or hook runs.
    routerOptions: { ...fastifyOptions.routerOptions, maxParamLength: MAX_QUERY_LENGTH },
    // Those turned away anyway (a malformed escape, a parameter past that length) answer as the
    // listener's routes do: the console's way under /console (by Accept), JSON everywhere else.
    frameworkErrors: (err: Error, request: FastifyRequest, reply: FastifyReply) => {
      const shown = presentError(err, request.id);
      logFailure(request.log, err, shown);
      const path = request.url.split('?')[0] ?? '';
      return sendError(request, reply, shown, path === CONSOLE_PATH || path.startsWith(`${CONSOLE_PATH}/`) ? errorFormatOf(request) : 'json');
    },
    clientErrorHandler: adminClientErrors.handle,
    loggerInstance: log.child({ listener: 'admin' }),
  }) as unknown as FastifyInstance;

  const drain = createDrainSwitch([app.server, admin.server]);
  // The order below is the order of the hooks. Each hub plugin names the plugins it needs before
  // it (`dependencies`), so an order that breaks one fails here, at startup, with Fastify's
  // FST_ERR_PLUGIN_DEPENDENCY_NOT_REGISTERED. The first hook of all, on both listeners, is the
  // hub request's: every later hook and handler may touch the store.
  for (const [listener, clientErrors] of [[app, publicClientErrors], [admin, adminClientErrors]] as const) {
    await listener.register(hubRequestPlugin);
    if (deps.tracing) {
      await listener.register(requestTracingPlugin, {
        tracer: deps.tracing.tracer,
        ...(listener === app ? { browser: { authorizationPath: `${config.bridge.path}/auth` } } : {}),
      });
    }
    await listener.register(requestMetricsPlugin, { metrics });
    await listener.register(errorHandlerPlugin);
    await listener.register(clientErrorsPlugin, { answers: clientErrors });
  }
  await app.register(securityHeadersPlugin, { https, imgOrigin: branding.imgOrigin });
  await app.register(tokenGuardPlugin, { guard: ctx.guard, tokenPath: bridge.tokenPath });
  await app.register(fastifyCookie);
  await app.register(fastifyFormbody, { bodyLimit: 64 * 1024 });
  await app.register(languagePickerPlugin, { https });
  // Asked for by its current hash (every page links it so), it may be kept for good; any other
  // address of it (none, or an older hash from a page cached before a release) briefly.
  app.get(ASSET_CSS_PATH, async (request, reply) =>
    reply
      .type('text/css; charset=utf-8')
      .header('cache-control', (request.query as { v?: unknown }).v === hubCssVersion ? 'public, max-age=31536000, immutable' : 'public, max-age=300')
      .send(hubCss),
  );
  registerWebAuthnScript(app);
  // The logo and extra stylesheet are named by their content hash: a new file is a new path.
  // An SVG opened on its own must not run script on the login domain: it gets its own, stricter CSP.
  for (const asset of branding.assets) {
    app.get(asset.path, async (_request, reply) =>
      reply
        .type(asset.type)
        .header('cache-control', 'public, max-age=31536000, immutable')
        .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox")
        .send(asset.body),
    );
  }

  await app.register(healthPlugin, { ctx, shuttingDown: () => drain.draining });
  await app.register(kratosProxyPlugin, {
    kratosPublicUrl: config.kratos.publicUrl,
    publicUrl: config.publicUrl,
    sessionCookieName: config.kratos.sessionCookieName,
    guard: ctx.guard,
    onUpstreamSignIn: () => metrics.signIns.inc({ method: 'oidc', outcome: 'success' }),
    lockoutActions: (submission, request) =>
      lockoutActions(ctx, {
        flowId: submission.flowId,
        cookie: request.headers.cookie,
        requestReturnTo: new URLSearchParams(request.url.split('?')[1] ?? '').get('return_to') ?? undefined,
      }),
    async beforeLogout(cookie) {
      const session = await kratos.whoami(cookie).catch(() => undefined);
      if (!session) return undefined;
      return async () => {
        await bridge.endKratosSession(session.id, 'kratos_logout').catch((err: Error) => log.error({ err }, 'could not propagate a Kratos logout'));
      };
    },
  });
  await app.register(bridgePlugin, { bridge });
  await app.register(loginPagesPlugin, { ctx });
  await app.register(accountPagePlugin, { ctx });
  // Guesses of the admin token, per IP, whether sent as the API's bearer or at the console's
  // sign-in: one throttle, one bucket (the token opens both).
  const adminTokenThrottle = createSignInThrottle(storage);
  await admin.register(adminApiPlugin, { ctx, throttle: adminTokenThrottle });
  // The web console (console/): after the admin API, whose bearer check knows its routes by their config.
  await admin.register(consolePlugin, { ctx, imgOrigin: branding.imgOrigin, throttle: adminTokenThrottle });
  await admin.register(metricsPlugin, { metrics });

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
      await deps.tracing?.shutdown().catch((err: Error) => log.warn({ err }, 'could not export the last spans'));
    },
  };
}

/**
 * The token guard (guard/register-token-guard.ts) as a plugin of the public listener itself: its
 * hooks filter by path, so they must reach the provider's routes, which the bridge registers after
 * it. Its onRequest hook counts in the store, behind the hub request's.
 */
const tokenGuardPlugin = fp(async (app: FastifyInstance, o: { guard: Guard; tokenPath: string }) => registerTokenGuard(app, o.guard, o.tokenPath), {
  name: 'ssohub-token-guard',
  fastify: '5.x',
  dependencies: ['ssohub-hub-request'],
});

/**
 * The bridge's routes (Bridge.register: the provider under bridge.path, the interaction pages) as
 * an encapsulated route plugin. A route plugin only gets the listener's hooks registered before
 * it: the token guard's (on the token endpoint), the security headers', and the form parser the
 * consent form needs. The provider's hijacked replies bring their failures back to the hub's
 * error path themselves (mount-provider.ts); the interaction pages use the error handler.
 */
const bridgePlugin = fp(async (app: FastifyInstance, { bridge }: { bridge: Bridge }) => bridge.register(app), {
  name: 'ssohub-bridge',
  fastify: '5.x',
  encapsulate: true,
  dependencies: ['ssohub-hub-request', 'ssohub-error-handler', 'ssohub-security-headers', 'ssohub-token-guard', '@fastify/formbody'],
});
