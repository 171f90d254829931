import { type SsoClient, ssoApiFastify } from '@ssohub/client';
import type { FastifyInstance } from 'fastify';

/**
 * registerApi mounts the demo app's own API, `GET /api/me`, behind the SDK's resource-server
 * plugin (`ssoApiFastify`): only an active access token the hub issued to THIS client passes.
 * Refresh tokens, ID tokens, other clients' tokens and garbage get 401 `invalid_token`; only a
 * hub that cannot be asked gets 503.
 *
 * @example
 * ```ts
 * await registerApi(app, client);
 * // GET /api/me with `Authorization: Bearer <access token>` → { app, sub, scope }
 * ```
 */
export async function registerApi(app: FastifyInstance, client: SsoClient): Promise<void> {
  await app.register(ssoApiFastify, { client });
  app.get('/api/me', { config: { ssoApi: true } }, async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const token = request.ssoApiToken!;
    return { app: client.options.clientId, sub: token.sub, scope: token.scopes.length > 0 ? token.scopes.join(' ') : null };
  });
}
