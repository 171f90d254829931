import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { createSignInThrottle, type SignInThrottle } from '../console/sign-in-throttle.ts';
import { SsoHubError } from '../errors/ssohub-error.ts';
import type { HubContext } from '../hub-context.ts';
import { isStoreUnavailable } from '../storage/store-unavailable.ts';
import { adminHostNames, registerAdminHostCheck } from './admin-host-check.ts';
import { registerAuditRoutes } from './audit-routes.ts';
import { registerBackchannelRoutes } from './backchannel-routes.ts';
import { bearerToken, checkAdminToken } from './check-admin-token.ts';
import { registerClientRoutes } from './client-routes.ts';
import { registerDoctorRoutes } from './doctor-routes.ts';
import { registerLockoutRoutes } from './lockout-routes.ts';
import { registerLogoutTokenRoutes } from './logout-token-routes.ts';
import { registerSessionRoutes } from './session-routes.ts';
import { registerUserRoutes } from './user-routes.ts';

export const ADMIN_PREFIX = '/admin';

/** Route config of the web console's routes: they authenticate with a console session instead of the bearer token. */
export interface ConsoleRouteConfig {
  ssohubConsole?: true;
}

function isConsoleRoute(config: unknown): boolean {
  return typeof config === 'object' && config !== null && (config as ConsoleRouteConfig).ssohubConsole === true;
}
/** The only routes of the admin listener that answer without the token. */
const OPEN_ROUTES = new Set(['/metrics']);

/**
 * The admin API on its own listener (127.0.0.1 by default). Every /admin/* request needs
 * `Authorization: Bearer <admin.token>`, compared in constant time; answers are JSON, errors
 * included. Wrong bearer tokens are throttled per IP in the bucket of the console's sign-in
 * (`throttle`, console/sign-in-throttle.ts): the same token opens both. docs/admin-api.md lists the routes.
 */
export async function registerAdminApi(admin: FastifyInstance, ctx: HubContext, throttle: SignInThrottle): Promise<void> {
  // First of the listener's own rules, before any credential is looked at: a Host the listener
  // does not answer to is DNS rebinding (admin-host-check.ts). Every route, console's included.
  registerAdminHostCheck(admin, adminHostNames(ctx.config.admin));
  admin.addHook('onRequest', async (request) => {
    // Decided on the route the router matched, never on the raw URL: `/%61dmin/clients` and
    // absolute-form request lines reach the same handlers. Everything is closed by default.
    if (request.routeOptions.url !== undefined && OPEN_ROUTES.has(request.routeOptions.url)) return;
    // The console's pages check their own credentials (a short console session, console/), and
    // answer HTML: only routes the console declared as its own skip the bearer check.
    if (isConsoleRoute(request.routeOptions.config)) return;
    // The admin API speaks JSON only, whatever the caller's Accept header says.
    request.headers.accept = 'application/json';
    const expected = ctx.config.admin.token;
    if (expected === undefined) {
      throw new SsoHubError('SSOHUB_ERR_UNAUTHORIZED', 'the admin API is disabled: admin.token is not configured; set SSOHUB_ADMIN_TOKEN on the hub and restart it', { status: 401, headers: { 'www-authenticate': 'Bearer' } });
    }
    const presented = bearerToken(request.headers.authorization);
    // No bearer token guesses nothing: refused without a look at the store. A presented one is
    // judged only while its IP has an attempt left, so a guesser past its burst learns nothing,
    // not even from the right token.
    if (presented !== undefined) {
      const waitMs = await guarded(request, () => throttle.wait(request.ip));
      if (waitMs !== undefined) {
        const seconds = Math.max(1, Math.ceil(waitMs / 1000));
        request.log.warn({ ip: request.ip, retryAfterSeconds: seconds }, 'admin API throttled');
        throw new SsoHubError('SSOHUB_ERR_THROTTLED', `too many wrong admin tokens from this address (the console's sign-in counts too): try again in ${seconds} s`, { status: 429, headers: { 'retry-after': String(seconds) } });
      }
    }
    if (!checkAdminToken(presented, expected)) {
      ctx.audit.record({ type: 'admin.auth_failed', actor: request.ip, ip: request.ip, outcome: 'failure', route: request.routeOptions.url ?? request.url.split('?')[0] });
      if (presented !== undefined) await guarded(request, () => throttle.take(request.ip));
      throw new SsoHubError('SSOHUB_ERR_UNAUTHORIZED', 'missing or wrong admin token: send Authorization: Bearer <token> with the hub\'s admin.token (SSOHUB_ADMIN_TOKEN)', { status: 401, headers: { 'www-authenticate': 'Bearer' } });
    }
  });
  admin.addHook('onSend', async (request, reply) => {
    if (!OPEN_ROUTES.has(request.routeOptions.url ?? '')) reply.header('cache-control', 'no-store');
  });
  registerClientRoutes(admin, ctx);
  registerSessionRoutes(admin, ctx);
  registerLockoutRoutes(admin, ctx);
  registerAuditRoutes(admin, ctx);
  registerDoctorRoutes(admin, ctx);
  registerLogoutTokenRoutes(admin, ctx);
  registerUserRoutes(admin, ctx);
  registerBackchannelRoutes(admin, ctx);
}

/**
 * The throttle's answer, or undefined (no limit) while the store cannot answer: the admin API is
 * what an operator reaches for during an outage (`ssohub doctor`, sessions), and a token of 24
 * characters or more is not guessed in the minutes Redis is away. Logged each time.
 */
async function guarded(request: FastifyRequest, call: () => Promise<number | undefined>): Promise<number | undefined> {
  try {
    return await call();
  } catch (err) {
    if (!isStoreUnavailable(err)) throw err;
    request.log.warn({ err, ip: request.ip }, 'admin token throttle unavailable: the store does not answer');
    return undefined;
  }
}

/**
 * The admin API as a plugin of the admin listener itself (fastify-plugin), not an encapsulated
 * one: its Host check, token check and JSON-only, no-store rules are hooks of the whole listener,
 * so an address no route answers (404) is closed too. Every admin route may touch the store (the
 * per-request scope) and its errors are the hub's JSON (the error handler). `throttle` is the one
 * the console's sign-in counts in too (app.ts); absent, one of its own.
 */
export const adminApiPlugin = fp(
  async (admin: FastifyInstance, { ctx, throttle }: { ctx: HubContext; throttle?: SignInThrottle }) => registerAdminApi(admin, ctx, throttle ?? createSignInThrottle(ctx.storage)),
  { name: 'ssohub-admin-api', fastify: '5.x', dependencies: ['ssohub-hub-request', 'ssohub-error-handler'] },
);
