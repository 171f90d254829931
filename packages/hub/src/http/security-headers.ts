import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * Security headers for every answer of the login domain. Pages need no script; styles come from
 * the hub's own stylesheet. form-action is left open because a form on the login domain (login,
 * consent, logout) legitimately ends in a redirect to a client app's registered callback.
 */
export function contentSecurityPolicy({ imgOrigin }: { imgOrigin?: string | undefined } = {}): string {
  return [
    "default-src 'none'",
    "style-src 'self'",
    // A logo given as a URL (branding.logo) adds its origin, and only that.
    `img-src 'self' data:${imgOrigin ? ` ${imgOrigin}` : ''}`,
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export const CONTENT_SECURITY_POLICY = contentSecurityPolicy();

/**
 * The headers every answer of the login domain carries, CSP included (a route may set its own
 * CSP; the hook keeps it). Also written by the answers Node's parser triggers before any route
 * exists (http/client-errors.ts).
 */
export function securityHeaders({ https, imgOrigin }: { https: boolean; imgOrigin?: string | undefined }): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy({ imgOrigin }),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'strict-origin-when-cross-origin',
    'cross-origin-opener-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
    ...(https ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } : {}),
  };
}

export function registerSecurityHeaders(app: FastifyInstance, { https, imgOrigin }: { https: boolean; imgOrigin?: string | undefined }): void {
  const { 'content-security-policy': csp, ...always } = securityHeaders({ https, imgOrigin });
  app.addHook('onSend', async (_request, reply, payload) => {
    if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', csp);
    reply.headers(always);
    return payload;
  });
}

/**
 * registerSecurityHeaders as a plugin of the listener itself (fastify-plugin): its onSend hook
 * must reach every route. A route plugin only gets the hooks its parent had when it was
 * registered, so every route group of the public listener lists this one in its `dependencies`.
 */
export const securityHeadersPlugin = fp(async (app: FastifyInstance, opts: { https: boolean; imgOrigin?: string | undefined }) => registerSecurityHeaders(app, opts), {
  name: 'ssohub-security-headers',
  fastify: '5.x',
});
