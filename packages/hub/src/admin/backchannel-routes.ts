import type { FastifyInstance } from 'fastify';
import { type Static, Type } from 'typebox';
import { SsoHubError } from '../errors/ssohub-error.ts';
import type { HubContext } from '../hub-context.ts';
import { adminActor } from './admin-actor.ts';
import { NoBody } from './admin-schemas.ts';

const DeliveryParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });

/**
 * /admin/backchannel/deliveries: the back-channel logouts still queued and those given up
 * (issue 27), and "retry now" for one of them. Never a logout token: a delivery is its job, and
 * each attempt mints its own token.
 */
export function registerBackchannelRoutes(admin: FastifyInstance, ctx: HubContext): void {
  admin.get('/admin/backchannel/deliveries', async () => ctx.bridge.backchannelDeliveries.list());

  admin.post<{ Params: Static<typeof DeliveryParams> }>(
    '/admin/backchannel/deliveries/:id/retry',
    { schema: { params: DeliveryParams, body: NoBody } },
    async (request) => {
      const { id } = request.params;
      // The deliveries record the one audit event of this action (bridge.backchannel.retry_requested).
      const result = await ctx.bridge.backchannelDeliveries.retryNow(id, adminActor(request));
      if (result === 'not_found') {
        throw new SsoHubError(
          'SSOHUB_ERR_NOT_FOUND',
          `there is no pending or failed back-channel delivery "${id}" (delivered, or given up more than the record keeps); list them with GET /admin/backchannel/deliveries (ssohub backchannel list)`,
          { status: 404 },
        );
      }
      return { id, result };
    },
  );
}
