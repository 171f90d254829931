import type { Logger } from 'pino';
import type { Storage } from '../storage/storage.ts';

/**
 * AuditEvent is one security-relevant fact. `type` is dot.case and listed in docs/events.md.
 * Never put a secret, token, code, password or cookie in it.
 */
export interface AuditEvent {
  type: string;
  /**
   * Who did it, required so that no event can be recorded without one (docs/events.md, `actor`):
   * an identity id, `admin:<name>`, `client:<id>`, `system`, or an IP for anonymous actors.
   */
  actor: string;
  /** Whom or what it concerns: identity id, identifier (email), client id, session id. */
  subject?: string;
  clientId?: string;
  ip?: string;
  outcome?: 'success' | 'failure' | 'info';
  [key: string]: unknown;
}

export interface StoredAuditEvent extends AuditEvent {
  id: string;
  time: string;
}

/**
 * What to look for in the audit trail. Text filters match the whole field, or its beginning when
 * they end with `*` (`type: 'user.*'`, `actor: 'console:*'`); `from` and `to` are epoch
 * milliseconds, both included.
 */
export interface AuditFilter {
  actor?: string | undefined;
  subject?: string | undefined;
  clientId?: string | undefined;
  type?: string | undefined;
  from?: number | undefined;
  to?: number | undefined;
}

export interface AuditPage {
  /** The matching events, newest first. */
  events: StoredAuditEvent[];
  /** Pass as `before` for the next (older) page; undefined when the trail has nothing older to look at. */
  next: string | undefined;
}

export interface AuditLog {
  record(event: AuditEvent): void;
  /** The newest events, oldest first; `after` is a stream id for polling. */
  tail(options?: { count?: number; after?: string }): Promise<StoredAuditEvent[]>;
  /**
   * Up to `count` events matching `filter`, newest first, older than the event id `before` when
   * given. At most QUERY_SCAN_MAX events are read per call: a page may hold fewer than `count`
   * with `next` set, when the matches are far apart. Every log createAuditLog builds has it;
   * optional so that the tests' hand-made logs need not.
   */
  query?(filter: AuditFilter, options?: { count?: number; before?: string }): Promise<AuditPage>;
}

/** Events read per query call at most, whatever the filter: a page never scans the whole stream. */
export const QUERY_SCAN_MAX = 20_000;
const QUERY_BATCH = 500;

/** Whether a stored event matches a filter (auditFilter's rules: whole value, or prefix with a trailing `*`). */
export function matchesAudit(event: StoredAuditEvent, filter: AuditFilter): boolean {
  const like = (want: string | undefined, value: unknown) =>
    want === undefined || want === '' || (typeof value === 'string' && (want.endsWith('*') ? value.startsWith(want.slice(0, -1)) : value === want));
  const at = eventTime(event);
  return (
    like(filter.actor, event.actor) &&
    like(filter.subject, event.subject) &&
    like(filter.clientId, event.clientId) &&
    like(filter.type, event.type) &&
    (filter.from === undefined || at >= filter.from) &&
    (filter.to === undefined || at <= filter.to)
  );
}

/** An event's time in epoch ms: its `time` (the hub's clock, the one the trail shows), else its id's (the stream's). */
function eventTime(event: StoredAuditEvent): number {
  const at = Date.parse(event.time);
  return Number.isFinite(at) ? at : Number(event.id.split('-')[0]);
}

/**
 * How far a stream id's time (Redis' clock, at the write) may be from the event's `time` (the
 * hub's, before the write): the id range read for a time filter is this much wider, and the
 * events in it are then judged by their `time`.
 */
const ID_TIME_SLACK_MS = 60_000;

/** Orders `<ms>-<seq>` ids as the stream does. */
function compareIds(a: string, b: string): number {
  const [am = 0, as = 0] = a.split('-').map(Number);
  const [bm = 0, bs = 0] = b.split('-').map(Number);
  return am - bm || as - bs;
}

const STREAM_MAX = 100_000;
const MEMORY_MAX = 10_000;

/**
 * Records audit events as pino lines (`audit: true`) and in a capped Redis stream (or a memory
 * ring for the demo) that the admin API and `ssohub audit tail` read. Recording never throws
 * and never delays the request that caused it.
 */
export function createAuditLog(storage: Storage, log: Logger): Required<AuditLog> {
  const auditLog = log.child({ audit: true });
  if (storage.kind === 'redis') {
    const key = `${storage.prefix}audit`;
    return {
      record(event) {
        const time = new Date().toISOString();
        auditLog.info({ event: { ...event, time } }, event.type);
        storage.redis
          .xadd(key, 'MAXLEN', '~', String(STREAM_MAX), '*', 'e', JSON.stringify({ ...event, time }))
          .catch((err: Error) => log.error({ err }, 'audit stream write failed'));
      },
      async tail({ count = 100, after } = {}) {
        const rows = after
          ? await storage.redis.xrange(key, `(${after}`, '+', 'COUNT', count)
          : (await storage.redis.xrevrange(key, '+', '-', 'COUNT', count)).reverse();
        return rows.map(([id, fields]) => ({ ...(JSON.parse(fields[1] ?? '{}') as AuditEvent & { time: string }), id }));
      },
      async query(filter, { count = 50, before } = {}) {
        // Newest first from `before` (exclusive) or the end, down to `from`; ids are times.
        let end = before ? `(${before}` : filter.to !== undefined ? String(filter.to + ID_TIME_SLACK_MS) : '+';
        const start = filter.from !== undefined ? String(Math.max(0, filter.from - ID_TIME_SLACK_MS)) : '-';
        const events: StoredAuditEvent[] = [];
        let scanned = 0;
        while (scanned < QUERY_SCAN_MAX) {
          const rows = await storage.redis.xrevrange(key, end, start, 'COUNT', QUERY_BATCH);
          for (const [id, fields] of rows) {
            scanned++;
            const event = { ...(JSON.parse(fields[1] ?? '{}') as AuditEvent & { time: string }), id };
            if (matchesAudit(event, filter)) events.push(event);
            if (events.length === count) return { events, next: id };
          }
          if (rows.length < QUERY_BATCH) return { events, next: undefined };
          end = `(${rows.at(-1)![0]}`;
        }
        return { events, next: end.slice(1) };
      },
    };
  }
  const ring: StoredAuditEvent[] = [];
  let seq = 0;
  return {
    record(event) {
      const stored = { ...event, id: `${Date.now()}-${seq++}`, time: new Date().toISOString() };
      auditLog.info({ event: stored }, event.type);
      ring.push(stored);
      if (ring.length > MEMORY_MAX) ring.shift();
    },
    async tail({ count = 100, after } = {}) {
      const start = after ? ring.findIndex((e) => e.id === after) + 1 : Math.max(0, ring.length - count);
      return ring.slice(start, start + count);
    },
    async query(filter, { count = 50, before } = {}) {
      const events: StoredAuditEvent[] = [];
      let scanned = 0;
      for (let i = ring.length - 1; i >= 0; i--) {
        const event = ring[i]!;
        if (before !== undefined && compareIds(event.id, before) >= 0) continue;
        if (scanned++ >= QUERY_SCAN_MAX) return { events, next: ring[i + 1]?.id };
        if (matchesAudit(event, filter)) events.push(event);
        if (events.length === count) return { events, next: i > 0 ? event.id : undefined };
      }
      return { events, next: undefined };
    },
  };
}
