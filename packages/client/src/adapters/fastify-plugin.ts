import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { SsoClient } from '../create-sso-client.ts';
import { SsoClientError } from '../errors.ts';
import { type SsoRouteRequirement, wantsHtml } from '../guard/check-access.ts';
import type { HandlerResponse } from '../logout/handle-backchannel-logout.ts';
import type { SsoSession } from '../session/session-record.ts';
import type { BeginSignInInput } from '../sign-in/begin-sign-in.ts';
import { renderError } from './render-error.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What this route asks of the SSO session; see SsoRouteRequirement. */
    sso?: SsoRouteRequirement;
  }
  interface FastifyRequest {
    /** This app's session for the request, or null when signed out. */
    ssoSession: SsoSession | null;
    /** A usable access token for the session (refreshed first when about to expire). */
    ssoAccessToken(): Promise<string>;
  }
  interface FastifyReply {
    /** Redirects the browser to sign in at the hub, then back to `returnTo`. */
    ssoSignIn(input?: BeginSignInInput): Promise<FastifyReply>;
    /** Sends the SDK's error page (or JSON) for an error. */
    ssoError(err: unknown): FastifyReply;
  }
  interface FastifyInstance {
    /** The SsoClient the plugin was registered with. */
    ssoClient: SsoClient;
  }
}

/** Options of {@link ssoFastify}. */
export interface SsoFastifyOptions {
  /** The client from `createSsoClient`. */
  client: SsoClient;
  /** Mount the built-in routes (login, callback, logout, global logout, back-channel logout). Default true. */
  routes?: boolean;
}

function send(reply: FastifyReply, response: HandlerResponse): FastifyReply {
  return reply.code(response.status).headers(response.headers).send(response.body);
}

function appendCookies(reply: FastifyReply, cookies: string[]): void {
  const existing = reply.getHeader('set-cookie');
  const list = existing === undefined ? [] : Array.isArray(existing) ? existing.map(String) : [String(existing)];
  reply.header('set-cookie', [...list, ...cookies]);
}

