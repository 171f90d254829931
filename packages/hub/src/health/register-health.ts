import type { FastifyInstance } from 'fastify';
import type { HubContext } from '../hub-context.ts';

/**
 * /health/alive says the process serves requests. /health/ready checks Kratos (public and admin),
 * the store, and names the store in use, so a surprise backend shows up in every probe.
 */
export function registerHealth(app: FastifyInstance, ctx: HubContext): void {
  app.get('/health/alive', async () => ({ status: 'ok' }));
  app.get('/health/ready', async (_request, reply) => {
    const [kratosPublic, kratosAdmin, store] = await Promise.all([
      ctx.kratos.publicAlive().then((ok) => (ok ? { ok } : { ok, error: 'Kratos public API is not answering' })),
      ctx.kratos.readiness().then(({ ready, errors }) => (ready ? { ok: true } : { ok: false, error: Object.values(errors).join('; ') })),
      pingStore(ctx),
    ]);
    const checks = { kratosPublic, kratosAdmin, store: { ...store, backend: ctx.storage.description } };
    const ok = kratosPublic.ok && kratosAdmin.ok && store.ok;
    return reply.status(ok ? 200 : 503).header('cache-control', 'no-store').send({ status: ok ? 'ok' : 'unavailable', checks });
  });
}

async function pingStore(ctx: HubContext): Promise<{ ok: boolean; error?: string }> {
  if (ctx.storage.kind === 'memory') return { ok: true };
  try {
    await ctx.storage.redis.ping();
    return { ok: true };
  } catch (err) {
    return { ok: false, error: `Redis: ${(err as Error).message}` };
  }
}
