/**
 * A counted scope: failures (or sends) recorded in a sliding window, plus the slots of attempts
 * still waiting for Kratos' answer. `scope` is a key suffix such as `pair:<hash>:<ip>`.
 */
export interface ScopeLimit {
  scope: string;
  /** The attempt is refused once failures + pending slots reach this. */
  limit: number;
  windowMs: number;
}

/** How a scope locks once its failures reach the limit. */
export interface LockRule {
  /** First lock; lock n lasts durationMs * growthFactor^(n-1), at most maxDurationMs. */
  durationMs: number;
  growthFactor: number;
  maxDurationMs: number;
  /** How long the lock level is remembered. */
  resetMs: number;
  /** Kept on the lock record for the admin list ('' for IP bans, which are not listed). */
  identifier: string;
  ip: string;
}

export interface SettleScope extends ScopeLimit {
  lock?: LockRule;
  /** A success empties this scope's failures (a user who got in is not a suspect any more). */
  resetOnSuccess?: boolean;
}

/** A token bucket: `burst` tokens at most, refilled at `perMinute`. */
export interface TokenBucket {
  key: string;
  burst: number;
  perMinute: number;
}

/** Why an attempt was refused. */
export interface Refusal {
  scope: string;
  retryAfterMs: number;
  /** True when an active lock refused it; false when the window (or pending slots) is full. */
  locked: boolean;
}

export interface NewLock {
  scope: string;
  durationMs: number;
  level: number;
  failures: number;
}

export interface LockRecord {
  scope: string;
  identifier: string;
  ip: string | undefined;
  /** Epoch milliseconds. */
  until: number;
  failures: number;
  level: number;
}

/**
 * GuardStore keeps the guard's counters. Every method is atomic across all hub instances that
 * share the store (one Lua script per call on Redis; synchronous code in memory), which is what
 * bounds the overshoot of concurrent attempts (docs/decisions/guard-defaults.md).
 */
export interface GuardStore {
  /**
   * Takes one token from each bucket in order, stopping at the first that has none: that bucket
   * and the ones after it are left untouched, the ones before keep their token spent (as separate
   * calls in that order would). Resolves undefined when every bucket gave a token, else which one
   * refused and the milliseconds until it has a token again. One round trip on Redis.
   */
  take(buckets: TokenBucket[]): Promise<{ index: number; waitMs: number } | undefined>;
  /**
   * Checks every scope (active lock, failures + pending slots below the limit) and, only when all
   * pass, records the attempt in each: as a pending slot expiring after pendingMs (`pending`) or
   * straight as a counted event (`count`, used for code sends). Resolves the first refusal.
   */
  reserve(scopes: ScopeLimit[], attemptId: string, options: { mode: 'pending' | 'count'; pendingMs: number }): Promise<Refusal | undefined>;
  /**
   * Ends a pending attempt: frees its slot in each scope and, when it failed, records the failure
   * and locks the scopes that reach their limit (then empties their failures, so the next lock
   * needs a fresh set). Resolves the locks this call set.
   */
  settle(scopes: SettleScope[], attemptId: string, failed: boolean): Promise<NewLock[]>;
  /** Active identifier locks (IP bans are not listed). */
  listLocks(): Promise<LockRecord[]>;
  /**
   * Removes every lock of the identifier hash (alone and paired with any IP), its failures and its
   * lock levels. Resolves the locks that were active.
   */
  clear(identifierHash: string): Promise<LockRecord[]>;
  close?(): void;
}
