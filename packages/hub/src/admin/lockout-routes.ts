import type { FastifyInstance } from 'fastify';
import { auditIdentifier } from '../guard/classify-submission.ts';
import type { HubContext } from '../hub-context.ts';
import { adminActor } from './admin-actor.ts';

/** /admin/lockouts: the guard's current lockouts, and clearing them for one identifier. */
export function registerLockoutRoutes(admin: FastifyInstance, ctx: HubContext): void {
  admin.get('/admin/lockouts', async () => ({ lockouts: await ctx.guard.listLockouts() }));

  admin.delete<{ Params: { identifier: string } }>('/admin/lockouts/:identifier', async (request) => {
    const actor = adminActor(request);
    const cleared = await ctx.guard.clearLockout(request.params.identifier, actor);
    // The same actor and masked subject as the guard's guard.unlocked for this clearing.
    ctx.audit.record({ type: 'lockout.cleared', actor, ...auditIdentifier(request.params.identifier), cleared, outcome: 'success' });
    return { identifier: request.params.identifier, cleared };
  });
}
