import { AsyncResource } from 'node:async_hooks';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { cookieValue } from './cookie-value.ts';
import { LANGUAGE_COOKIE, type LocaleSources, UI_LOCALES_COOKIE } from '../i18n/negotiate-locale.ts';
import { HubRequest, runHubRequest } from '../request/hub-request.ts';

const kScope = Symbol('ssohub.hubRequest');

type ScopedRequest = FastifyRequest & { [kScope]?: AsyncResource };

/**
 * Gives every request its HubRequest (request/hub-request.ts): the store scope that stops a
 * request waiting on a Redis it has seen fail (storage/store-scope.ts), and what the bridge learns
 * while answering it. Registered before any other hook.
 *
 * The scope is entered in onRequest and entered again in preValidation: a body is read from
 * socket events, whose callbacks run in the connection's async context rather than the
 * request's, and the rest of the lifecycle (handler included) runs from the end of that read.
 * The same approach as @fastify/request-context.
 */
export function registerHubRequest(app: FastifyInstance): void {
  app.addHook('onRequest', (request, _reply, done) => {
    runHubRequest(() => {
      (request as ScopedRequest)[kScope] = new AsyncResource('ssohub.request');
      done();
    }, new HubRequest(request.id, () => localeSourcesOf(request)));
  });
  app.addHook('preValidation', (request, _reply, done) => {
    const resource = (request as ScopedRequest)[kScope];
    if (resource) resource.runInAsyncScope(done);
    else done();
  });
}

/**
 * What the request says about its language. Read from the raw Cookie header: the hook runs before
 * @fastify/cookie has parsed it, and only two short cookie values matter here.
 */
function localeSourcesOf(request: FastifyRequest): LocaleSources {
  const query = request.query as { ui_locales?: unknown } | undefined;
  const cookies = request.headers.cookie;
  const header = request.headers['accept-language'];
  return {
    uiLocales: typeof query?.ui_locales === 'string' ? query.ui_locales : undefined,
    uiLocalesCookie: cookieValue(cookies, UI_LOCALES_COOKIE),
    pickerCookie: cookieValue(cookies, LANGUAGE_COOKIE),
    acceptLanguage: typeof header === 'string' ? header : undefined,
  };
}


/**
 * registerHubRequest as a plugin of the listener itself (fastify-plugin: its hooks must reach every
 * route). Register it first on both listeners: every plugin that touches the store lists it in
 * its `dependencies`, so registering one of them before it fails at startup.
 */
export const hubRequestPlugin = fp(async (app: FastifyInstance) => registerHubRequest(app), { name: 'ssohub-hub-request', fastify: '5.x' });
