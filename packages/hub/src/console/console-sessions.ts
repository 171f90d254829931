import { createHash, randomBytes } from 'node:crypto';
import type { ConsoleConfig } from './console-config.ts';
import type { ConsoleSessionRecord, ConsoleSessionStore } from './console-session-store.ts';

/** A live console session, as the pages see it. */
export interface ConsoleSession extends ConsoleSessionRecord {
  /** The store's key: the SHA-256 of the id the cookie carries. */
  idHash: string;
}

export type ConsoleNotice = NonNullable<ConsoleSessionRecord['notice']>;

export interface ConsoleSessions {
  /** Starts a session for `name`: resolves the id to put in the cookie (shown nowhere else). */
  start(name: string): Promise<{ id: string; session: ConsoleSession }>;
  /**
   * The session of a cookie's id, or undefined when there is none, or it was idle longer than
   * `idleTimeoutMs`, or it is older than `maxAgeMs` (then it is removed). A live session's idle
   * clock starts again, and its notice is handed over once (the store forgets it).
   */
  resume(id: string | undefined): Promise<ConsoleSession | undefined>;
  /** Keeps a message for the session's next page. */
  setNotice(session: ConsoleSession, notice: ConsoleNotice): Promise<void>;
  /** Ends the session on the server: its cookie is worth nothing from now on. */
  end(session: ConsoleSession): Promise<void>;
}

/** 256 random bits, base64url: the part of a session only the browser holds. */
const newId = () => randomBytes(32).toString('base64url');
export const hashSessionId = (id: string) => createHash('sha256').update(id).digest('base64url');
/** The tag of an admin token kept with each session (createConsoleSessions' `tokenTag`): the token itself is never stored. */
export const consoleTokenTag = (token: string) => createHash('sha256').update(`ssohub console\0${token}`).digest('base64url');
/** What a cookie may carry: anything else is not looked up. */
const ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/**
 * Console sessions: the browser holds a random id, the store only its hash (a copy of the store
 * signs nobody in). Each session ends `idleTimeoutMs` after its last request and `maxAgeMs` after
 * its sign-in, whichever comes first; the store's own expiry is set to that moment. `tokenTag`
 * (derived from admin.token) is kept with each session: a new admin token ends every session
 * opened with the old one, so rotating a leaked token also signs out whoever used it.
 */
export function createConsoleSessions(
  store: ConsoleSessionStore,
  config: ConsoleConfig,
  { tokenTag, now = Date.now }: { tokenTag?: string | undefined; now?: () => number } = {},
): ConsoleSessions {
  const ttl = (record: ConsoleSessionRecord) => Math.min(record.lastSeenAt + config.idleTimeoutMs, record.createdAt + config.maxAgeMs) - now();
  const save = async ({ idHash, ...record }: ConsoleSession) => store.set(idHash, record, ttl(record));
  return {
    async start(name) {
      const id = newId();
      const at = now();
      const session: ConsoleSession = { idHash: hashSessionId(id), name, csrf: randomBytes(32).toString('base64url'), createdAt: at, lastSeenAt: at, tokenTag };
      await save(session);
      return { id, session };
    },
    async resume(id) {
      if (id === undefined || !ID_PATTERN.test(id)) return undefined;
      const idHash = hashSessionId(id);
      const record = await store.get(idHash);
      if (!record) return undefined;
      const at = now();
      if (at - record.lastSeenAt >= config.idleTimeoutMs || at - record.createdAt >= config.maxAgeMs || record.tokenTag !== tokenTag) {
        await store.delete(idHash);
        return undefined;
      }
      const session: ConsoleSession = { ...record, idHash, lastSeenAt: at };
      await save({ ...session, notice: undefined });
      return session;
    },
    async setNotice(session, notice) {
      await save({ ...session, notice });
    },
    async end(session) {
      await store.delete(session.idHash);
    },
  };
}
