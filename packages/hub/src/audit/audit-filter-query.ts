import { type Static, Type } from 'typebox';
import type { AuditFilter } from './audit-log.ts';

/**
 * The audit trail's search parameters, as the console's audit page and `GET /admin/audit/search`
 * both take them from a query string: `actor`, `subject`, `client`, `type` (a whole value, or a
 * prefix ending in `*`; empty means any), `from` and `to` (times, both included), and `before`
 * (the paging cursor, an event id). Any other parameter is refused, not ignored.
 */
const text200 = () => Type.Optional(Type.String({ maxLength: 200 }));
export const AuditSearchQuery = Type.Object(
  {
    actor: text200(),
    subject: text200(),
    client: text200(),
    type: text200(),
    from: text200(),
    to: text200(),
    before: Type.Optional(Type.String({ pattern: '^[0-9]+-[0-9]+$' })),
  },
  { additionalProperties: false },
);
export type AuditSearchQuery = Static<typeof AuditSearchQuery>;

/**
 * A time as given: an ISO 8601 time, or a `datetime-local` value without a zone (read as UTC) to
 * the minute or second. Epoch ms; undefined when empty, NaN when unreadable. `end` makes a value
 * given to the minute include that whole minute (`to=…T10:05` includes 10:05:59).
 */
export function parseAuditTime(value: string | undefined, end = false): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const v = value.trim();
  const local = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(v);
  const ms = Date.parse(local ? `${v}Z` : v);
  return local && end && v.length === 16 ? ms + 59_999 : ms;
}

/** The filter a query asks for, and which time parameters could not be read. */
export function auditFilterOf(query: AuditSearchQuery): { filter: AuditFilter; badTimes: ('from' | 'to')[] } {
  const from = parseAuditTime(query.from);
  const to = parseAuditTime(query.to, true);
  const badTimes = ([['from', from], ['to', to]] as const).filter(([, v]) => Number.isNaN(v)).map(([k]) => k);
  const text = (v: string | undefined) => v?.trim() || undefined;
  return {
    filter: {
      actor: text(query.actor),
      subject: text(query.subject),
      clientId: text(query.client),
      type: text(query.type),
      from: Number.isNaN(from) ? undefined : from,
      to: Number.isNaN(to) ? undefined : to,
    },
    badTimes,
  };
}
