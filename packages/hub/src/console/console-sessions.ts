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
   * clock starts again, and its notice is handed over once (the store forgets it). A session
   * ended while this request read it (sign-out in another tab) stays ended: undefined.
   */
  resume(id: string | undefined): Promise<ConsoleSession | undefined>;
  /**
   * Keeps a message for the session's next page. False when the session is over by now (signed
   * out meanwhile, or expired): nothing is written, and the next page asks to sign in.
   */
  setNotice(session: ConsoleSession, notice: ConsoleNotice): Promise<boolean>;
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
  // Only a session that is still there is written back: see ConsoleSessionStore.
  const save = async ({ idHash, ...record }: ConsoleSession) => store.update(idHash, record, ttl(record));
  return {
    async start(name) {
      // A taken key means 256 random bits came out twice: never in practice, but never a shared session either.
      for (let tries = 0; tries < 3; tries++) {
        const id = newId();
        const at = now();
        const session: ConsoleSession = { idHash: hashSessionId(id), name, csrf: randomBytes(32).toString('base64url'), createdAt: at, lastSeenAt: at, tokenTag };
        const { idHash, ...record } = session;
        if (await store.create(idHash, record, ttl(record))) return { id, session };
      }
      throw new Error('could not start a console session: every new id was taken');
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
      // Gone since it was read: signed out (or expired) in the meantime, and that is final.
      if (!(await save({ ...session, notice: undefined }))) return undefined;
      return session;
    },
    async setNotice(session, notice) {
      return save({ ...session, notice });
    },
    async end(session) {
      await store.delete(session.idHash);
    },
  };
}
