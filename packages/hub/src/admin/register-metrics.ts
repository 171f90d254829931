import type { FastifyInstance } from 'fastify';
import { type HubMetrics, processMetrics } from '../metrics/hub-metrics.ts';

/**
 * Serves the hub's Prometheus metrics on the admin listener, which binds to 127.0.0.1 by
 * default: counters name no identifier, so scraping needs no admin token. The hub's counters
 * come first, then the process metrics shared by every hub instance in the process.
 */
export function registerMetrics(admin: FastifyInstance, metrics: HubMetrics): void {
  const nodeMetrics = processMetrics();
  admin.get('/metrics', async (_request, reply) => {
    const [own, node] = await Promise.all([metrics.registry.metrics(), nodeMetrics.metrics()]);
    return reply.type(metrics.registry.contentType).header('cache-control', 'no-store').send(`${own}\n${node}`);
  });
}
