import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Registry } from 'prom-client';
import { clusterMetricsText } from '../metrics/cluster-metrics.ts';
import { type HubMetrics, processMetrics } from '../metrics/hub-metrics.ts';

/**
 * Serves the hub's Prometheus metrics on the admin listener, which binds to 127.0.0.1 by
 * default: counters name no identifier, so scraping needs no admin token. The hub's counters
 * come first, then the process metrics shared by every hub instance in the process.
 */
export function registerMetrics(admin: FastifyInstance, metrics: HubMetrics): void {
  const nodeMetrics = processMetrics(metrics.registry.contentType);
  admin.get('/metrics', async (request, reply) => {
    // In a cluster worker: every worker's metrics, summed (metrics/cluster-metrics.ts). Should the
    // primary fail to collect them all, this worker's own view rather than no answer.
    const aggregate = await clusterMetricsText()?.catch((err: Error) => {
      request.log.warn({ err: { message: err.message } }, 'serving this worker\'s metrics only');
      return undefined;
    });
    // The aggregate is Prometheus text whatever the workers' format: exemplars (OpenMetrics) are
    // served by a hub in one process only (docs/runbook.md).
    if (aggregate !== undefined) return reply.type(Registry.PROMETHEUS_CONTENT_TYPE).header('cache-control', 'no-store').send(aggregate);
    const [own, node] = await Promise.all([metrics.registry.metrics(), nodeMetrics.metrics()]);
    // OpenMetrics ends each registry's text with `# EOF`: one, at the very end.
    const body = metrics.exemplars ? `${own.replace(/# EOF\n$/, '')}${node}` : `${own}\n${node}`;
    return reply.type(metrics.registry.contentType).header('cache-control', 'no-store').send(body);
  });
}

/**
 * /metrics as an encapsulated route plugin of the admin listener. Scraping may read the store
 * (the back-channel queue's depth: the per-request scope); it needs no token (the admin API lets
 * it through), so it does not depend on the admin API.
 */
export const metricsPlugin = fp(async (admin: FastifyInstance, { metrics }: { metrics: HubMetrics }) => registerMetrics(admin, metrics), {
  name: 'ssohub-metrics',
  fastify: '5.x',
  encapsulate: true,
  dependencies: ['ssohub-hub-request', 'ssohub-error-handler'],
});
