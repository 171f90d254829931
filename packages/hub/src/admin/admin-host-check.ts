import type { FastifyInstance } from 'fastify';
import type { HubConfig } from '../config/hub-config.ts';
import { SsoHubError } from '../errors/ssohub-error.ts';

/** The names every admin listener answers to: loopback's, which a tunnel or port-forward keeps. */
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/**
 * The host names the admin listener answers to: loopback's, its own listen address (`admin.host`,
 * an IPv6 address in brackets as a Host header writes it) and `admin.allowedHosts`, lower case.
 */
export function adminHostNames(admin: Pick<HubConfig['admin'], 'host' | 'allowedHosts'>): ReadonlySet<string> {
  const own = admin.host.includes(':') && !admin.host.startsWith('[') ? `[${admin.host}]` : admin.host;
  return new Set([...LOOPBACK_NAMES, own, ...admin.allowedHosts].map((name) => name.toLowerCase()));
}

/**
 * Answers 421 to a request whose Host names another host (DNS rebinding): a page an admin opens
 * could otherwise point its own name at 127.0.0.1 and read the listener from the admin's browser,
 * the console's same-origin check included, which compares Origin with this very Host. Runs
 * before any credential is looked at. The name is the one the console's check reads
 * (`request.host`: X-Forwarded-Host only from a proxy `admin.trustProxy` trusts); the port is not
 * judged, a tunnel may map any.
 */
export function registerAdminHostCheck(admin: FastifyInstance, names: ReadonlySet<string>): void {
  admin.addHook('onRequest', async (request) => {
    if (names.has(request.hostname.toLowerCase())) return;
    // The admin API's errors are JSON whatever the Accept header says; the console's follow it.
    if (request.routeOptions.config?.ssohubConsole !== true) request.headers.accept = 'application/json';
    throw new SsoHubError(
      'SSOHUB_ERR_BAD_REQUEST',
      'misdirected request: the admin listener answers only to localhost, 127.0.0.1, [::1], admin.host and the names in admin.allowedHosts (SSOHUB_ADMIN_ALLOWED_HOSTS); add the name you reach it by there if it is yours',
      { status: 421 },
    );
  });
}
