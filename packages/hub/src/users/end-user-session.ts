import type { HubContext } from '../hub-context.ts';

/**
 * Ends one Kratos session of a user for an admin (the admin API's session routes and the console's
 * sessions pages): through the bridge, so every provider session bound to it ends and each app it
 * reached gets a back-channel logout, then records `session.revoked` with the admin's actor and IP.
 */
export async function endUserSession(ctx: HubContext, o: { identityId: string; sessionId: string; actor: string; ip: string }): Promise<void> {
  await ctx.bridge.endKratosSession(o.sessionId, 'admin');
  ctx.audit.record({ type: 'session.revoked', actor: o.actor, subject: o.identityId, sessionId: o.sessionId, reason: 'admin', ip: o.ip, outcome: 'success' });
}
