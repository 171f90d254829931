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

export interface AuditLog {
  record(event: AuditEvent): void;
  /** The newest events, oldest first; `after` is a stream id for polling. */
  tail(options?: { count?: number; after?: string }): Promise<StoredAuditEvent[]>;
}

const STREAM_MAX = 100_000;
const MEMORY_MAX = 10_000;

/**
 * Records audit events as pino lines (`audit: true`) and in a capped Redis stream (or a memory
 * ring for the demo) that the admin API and `ssohub audit tail` read. Recording never throws
 * and never delays the request that caused it.
 */
export function createAuditLog(storage: Storage, log: Logger): AuditLog {
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
  };
}
