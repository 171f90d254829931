import type { FastifyInstance } from 'fastify';
import { SsoHubError } from '../errors/ssohub-error.ts';
import type { HubContext } from '../hub-context.ts';

const MAX_COUNT = 1_000;

/** /admin/audit?after=<id>&count=<n>: the newest audit events, oldest first; poll with `after`. */
export function registerAuditRoutes(admin: FastifyInstance, ctx: HubContext): void {
  admin.get<{ Querystring: { after?: string; count?: string } }>('/admin/audit', async (request) => {
    const { after, count: rawCount } = request.query;
    const count = rawCount === undefined ? 100 : Number(rawCount);
    if (!Number.isInteger(count) || count < 1 || count > MAX_COUNT) {
      throw new SsoHubError('SSOHUB_ERR_BAD_REQUEST', `count must be a whole number from 1 to ${MAX_COUNT}`, { status: 400 });
    }
    if (after !== undefined && !/^\d+-\d+$/.test(after)) {
      throw new SsoHubError('SSOHUB_ERR_BAD_REQUEST', 'after must be an event id as returned in "id" (e.g. 1718000000000-0)', { status: 400 });
    }
    const events = await ctx.audit.tail({ count, ...(after ? { after } : {}) });
    return { events, last: events.at(-1)?.id ?? after ?? null };
  });
}
