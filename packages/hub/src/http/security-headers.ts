import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * Security headers for every answer of the login domain. Pages need no script; styles come from
 * the hub's own stylesheet. form-action is left open because a form on the login domain (login,
 * consent, logout) legitimately ends in a redirect to a client app's registered callback.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "style-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The headers every answer of the login domain carries, CSP included (a route may set its own
 * CSP; the hook keeps it). Also written by the answers Node's parser triggers before any route
 * exists (http/client-errors.ts).
 */
export function securityHeaders({ https }: { https: boolean }): Record<string, string> {
  return {
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'strict-origin-when-cross-origin',
    'cross-origin-opener-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
    ...(https ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } : {}),
  };
}

export function registerSecurityHeaders(app: FastifyInstance, { https }: { https: boolean }): void {
  const { 'content-security-policy': csp, ...always } = securityHeaders({ https });
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
export const securityHeadersPlugin = fp(async (app: FastifyInstance, opts: { https: boolean }) => registerSecurityHeaders(app, opts), {
  name: 'ssohub-security-headers',
  fastify: '5.x',
});
