import type { FastifyInstance } from 'fastify';
import type { HubMetrics } from '../metrics/hub-metrics.ts';

/**
 * Serves the hub's Prometheus metrics on the admin listener, which binds to 127.0.0.1 by
 * default: counters name no identifier, so scraping needs no admin token.
 */
export function registerMetrics(admin: FastifyInstance, metrics: HubMetrics): void {
  admin.get('/metrics', async (_request, reply) =>
    reply.type(metrics.registry.contentType).header('cache-control', 'no-store').send(await metrics.registry.metrics()),
  );
}
