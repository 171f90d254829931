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
 *
 * Writes are conditional so that a session, once deleted (sign-out) or expired, stays gone: a
 * request that read it before the sign-out and writes it back afterwards (a slow action's notice,
 * the idle clock of a page load) would otherwise bring it back to life with a fresh lifetime.
 */
export interface ConsoleSessionStore {
  get(idHash: string): Promise<ConsoleSessionRecord | undefined>;
  /** Stores a new session; false, and nothing written, when a live one has that key already. */
  create(idHash: string, record: ConsoleSessionRecord, ttlMs: number): Promise<boolean>;
  /** Replaces a live session; false, and nothing written, when there is none (ended or expired). */
  update(idHash: string, record: ConsoleSessionRecord, ttlMs: number): Promise<boolean>;
  delete(idHash: string): Promise<void>;
}

/** Redis wants a positive whole number of milliseconds: a session due now lives one more. */
const px = (ttlMs: number) => Math.max(1, Math.ceil(ttlMs));

export function createConsoleSessionStore(storage: Storage, now: () => number = Date.now): ConsoleSessionStore {
  if (storage.kind === 'redis') {
    const key = (idHash: string) => `${storage.prefix}console:session:${idHash}`;
    return {
      async get(idHash) {
        const raw = await storage.redis.get(key(idHash));
        return raw === null ? undefined : (JSON.parse(raw) as ConsoleSessionRecord);
      },
      async create(idHash, record, ttlMs) {
        return (await storage.redis.set(key(idHash), JSON.stringify(record), 'PX', px(ttlMs), 'NX')) === 'OK';
      },
      async update(idHash, record, ttlMs) {
        // XX: one atomic command, so a DEL between this request's read and its write wins.
        return (await storage.redis.set(key(idHash), JSON.stringify(record), 'PX', px(ttlMs), 'XX')) === 'OK';
      },
      async delete(idHash) {
        await storage.redis.del(key(idHash));
      },
    };
  }
  const sessions = new Map<string, { record: ConsoleSessionRecord; until: number }>();
  const live = (idHash: string) => {
    const found = sessions.get(idHash);
    if (found && found.until <= now()) sessions.delete(idHash);
    return found && found.until > now() ? found : undefined;
  };
  const put = (idHash: string, record: ConsoleSessionRecord, ttlMs: number) => {
    sessions.set(idHash, { record: structuredClone(record), until: now() + px(ttlMs) });
  };
  return {
    async get(idHash) {
      const found = live(idHash);
      return found ? structuredClone(found.record) : undefined;
    },
    async create(idHash, record, ttlMs) {
      // Forgotten entries go when a session starts: a demo hub has a handful of admins.
      for (const [k, v] of sessions) if (v.until <= now()) sessions.delete(k);
      if (live(idHash)) return false;
      put(idHash, record, ttlMs);
      return true;
    },
    async update(idHash, record, ttlMs) {
      if (!live(idHash)) return false;
      put(idHash, record, ttlMs);
      return true;
    },
    async delete(idHash) {
      sessions.delete(idHash);
    },
  };
}
