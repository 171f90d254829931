import type { FastifyInstance } from 'fastify';
import type { HubContext } from '../hub-context.ts';
import { adminActor } from './admin-actor.ts';

/** /admin/lockouts: the guard's current lockouts, and clearing them for one identifier. */
export function registerLockoutRoutes(admin: FastifyInstance, ctx: HubContext): void {
  admin.get('/admin/lockouts', async () => ({ lockouts: await ctx.guard.listLockouts() }));

  admin.delete<{ Params: { identifier: string } }>('/admin/lockouts/:identifier', async (request) => {
    // The guard records the one audit event of this action (guard.unlocked, with this actor):
    // recording another here would count every unlock twice (lockout.cleared, removed).
    const cleared = await ctx.guard.clearLockout(request.params.identifier, adminActor(request));
    return { identifier: request.params.identifier, cleared };
  });
}
