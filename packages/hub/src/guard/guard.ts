import type { SubmissionGuard } from '../proxy/submission-guard.ts';

export interface Lockout {
  /** The store's scope: `pair:<identifier hash>:<ip>` or `id:<identifier hash>`. */
  key: string;
  /** The identifier as submitted, normalized (trimmed, lower case). */
  identifier: string;
  /** Set for an identifier+IP lock; undefined when the identifier is locked from everywhere. */
  ip: string | undefined;
  /** ISO time the lock ends. */
  until: string;
  /** Failed attempts that set the lock. */
  failures: number;
  /** 1 for the first lock within the reset period, 2 for the next (which lasts longer), and so on. */
  level: number;
}

/** Guard throttles and locks out on the login domain, and lets admins see and clear lockouts. */
export interface Guard extends SubmissionGuard {
  /** Active identifier locks of every hub instance sharing the store (IP bans are not listed). */
  listLockouts(): Promise<Lockout[]>;
  /**
   * Ends every lock of the identifier (alone and paired with any IP) and forgets its failures
   * and lock levels, so the user can sign in at once. Resolves how many active locks it ended.
   * `actor` is who asked, as audit events name it (`admin:<name>`, see admin-actor.ts).
   */
  clearLockout(identifier: string, actor: string): Promise<number>;
  /**
   * Throttles the provider's token endpoint per IP and per client_id, each when given. Throws an
   * SsoHubError 429 with Retry-After to refuse.
   */
  checkTokenRequest(request: { ip?: string | undefined; clientId?: string | undefined }): Promise<void>;
}
