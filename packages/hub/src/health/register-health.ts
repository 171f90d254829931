import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { HubContext } from '../hub-context.ts';
import { pingStore } from '../storage/ping-store.ts';
import { type CheckResult, withDeadline } from './with-deadline.ts';

/**
 * Each dependency check gets this long; they run in parallel, so /health/ready always answers
 * within about a second, below the probes' own timeouts (Caddy's health_timeout and the chart's
 * readinessProbe.timeoutSeconds are 3 s). A probe that times out says nothing about which
 * dependency hung; a 503 naming it does.
 */
export const READY_CHECK_TIMEOUT_MS = 1_000;

export interface HealthOptions {
  /** True once the hub is shutting down: readiness then answers 503 without checking anything. */
  shuttingDown: () => boolean;
}

/**
 * Three probes, for three askers:
 * - /health/alive: the process serves requests (liveness: restart it when this fails).
 * - /health/serving: this instance takes traffic: 200 until it starts shutting down, then 503
 *   `shutting-down`, so load balancers and readiness probes stop sending new requests before the
 *   listener closes. It checks no dependency on purpose: Redis and Kratos are shared by every
 *   instance, so taking instances out of rotation when they fail would take all of them out at
 *   once and turn the hub's own 503 page (Retry-After, reference) into the proxy's bare error.
 * - /health/ready: whether the hub can serve sign-ins now: Kratos (public and admin) and the
 *   store, each within a deadline, naming the store in use, for people, monitors and `doctor`.
 *   It also answers 503 `shutting-down` while the hub stops.
 */
export function registerHealth(app: FastifyInstance, ctx: HubContext, { shuttingDown }: HealthOptions): void {
  app.get('/health/alive', async () => ({ status: 'ok' }));
  app.get('/health/serving', async (_request, reply) =>
    reply
      .header('cache-control', 'no-store')
      .status(shuttingDown() ? 503 : 200)
      .send({ status: shuttingDown() ? 'shutting-down' : 'serving' }),
  );
  app.get('/health/ready', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    if (shuttingDown()) return reply.status(503).send({ status: 'shutting-down' });
    const [kratosPublic, kratosAdmin, store] = await Promise.all([
      withDeadline('Kratos public API', READY_CHECK_TIMEOUT_MS, async () =>
        (await ctx.kratos.publicAlive()) ? { ok: true } : { ok: false, error: 'Kratos public API is not answering' },
      ),
      withDeadline('Kratos admin API', READY_CHECK_TIMEOUT_MS, async () => {
        const { ready, errors } = await ctx.kratos.readiness();
        return ready ? { ok: true } : { ok: false, error: Object.values(errors).join('; ') };
      }),
      withDeadline('Redis', READY_CHECK_TIMEOUT_MS, () => checkStore(ctx)),
    ]);
    const checks = { kratosPublic, kratosAdmin, store: { ...store, backend: ctx.storage.description } };
    const ok = kratosPublic.ok && kratosAdmin.ok && store.ok;
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', checks });
  });
}

/**
 * The probes as an encapsulated route plugin of the public listener. It needs the per-request
 * scope (/health/ready pings the store), the hub's error handler and the security headers on the
 * listener before it.
 */
export const healthPlugin = fp(async (app: FastifyInstance, { ctx, ...options }: HealthOptions & { ctx: HubContext }) => registerHealth(app, ctx, options), {
  name: 'ssohub-health',
  fastify: '5.x',
  encapsulate: true,
  dependencies: ['ssohub-hub-request', 'ssohub-error-handler', 'ssohub-security-headers'],
});

async function checkStore(ctx: HubContext): Promise<CheckResult> {
  if (ctx.storage.kind === 'memory') return { ok: true };
  await pingStore(ctx.storage.redis, ctx.storage.prefix);
  return { ok: true };
}
