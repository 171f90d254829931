import { AsyncResource } from 'node:async_hooks';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { runInStoreScope } from '../storage/store-scope.ts';

const kScope = Symbol('ssohub.storeScope');

type ScopedRequest = FastifyRequest & { [kScope]?: AsyncResource };

/**
 * Gives every request its own store scope (storage/store-scope.ts), so a request that has seen
 * Redis fail stops waiting on it. Registered before any other hook.
 *
 * The scope is entered in onRequest and entered again in preValidation: a body is read from
 * socket events, whose callbacks run in the connection's async context rather than the
 * request's, and the rest of the lifecycle (handler included) runs from the end of that read.
 * The same approach as @fastify/request-context.
 */
export function registerRequestStoreScope(app: FastifyInstance): void {
  app.addHook('onRequest', (request, _reply, done) => {
    runInStoreScope(() => {
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
