import type { FastifyRequest } from 'fastify';

/** How an error is answered: the hub's page, the hub's JSON (API callers, the CLI), or an OAuth error. */
export type ErrorFormat = 'page' | 'json' | 'oauth';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Set on the routes that serve the OIDC provider: where it is mounted, so the error handler
     * answers errors raised before the provider runs (the token endpoint's throttling, a store
     * outage in a hook) the way the provider's endpoint would.
     */
    ssohubProviderPath?: string;
  }
}

// The provider's browser endpoints: authorization (and its resume), end_session (confirm,
// success) and the device flow's user code page. Every other provider endpoint (token,
// introspection, revocation, userinfo, jwks, registration, PAR, discovery) speaks JSON to apps.
const PROVIDER_PAGES = /^\/(auth|session\/end|device)(\/|$)/;

/** The format of an error on the provider endpoint at `subPath` (the path below its mount point). */
export function providerErrorFormat(subPath: string): 'page' | 'oauth' {
  let path = subPath;
  try {
    path = decodeURIComponent(subPath);
  } catch {
    // an undecodable path is no endpoint; answered as JSON like the provider's own 404
  }
  // The provider's router ignores case and trailing slashes: so does this.
  return PROVIDER_PAGES.test(path.toLowerCase()) ? 'page' : 'oauth';
}

/** True when the caller wants JSON (API clients, the CLI) rather than a page (browsers). */
export function wantsJson(request: FastifyRequest): boolean {
  const accept = String(request.headers.accept ?? '');
  return accept.includes('application/json') && !accept.includes('text/html');
}

/** The format of an error on this request: by endpoint under the provider, by Accept elsewhere. */
export function errorFormatOf(request: FastifyRequest): ErrorFormat {
  const providerPath = request.routeOptions?.config?.ssohubProviderPath;
  if (providerPath !== undefined) {
    const path = request.url.split('?')[0] ?? '';
    return providerErrorFormat(path.slice(providerPath.length) || '/');
  }
  return wantsJson(request) ? 'json' : 'page';
}
