import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { sampledTraceIdOf } from '../tracing/request-span.ts';
import { type HubMetrics, observeLatency } from './hub-metrics.ts';

/** The label of a request no route matched (404s, scanners): one series, whatever the URL was. */
export const UNMATCHED_ROUTE = 'unmatched';

// The provider's own name of the endpoint that answered (token, discovery, authorization…), by request.
const providerRoutes = new WeakMap<IncomingMessage, string>();

/**
 * A Koa middleware for the provider (mount-provider.ts): its requests all match one Fastify
 * route (`/oidc/*`), so the endpoint that answered is taken from the provider (`ctx.oidc.route`,
 * one of its fixed names) once it has routed the request, before Koa writes the answer.
 */
export async function recordProviderRoute(ctx: unknown, next: () => Promise<unknown>): Promise<unknown> {
  try {
    return await next();
  } finally {
    const c = ctx as { req: IncomingMessage; oidc?: { route?: unknown } };
    if (typeof c.oidc?.route === 'string') providerRoutes.set(c.req, c.oidc.route);
  }
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * The labels of one answered request. The route is Fastify's pattern (`/admin/clients/:id`,
 * the provider's `/oidc/*`), never the URL: a label per URL would let any client create series
 * without bound. A method outside the usual ones is `other` for the same reason.
 */
export function requestLabels(request: FastifyRequest, reply: FastifyReply): { route: string; method: string; status_class: string } {
  const route = request.is404 ? undefined : request.routeOptions.url;
  const provider = providerRoutes.get(request.raw);
  return {
    route: provider ? `provider:${provider}` : (route ?? UNMATCHED_ROUTE),
    method: METHODS.has(request.method) ? request.method : 'other',
    status_class: `${Math.floor(reply.statusCode / 100)}xx`,
  };
}

/**
 * Times every request of a listener into `ssohub_http_request_duration_seconds`. onResponse runs
 * when the response finished, hijacked ones included (the provider's, mount-provider.ts), and
 * `reply.elapsedTime` counts from the request's arrival.
 */
export const requestMetricsPlugin = fp(
  async (listener: FastifyInstance, { metrics }: { metrics: HubMetrics }) => {
    listener.addHook('onResponse', async (request, reply) => {
      observeLatency(metrics, metrics.http.duration, requestLabels(request, reply), reply.elapsedTime / 1000, metrics.exemplars ? sampledTraceIdOf(request) : undefined);
    });
  },
  { name: 'ssohub-request-metrics', fastify: '5.x' },
);
