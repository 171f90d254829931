import type { Storage } from '../storage/storage.ts';

/** What the store keeps of one console session, under the hash of its id (never the id itself). */
export interface ConsoleSessionRecord {
  /** The admin's name as typed at sign-in; the audit actor is `console:<name>`. */
  name: string;
  /** The token every form of this session carries (console-csrf.ts). */
  csrf: string;
  /** Epoch milliseconds of the sign-in: the absolute lifetime counts from here. */
  createdAt: number;
  /** Epoch milliseconds of the last request: the idle timeout counts from here. */
  lastSeenAt: number;
  /** Derived from the admin token the session was opened with (console-sessions.ts). */
  tokenTag?: string | undefined;
  /** A message for the next page (what the last action did), shown once. */
  notice?: { key: string; values?: Record<string, string | number> } | undefined;
}

/**
 * ConsoleSessionStore keeps console sessions for `ttlMs` after each write: Redis when the hub has
 * it (so every instance behind one address knows the session and a restart keeps it), a map in
 * memory for the demo and unit tests. Expiry by idle time and age is decided by the caller
 * (console-sessions.ts); the store's own expiry only removes what nobody will ask for again.
 */
export interface ConsoleSessionStore {
  get(idHash: string): Promise<ConsoleSessionRecord | undefined>;
  set(idHash: string, record: ConsoleSessionRecord, ttlMs: number): Promise<void>;
  delete(idHash: string): Promise<void>;
}

export function createConsoleSessionStore(storage: Storage, now: () => number = Date.now): ConsoleSessionStore {
  if (storage.kind === 'redis') {
    const key = (idHash: string) => `${storage.prefix}console:session:${idHash}`;
    return {
      async get(idHash) {
        const raw = await storage.redis.get(key(idHash));
        return raw === null ? undefined : (JSON.parse(raw) as ConsoleSessionRecord);
      },
      async set(idHash, record, ttlMs) {
        await storage.redis.set(key(idHash), JSON.stringify(record), 'PX', Math.max(1, Math.ceil(ttlMs)));
      },
      async delete(idHash) {
        await storage.redis.del(key(idHash));
      },
    };
  }
  const sessions = new Map<string, { record: ConsoleSessionRecord; until: number }>();
  return {
    async get(idHash) {
      const found = sessions.get(idHash);
      if (found && found.until <= now()) sessions.delete(idHash);
      return found && found.until > now() ? structuredClone(found.record) : undefined;
    },
    async set(idHash, record, ttlMs) {
      // Forgotten entries go when the map is written: a demo hub has a handful of admins.
      for (const [k, v] of sessions) if (v.until <= now()) sessions.delete(k);
      sessions.set(idHash, { record: structuredClone(record), until: now() + ttlMs });
    },
    async delete(idHash) {
      sessions.delete(idHash);
    },
  };
}
