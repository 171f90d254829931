import type { GuardStore } from '../guard/guard-store.ts';
import { createMemoryGuardStore } from '../guard/memory-guard-store.ts';
import { createRedisGuardStore } from '../guard/redis-guard-store.ts';
import type { Storage } from '../storage/storage.ts';

/**
 * Attempts one IP may make at the console's sign-in: ten at once, then one a minute. Every
 * attempt counts, right or wrong, and is counted before the token is compared: an admin signs in
 * a few times a day, while a guesser gains nothing from the answers of its first ten.
 */
export const SIGN_IN_BURST = 10;
export const SIGN_IN_PER_MINUTE = 1;

export interface SignInThrottle {
  /** Takes one attempt of `ip`: undefined when allowed, else the milliseconds until the next one is. */
  take(ip: string): Promise<number | undefined>;
}

/** The guard's token buckets (guard-store.ts), in the hub's store: every instance counts the same attempts. */
export function createSignInThrottle(storage: Storage, store?: GuardStore): SignInThrottle {
  const buckets = store ?? (storage.kind === 'redis' ? createRedisGuardStore(storage.redis, storage.prefix) : createMemoryGuardStore());
  return {
    async take(ip) {
      const refused = await buckets.take([{ key: `console-sign-in:${ip}`, burst: SIGN_IN_BURST, perMinute: SIGN_IN_PER_MINUTE }]);
      return refused?.waitMs;
    },
  };
}