const plugin: FastifyPluginAsync<SsoFastifyOptions> = async (fastify, { client, routes = true }) => {
  if (!client || typeof client.loadSession !== 'function') throw new TypeError('SsoFastifyOptions.client must be an SsoClient from createSsoClient');
  const paths = client.options.routes;
  const loginPath = paths.login;

  fastify.decorate('ssoClient', client);
  fastify.decorateRequest('ssoSession', null);
  fastify.decorateRequest('ssoAccessToken', async function (this: FastifyRequest) {
    if (!this.ssoSession) throw new SsoClientError('SSOHUB_CLIENT_ERR_SESSION_REQUIRED', 'sign in first', { status: 401 });
    const token = await client.getAccessToken(this.ssoSession);
    if (token !== this.ssoSession.tokens.accessToken) this.ssoSession = (await client.loadSession(this.headers.cookie)) ?? null;
    return token;
  });
  fastify.decorateReply('ssoSignIn', async function (this: FastifyReply, input?: BeginSignInInput) {
    const start = await client.beginSignIn(input);
    appendCookies(this, [start.setCookie]);
    return this.header('cache-control', 'no-store').redirect(start.url.href, 303);
  });
  fastify.decorateReply('ssoError', function (this: FastifyReply, err: unknown) {
    if (!(err instanceof SsoClientError) || err.status >= 500) this.request.log.error({ err }, 'sso request failed');
    else this.request.log.info({ code: err.code }, 'sso request refused');
    return send(this, renderError(err, this.request.headers.accept, loginPath));
  });

  // A route that asks for an unknown level is a programming error: fail at startup.
  fastify.addHook('onRoute', (route) => {
    const acr = (route.config as { sso?: SsoRouteRequirement } | undefined)?.sso?.acr;
    if (acr !== undefined && !client.options.acrLevels.includes(acr)) {
      throw new TypeError(`route ${route.method} ${route.url}: config.sso.acr "${acr}" is not one of acrLevels (${client.options.acrLevels.join(', ')})`);
    }
  });

  // The per-request hot path: one store read when a session cookie is present, nothing otherwise.
  fastify.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.url === paths.backchannelLogout) return;
    request.ssoSession = (await client.loadSession(request.headers.cookie)) ?? null;
    const decision = client.checkAccess(request.ssoSession, request.routeOptions.config?.sso);
    if (decision.allow) return;
    if (wantsHtml(request.method, request.headers.accept)) {
      try {
        return await reply.ssoSignIn({ returnTo: request.url, ...(decision.reason === 'step_up' ? { acrValues: decision.acr } : {}) });
      } catch (err) {
        return reply.ssoError(err);
      }
    }
    // RFC 9470: the API caller learns which level to obtain.
    if (decision.reason === 'step_up') {
      return reply
        .code(401)
        .header('www-authenticate', `Bearer error="insufficient_user_authentication", acr_values="${decision.acr}"`)
        .send({ error: 'insufficient_user_authentication', acr_values: decision.acr });
    }
    return reply.code(401).header('cache-control', 'no-store').send({ error: 'session_required', login: loginPath });
  });

  if (!routes) return;

  fastify.get(paths.login, async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    try {
      return await reply.ssoSignIn({
        ...(typeof query['returnTo'] === 'string' ? { returnTo: query['returnTo'] } : {}),
        ...(typeof query['acr'] === 'string' ? { acrValues: query['acr'] } : {}),
        ...(typeof query['ui_locales'] === 'string' ? { uiLocales: query['ui_locales'] } : {}),
      });
    } catch (err) {
      return reply.ssoError(err);
    }
  });

  fastify.get(paths.callback, async (request, reply) => {
    try {
      const result = await client.completeSignIn(request.url, request.headers.cookie);
      appendCookies(reply, result.setCookies);
      request.ssoSession = result.session;
      return reply.header('cache-control', 'no-store').redirect(result.returnTo, 303);
    } catch (err) {
      // Whatever went wrong, this transaction is finished.
      appendCookies(reply, [`${client.transactionCookieName}=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax${client.options.secureCookies ? '; Secure' : ''}`]);
      return reply.ssoError(err);
    }
  });

  const logout = (global: boolean) => async (request: FastifyRequest, reply: FastifyReply) => {
    if (!client.isSameOrigin(request.headers.origin, request.headers['sec-fetch-site'])) {
      return reply.ssoError(new SsoClientError('SSOHUB_CLIENT_ERR_CROSS_ORIGIN', 'logout must be requested from this site', { status: 403 }));
    }
    try {
      const result = global ? await client.signOutGlobal(request.headers.cookie) : await client.signOutLocal(request.headers.cookie);
      appendCookies(reply, [result.setCookie]);
      request.ssoSession = null;
      return reply.header('cache-control', 'no-store').redirect(result.url.href, 303);
    } catch (err) {
      return reply.ssoError(err);
    }
  };
  fastify.post(paths.logout, logout(false));
  fastify.post(paths.globalLogout, logout(true));

  // Encapsulated so the form parser added here does not leak into the app.
  await fastify.register(async (child: FastifyInstance) => {
    if (!child.hasContentTypeParser('application/x-www-form-urlencoded')) {
      child.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => done(null, body));
    }
    child.post(paths.backchannelLogout, async (request, reply) => {
      try {
        const result = await client.handleBackchannelLogout(request.body as string | Record<string, unknown> | undefined);
        if (result.status === 200) request.log.info({ ended: result.ended }, 'sso back-channel logout');
        else request.log.warn({ reason: JSON.parse(result.body).error_description }, 'sso back-channel logout refused');
        return send(reply, result);
      } catch (err) {
        return reply.ssoError(err);
      }
    });
  });
};

/**
 * ssoFastify is the Fastify plugin of `@ssohub/client`: it loads `request.ssoSession` on every
 * request, guards routes that set `config.sso`, adds `reply.ssoSignIn()`, and mounts the login,
 * callback, logout, global logout and back-channel logout routes. No cookie plugin is needed.
 *
 * @example
 * ```ts
 * const client = await createSsoClient(options);
 * await app.register(ssoFastify, { client });
 * app.get('/account', { config: { sso: { required: true } } }, async (request) => request.ssoSession!.claims);
 * app.get('/billing', { config: { sso: { required: true, acr: 'aal2' } } }, billingHandler);
 * ```
 */
export const ssoFastify = fp(plugin, { name: '@ssohub/client', fastify: '5.x' });
