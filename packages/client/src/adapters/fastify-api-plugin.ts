import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import type { SsoClient } from '../create-sso-client.ts';
import type { HandlerResponse } from '../logout/handle-backchannel-logout.ts';
import { type AccessTokenVerifier, type AccessTokenVerifierOptions, createAccessTokenVerifier, type VerifiedAccessToken } from '../resource/access-token-verifier.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** This route is the app's API: it needs a bearer access token issued to this app (see ssoApiFastify). */
    ssoApi?: boolean;
  }
  interface FastifyRequest {
    /** The verified bearer access token on `config.ssoApi` routes; null elsewhere. */
    ssoApiToken: VerifiedAccessToken | null;
  }
  interface FastifyInstance {
    /** The verifier ssoApiFastify checks bearer tokens with (for routes that check by hand). */
    ssoApiVerifier: AccessTokenVerifier;
  }
}

/** Options of {@link ssoApiFastify}: the client, and the verifier's timeout and cache settings. */
export interface SsoApiFastifyOptions extends AccessTokenVerifierOptions {
  /** The client from `createSsoClient` (a confidential client: it introspects with its own credentials). */
  client: SsoClient;
}

function send(reply: FastifyReply, response: HandlerResponse): FastifyReply {
  return reply.code(response.status).headers(response.headers).send(response.body);
}

const plugin: FastifyPluginAsync<SsoApiFastifyOptions> = async (fastify, { client, ...options }) => {
  if (!client || typeof client.loadSession !== 'function') throw new TypeError('SsoApiFastifyOptions.client must be an SsoClient from createSsoClient');
  const verifier = createAccessTokenVerifier(client, options);
  fastify.decorate('ssoApiVerifier', verifier);
  fastify.decorateRequest('ssoApiToken', null);
  fastify.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config?.ssoApi !== true) return;
    const result = await verifier.check(request.headers.authorization);
    if (result.ok) {
      request.ssoApiToken = result.token;
      return;
    }
    if (result.error.status >= 500) request.log.error({ err: result.error }, 'sso api: the hub could not check a bearer token');
    else request.log.info({ code: result.error.code, reason: result.error.message }, 'sso api: bearer token refused');
    return send(reply, result.response);
  });
};

/**
 * ssoApiFastify is the resource-server plugin of `@ssohub/client` for an app's own API: routes
 * with `config: { ssoApi: true }` accept only a bearer access token the hub issued to THIS app
 * (see {@link createAccessTokenVerifier}: introspection with the app's credentials, Bearer
 * `token_type`, this app's `client_id`, not expired; cached a few seconds). The verified token is
 * `request.ssoApiToken`. A refused token gets 401 with `WWW-Authenticate: Bearer
 * error="invalid_token"`; an unreachable or failing hub gets 503. Other routes are untouched, so
 * it sits next to {@link ssoFastify} in the same app.
 *
 * @example
 * ```ts
 * const client = await createSsoClient(options);
 * await app.register(ssoApiFastify, { client, cacheTtl: 5 });
 * app.get('/api/me', { config: { ssoApi: true } }, async (request) => ({ sub: request.ssoApiToken!.sub }));
 * ```
 */
export const ssoApiFastify = fp(plugin, { name: '@ssohub/client/api', fastify: '5.x' });
