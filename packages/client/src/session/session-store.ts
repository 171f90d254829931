import type { SessionRecord } from './session-record.ts';

/**
 * SessionStore keeps the local sessions of ONE client app, in a namespace of that client
 * (`ssohub:client:<clientId>:…`), plus the indexes back-channel logout needs (`sid` and `sub`
 * to session ids) and one-shot markers (`claim`) for replay detection and refresh locks.
 * `RedisSessionStore` and `MemorySessionStore` implement it and pass the same contract suite.
 *
 * @example
 * ```ts
 * const store: SessionStore = new RedisSessionStore({ redis: new Redis(url), clientId: 'app-a' });
 * await store.set(record, 3600);
 * ```
 */
export interface SessionStore {
  /** The client whose namespace this store writes to; must equal `SsoClientOptions.clientId`. */
  readonly clientId: string;
  /** What backs the store, for startup logs and health pages; never contains a password. */
  readonly description: string;
  /** True when sessions are lost on restart and invisible to other instances (development only). */
  readonly volatile: boolean;
  /**
   * Reads a session; an expired one reads as undefined. With `touchTtl`, the same single
   * operation also extends its lifetime to `touchTtl` seconds (Redis `GETEX`): that is how the
   * idle timeout works without rewriting the record on every request.
   */
  get(id: string, touchTtl?: number): Promise<SessionRecord | undefined>;
  /**
   * Writes a session for `ttlSeconds` and indexes it by `sid` and `claims.sub` until its
   * absolute end (`expiresAt`). With `onlyIfExists`, writes nothing and returns false when the
   * session is gone, so a refresh racing a logout can never bring the session back.
   */
  set(record: SessionRecord, ttlSeconds: number, options?: { onlyIfExists?: boolean }): Promise<boolean>;
  /** Removes a session and its index entries; removing a missing session is not an error. */
  destroy(id: string): Promise<void>;
  /** Ids of the live sessions with this hub session id. */
  findBySid(sid: string): Promise<string[]>;
  /** Ids of the live sessions of this subject. */
  findBySub(sub: string): Promise<string[]>;
  /**
   * Claims a one-shot marker: true the first time `key` is claimed within `ttlSeconds`, false
   * afterwards (Redis `SET NX EX`). Used for logout-token `jti`s, consumed callbacks and locks.
   */
  claim(key: string, ttlSeconds: number): Promise<boolean>;
  /** Releases a marker taken with `claim` (for locks). */
  release(key: string): Promise<void>;
}
