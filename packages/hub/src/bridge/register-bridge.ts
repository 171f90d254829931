import type { FastifyInstance } from 'fastify';
import type { HubContext } from '../hub-context.ts';
import type { Bridge } from './bridge.ts';

/** Mounts the OIDC provider on the login domain. (Scaffold: filled in by the bridge work.) */
export async function registerBridge(_app: FastifyInstance, ctx: HubContext): Promise<Bridge> {
  const issuer = `${ctx.config.publicUrl}${ctx.config.bridge.path}`;
  return {
    issuer,
    async endKratosSession(id) {
      await ctx.kratos.revokeSession(id);
    },
    async listBindings() {
      return [];
    },
    async close() {},
  };
}
