import { AsyncResource } from 'node:async_hooks';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { runHubRequest } from '../request/hub-request.ts';

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
    });
  });
  app.addHook('preValidation', (request, _reply, done) => {
    const resource = (request as ScopedRequest)[kScope];
    if (resource) resource.runInAsyncScope(done);
    else done();
  });
}
