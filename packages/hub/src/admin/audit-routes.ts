import type { FastifyInstance } from 'fastify';
import { type Static, Type } from 'typebox';
import { fieldMessages } from '../errors/schema-errors.ts';
import type { HubContext } from '../hub-context.ts';

const MAX_COUNT = 1_000;

/**
 * `count` (1 to MAX_COUNT, written plainly) and `after` (an event id). Query parameters arrive as
 * text and the listener's Ajv converts nothing, so both are patterns. Any other parameter is
 * refused: `?limit=5` must not answer 100 events as if it had been understood.
 */
const AuditQuery = Type.Object(
  {
    count: Type.Optional(Type.String({ pattern: '^(?:[1-9][0-9]{0,2}|1000)$' })),
    after: Type.Optional(Type.String({ pattern: '^[0-9]+-[0-9]+$' })),
  },
  { additionalProperties: false },
);
const auditQueryMessages = fieldMessages({
  'querystring.count': `count must be a whole number from 1 to ${MAX_COUNT}`,
  'querystring.after': 'after must be an event id as returned in "id" (e.g. 1718000000000-0)',
});

/** /admin/audit?after=<id>&count=<n>: the newest audit events, oldest first; poll with `after`. */
export function registerAuditRoutes(admin: FastifyInstance, ctx: HubContext): void {
  admin.get<{ Querystring: Static<typeof AuditQuery> }>('/admin/audit', { schema: { querystring: AuditQuery }, schemaErrorFormatter: auditQueryMessages }, async (request) => {
    const { after, count: rawCount } = request.query;
    const count = rawCount === undefined ? 100 : Number(rawCount);
    const events = await ctx.audit.tail({ count, ...(after ? { after } : {}) });
    return { events, last: events.at(-1)?.id ?? after ?? null };
  });
}
