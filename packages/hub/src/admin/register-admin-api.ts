import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { SsoHubError } from '../errors/ssohub-error.ts';
import type { HubContext } from '../hub-context.ts';
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
 * included. docs/admin-api.md lists the routes.
 */
export async function registerAdminApi(admin: FastifyInstance, ctx: HubContext): Promise<void> {
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
    if (!checkAdminToken(bearerToken(request.headers.authorization), expected)) {
      ctx.audit.record({ type: 'admin.auth_failed', actor: request.ip, ip: request.ip, outcome: 'failure', route: request.routeOptions.url ?? request.url.split('?')[0] });
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
 * The admin API as a plugin of the admin listener itself (fastify-plugin), not an encapsulated
 * one: its token check and its JSON-only, no-store rules are hooks of the whole listener, so an
 * address no route answers (404) is closed too. Every admin route may touch the store (the
 * per-request scope) and its errors are the hub's JSON (the error handler).
 */
export const adminApiPlugin = fp(async (admin: FastifyInstance, { ctx }: { ctx: HubContext }) => registerAdminApi(admin, ctx), {
  name: 'ssohub-admin-api',
  fastify: '5.x',
  dependencies: ['ssohub-hub-request', 'ssohub-error-handler'],
});
