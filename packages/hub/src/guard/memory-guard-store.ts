import type { GuardStore, LockRecord, NewLock, Refusal, ScopeLimit, SettleScope } from './guard-store.ts';

interface Scope {
  /** attempt id -> time of the failure (or send). */
  failures: Map<string, number>;
  /** attempt id -> expiry of the pending slot. */
  pending: Map<string, number>;
}

interface Level {
  level: number;
  expires: number;
}

const SWEEP_EVERY = 1000;

/**
 * The guard's counters in process memory, for the demo and unit tests: lost on restart and not
 * shared between hub instances. Each method runs without awaiting, so it is atomic in-process.
 * Same semantics as the Redis store; both pass guard-store-contract.ts.
 */
export function createMemoryGuardStore(now: () => number = Date.now): GuardStore {
  const scopes = new Map<string, Scope>();
  const locks = new Map<string, LockRecord>();
  const levels = new Map<string, Level>();
  const buckets = new Map<string, { tokens: number; at: number; expires: number }>();
  let ops = 0;

  const scopeOf = (name: string, t: number, windowMs: number): Scope => {
    let s = scopes.get(name);
    if (!s) {
      s = { failures: new Map(), pending: new Map() };
      scopes.set(name, s);
    }
    for (const [id, at] of s.failures) if (at <= t - windowMs) s.failures.delete(id);
    for (const [id, exp] of s.pending) if (exp <= t) s.pending.delete(id);
    return s;
  };
  const activeLock = (name: string, t: number): LockRecord | undefined => {
    const lock = locks.get(name);
    if (lock && lock.until <= t) {
      locks.delete(name);
      return undefined;
    }
    return lock;
  };
  // Keeps memory bounded in a long-running demo: forgets empty scopes and expired entries.
  const sweep = (t: number) => {
    if (++ops % SWEEP_EVERY !== 0) return;
    for (const [name, s] of scopes) if (s.failures.size === 0 && s.pending.size === 0) scopes.delete(name);
    for (const [name] of locks) activeLock(name, t);
    for (const [name, l] of levels) if (l.expires <= t) levels.delete(name);
    for (const [name, b] of buckets) if (b.expires <= t) buckets.delete(name);
  };

  return {
    async take(list) {
      const t = now();
      sweep(t);
      for (const [index, { key, burst, perMinute }] of list.entries()) {
        const rate = perMinute / 60_000;
        const b = buckets.get(key);
        const tokens = b ? Math.min(burst, b.tokens + (t - b.at) * rate) : burst;
        if (tokens < 1) return { index, waitMs: Math.ceil((1 - tokens) / rate) };
        buckets.set(key, { tokens: tokens - 1, at: t, expires: t + Math.ceil(burst / rate) });
      }
      return undefined;
    },

    async reserve(list: ScopeLimit[], attemptId, { mode, pendingMs }): Promise<Refusal | undefined> {
      const t = now();
      sweep(t);
      for (const { scope, limit, windowMs } of list) {
        const lock = activeLock(scope, t);
        if (lock) return { scope, retryAfterMs: lock.until - t, locked: true };
        const s = scopeOf(scope, t, windowMs);
        if (s.failures.size + s.pending.size >= limit) {
          return { scope, retryAfterMs: Math.max(1, waitFor(s, limit, windowMs, t)), locked: false };
        }
      }
      for (const { scope, windowMs } of list) {
        const s = scopeOf(scope, t, windowMs);
        if (mode === 'count') s.failures.set(attemptId, t);
        else s.pending.set(attemptId, t + pendingMs);
      }
      return undefined;
    },

    async settle(list: SettleScope[], attemptId, failed): Promise<NewLock[]> {
      const t = now();
      const out: NewLock[] = [];
      for (const { scope, limit, windowMs, lock, resetOnSuccess } of list) {
        const s = scopeOf(scope, t, windowMs);
        s.pending.delete(attemptId);
        if (!failed) {
          if (resetOnSuccess) s.failures.clear();
          continue;
        }
        s.failures.set(attemptId, t);
        const count = s.failures.size;
        if (lock && count >= limit && !activeLock(scope, t)) {
          const prev = levels.get(scope);
          const level = (prev && prev.expires > t ? prev.level : 0) + 1;
          levels.set(scope, { level, expires: t + lock.resetMs });
          const durationMs = lockDuration(lock, level);
          locks.set(scope, { scope, identifier: lock.identifier, ip: lock.ip || undefined, until: t + durationMs, failures: count, level });
          s.failures.clear();
          out.push({ scope, durationMs, level, failures: count });
        }
      }
      return out;
    },

    async listLocks() {
      const t = now();
      return [...locks.keys()]
        .map((name) => activeLock(name, t))
        .filter((l): l is LockRecord => l !== undefined && l.identifier !== '');
    },

    async clear(hash) {
      const t = now();
      const mine = (name: string) => name === `id:${hash}` || name.startsWith(`pair:${hash}:`);
      const cleared: LockRecord[] = [];
      for (const name of [...locks.keys()]) {
        if (!mine(name)) continue;
        const lock = activeLock(name, t);
        if (lock) cleared.push(lock);
        locks.delete(name);
      }
      for (const name of [...scopes.keys()]) if (mine(name)) scopes.get(name)?.failures.clear();
      for (const name of [...levels.keys()]) if (mine(name)) levels.delete(name);
      return cleared;
    },
  };
}

/** Milliseconds until failures + pending drop below the limit. */
function waitFor(s: Scope, limit: number, windowMs: number, t: number): number {
  if (s.failures.size >= limit) {
    const times = [...s.failures.values()].sort((a, b) => a - b);
    return times[s.failures.size - limit]! + windowMs - t;
  }
  return Math.min(...s.pending.values()) - t;
}

export function lockDuration(rule: { durationMs: number; growthFactor: number; maxDurationMs: number }, level: number): number {
  return Math.floor(Math.min(rule.durationMs * rule.growthFactor ** (level - 1), rule.maxDurationMs));
}
