import { AsyncResource } from 'node:async_hooks';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
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
    }, new HubRequest(request.id));
  });
  app.addHook('preValidation', (request, _reply, done) => {
    const resource = (request as ScopedRequest)[kScope];
    if (resource) resource.runInAsyncScope(done);
    else done();
  });
}

/**
 * registerHubRequest as a plugin of the listener itself (fastify-plugin: its hooks must reach every
 * route). Register it first on both listeners: every plugin that touches the store lists it in
 * its `dependencies`, so registering one of them before it fails at startup.
 */
export const hubRequestPlugin = fp(async (app: FastifyInstance) => registerHubRequest(app), { name: 'ssohub-hub-request', fastify: '5.x' });
