import type { FastifyInstance } from 'fastify';
import { type Static, Type } from 'typebox';
import type { HubContext } from '../hub-context.ts';
import { adminActor } from './admin-actor.ts';
import { NoBody } from './admin-schemas.ts';

/** The identifier as the user typed it at sign-in; the guard normalizes it. */
const LockoutParams = Type.Object({ identifier: Type.String({ minLength: 1 }) });

/** /admin/lockouts: the guard's current lockouts, and clearing them for one identifier. */
export function registerLockoutRoutes(admin: FastifyInstance, ctx: HubContext): void {
  admin.get('/admin/lockouts', async () => ({ lockouts: await ctx.guard.listLockouts() }));

  admin.delete<{ Params: Static<typeof LockoutParams> }>('/admin/lockouts/:identifier', { schema: { params: LockoutParams, body: NoBody } }, async (request) => {
    // The guard records the one audit event of this action (guard.unlocked, with this actor):
    // recording another here would count every unlock twice (lockout.cleared, removed).
    const cleared = await ctx.guard.clearLockout(request.params.identifier, adminActor(request));
    return { identifier: request.params.identifier, cleared };
  });
}
