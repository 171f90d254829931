import type { FastifyInstance, FastifyRequest } from 'fastify';
import { canonicalPath } from '../bridge/sessions/provider-hooks.ts';
import type { Guard } from './guard.ts';

/**
 * Throttles the OIDC provider's token endpoint (`tokenPath`, Bridge.tokenPath: its mount path and
 * the provider's own route) with app-level hooks that filter by path, so it holds however the
 * provider is mounted. onRequest sees the IP and a
 * client_secret_basic client id before any body is read; when Fastify parsed a form body, a
 * preHandler adds the client_id of client_secret_post and public clients.
 */
export function registerTokenGuard(app: FastifyInstance, guard: Guard, tokenPath: string): void {
  const token = tokenPath.toLowerCase();
  const checked = new WeakSet<FastifyRequest>();
  // The provider's router ignores case and trailing slashes: /oidc/TOKEN is the token endpoint too.
  const isToken = (request: FastifyRequest) => request.method === 'POST' && canonicalPath(request.url.split('?')[0] ?? '') === token;

  app.addHook('onRequest', async (request) => {
    if (!isToken(request)) return;
    const clientId = basicClientId(request.headers.authorization);
    await guard.checkTokenRequest({ ip: request.ip, clientId });
    if (clientId) checked.add(request);
  });
  app.addHook('preHandler', async (request) => {
    if (!isToken(request) || checked.has(request)) return;
    const body = request.body as Record<string, unknown> | undefined;
    const clientId = body && typeof body === 'object' && typeof body.client_id === 'string' ? body.client_id : undefined;
    // The IP was already counted in onRequest; only the client bucket is taken here.
    if (clientId) await guard.checkTokenRequest({ clientId });
  });
}

/** The client id of `Authorization: Basic base64(urlencode(id):urlencode(secret))` (RFC 6749 2.3.1). */
export function basicClientId(header: string | undefined): string | undefined {
  const m = /^basic\s+([A-Za-z0-9+/=._-]+)\s*$/i.exec(header ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  try {
    return decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
  } catch {
    return decoded.slice(0, colon);
  }
}
