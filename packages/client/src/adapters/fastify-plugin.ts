import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { SsoClient } from '../create-sso-client.ts';
import { SsoClientError } from '../errors.ts';
import type { SsoRouteRequirement } from '../guard/check-access.ts';
import type { BackchannelLogoutBody, HandlerResponse } from '../logout/handle-backchannel-logout.ts';
import type { SsoSession } from '../session/session-record.ts';
import type { BeginSignInInput } from '../sign-in/begin-sign-in.ts';
import { renderError } from './render-error.ts';
import { answerSsoRoute, MAX_BACKCHANNEL_BODY, refusalAnswer, type SsoAnswer, type SsoRouteInput, type SsoRouteName } from './sso-endpoints.ts';

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
    logFailure(this.request, err);
    return send(this, renderError(err, this.request.headers.accept, loginPath));
  });

  // A route that asks for an unknown level is a programming error: fail at startup.
  fastify.addHook('onRoute', (route) => {
    const acr = (route.config as { sso?: SsoRouteRequirement } | undefined)?.sso?.acr;
    if (acr !== undefined && !client.options.acrLevels.includes(acr)) {
      throw new TypeError(`route ${route.method} ${route.url}: config.sso.acr "${acr}" is not one of acrLevels (${client.options.acrLevels.join(', ')})`);
    }
  });

  /** Sends a shared answer: its cookies appended, its failure logged as `reply.ssoError` logs. */
  const answerWith = (request: FastifyRequest, reply: FastifyReply, answer: SsoAnswer): FastifyReply => {
    if (answer.error !== undefined) logFailure(request, answer.error);
    if (answer.session !== undefined) request.ssoSession = answer.session;
    appendCookies(reply, answer.cookies);
    return send(reply, answer);
  };
  const inputOf = (request: FastifyRequest): SsoRouteInput => ({
    url: request.url,
    cookie: request.headers.cookie,
    accept: request.headers.accept,
    origin: request.headers.origin,
    secFetchSite: request.headers['sec-fetch-site'],
    readBody: async () => request.body as BackchannelLogoutBody,
  });

  // The per-request hot path: one store read when a session cookie is present, nothing otherwise.
  fastify.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.url === paths.backchannelLogout) return;
    request.ssoSession = (await client.loadSession(request.headers.cookie)) ?? null;
    const decision = client.checkAccess(request.ssoSession, request.routeOptions.config?.sso);
    if (decision.allow) return;
    return answerWith(request, reply, await refusalAnswer(client, decision, { method: request.method, accept: request.headers.accept, returnTo: request.url }));
  });

  if (!routes) return;

  const route = (name: SsoRouteName) => async (request: FastifyRequest, reply: FastifyReply) =>
    answerWith(request, reply, await answerSsoRoute(client, name, inputOf(request)));
  // GET only, as the other adapters: Fastify would add HEAD to each, and a HEAD on the callback
  // would spend the sign-in's one-use state.
  fastify.get(paths.login, { exposeHeadRoute: false }, route('login'));
  fastify.get(paths.callback, { exposeHeadRoute: false }, route('callback'));
  fastify.post(paths.logout, route('logout'));
  fastify.post(paths.globalLogout, route('globalLogout'));

  // Encapsulated so the form parser added here does not leak into the app.
  await fastify.register(async (child: FastifyInstance) => {
    if (!child.hasContentTypeParser('application/x-www-form-urlencoded')) {
      child.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: MAX_BACKCHANNEL_BODY }, (_req, body, done) => done(null, body));
    }
    child.post(paths.backchannelLogout, async (request, reply) => {
      const answer = await answerSsoRoute(client, 'backchannelLogout', inputOf(request));
      if (answer.status === 200) request.log.info({ ended: answer.ended }, 'sso back-channel logout');
      else if (answer.error === undefined) request.log.warn({ reason: JSON.parse(answer.body).error_description }, 'sso back-channel logout refused');
      return answerWith(request, reply, answer);
    });
  });
};

function logFailure(request: FastifyRequest, err: unknown): void {
  if (!(err instanceof SsoClientError) || err.status >= 500) request.log.error({ err }, 'sso request failed');
  else request.log.info({ code: err.code }, 'sso request refused');
}

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
