import type { FastifyInstance } from 'fastify';
import { type Static, Type } from 'typebox';
import { AuditSearchQuery, auditFilterOf } from '../audit/audit-filter-query.ts';
import { fieldMessages } from '../errors/schema-errors.ts';
import { SsoHubError } from '../errors/ssohub-error.ts';
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

/** The search's parameters: the console's (audit-filter-query.ts) and `count`. */
const AuditSearch = Type.Object({ ...AuditSearchQuery.properties, count: AuditQuery.properties.count }, { additionalProperties: false });
const auditSearchMessages = fieldMessages({
  'querystring.count': `count must be a whole number from 1 to ${MAX_COUNT}`,
  'querystring.before': 'before must be an event id as returned in "next" (e.g. 1718000000000-0)',
});

/**
 * /admin/audit?after=<id>&count=<n>: the newest audit events, oldest first; poll with `after`.
 * /admin/audit/search?actor=&subject=&client=&type=&from=&to=&before=&count=: the events matching
 * a filter, newest first, as the console's audit page finds them; `next` is the `before` of the
 * next (older) page, null at the end.
 */
export function registerAuditRoutes(admin: FastifyInstance, ctx: HubContext): void {
  admin.get<{ Querystring: Static<typeof AuditSearch> }>(
    '/admin/audit/search',
    { schema: { querystring: AuditSearch }, schemaErrorFormatter: auditSearchMessages },
    async (request) => {
      const { count: rawCount, before, ...rest } = request.query;
      const { filter, badTimes } = auditFilterOf(rest);
      if (badTimes.length > 0) {
        throw new SsoHubError('SSOHUB_ERR_BAD_REQUEST', `${badTimes.join(' and ')} must be an ISO 8601 time, e.g. 2026-12-06T09:30:00Z (a time without a zone is UTC)`, { status: 400 });
      }
      if (!ctx.audit.query) throw new SsoHubError('SSOHUB_ERR_INTERNAL', "this hub's audit log cannot be searched", { status: 500 });
      const page = await ctx.audit.query(filter, { count: rawCount === undefined ? 100 : Number(rawCount), ...(before ? { before } : {}) });
      return { events: page.events, next: page.next ?? null };
    },
  );

  admin.get<{ Querystring: Static<typeof AuditQuery> }>('/admin/audit', { schema: { querystring: AuditQuery }, schemaErrorFormatter: auditQueryMessages }, async (request) => {
    const { after, count: rawCount } = request.query;
    const count = rawCount === undefined ? 100 : Number(rawCount);
    const events = await ctx.audit.tail({ count, ...(after ? { after } : {}) });
    return { events, last: events.at(-1)?.id ?? after ?? null };
  });
}
