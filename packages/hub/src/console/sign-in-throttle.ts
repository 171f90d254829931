import type { GuardStore } from '../guard/guard-store.ts';
import { createRedisGuardStore } from '../guard/redis-guard-store.ts';
import type { Storage } from '../storage/storage.ts';
import { RedisScript } from '../storage/redis-script.ts';

/**
 * Guesses of the admin token one IP may make, at the console's sign-in and as the admin API's
 * bearer token alike (one bucket for both: the token opens both): ten at once, then one a minute.
 * The console counts every sign-in, right or wrong, before comparing the token: an admin signs in
 * a few times a day, while a guesser gains nothing from the answers of its first ten. The admin
 * API counts only wrong bearer tokens (automation calls it all day), and refuses every bearer
 * token, the right one too, while the IP has no attempt left.
 */
export const SIGN_IN_BURST = 10;
export const SIGN_IN_PER_MINUTE = 1;

/** The bucket's name in the guard's store. Named after the console, which had it first: a new name would hand every IP a fresh ten during a rolling upgrade. */
const bucketKey = (ip: string) => `console-sign-in:${ip}`;

export interface SignInThrottle {
  /** Takes one attempt of `ip`: undefined when allowed, else the milliseconds until the next one is. */
  take(ip: string): Promise<number | undefined>;
  /** Whether `ip` has an attempt left, without taking one: undefined when it has, else the milliseconds until it has. */
  wait(ip: string): Promise<number | undefined>;
}

/**
 * The guard's token buckets (guard-store.ts), in the hub's store: every instance counts the same
 * attempts. GuardStore can only take a token; `wait` reads the same bucket without touching it.
 */
export function createSignInThrottle(storage: Storage): SignInThrottle {
  if (storage.kind !== 'redis') return createMemorySignInThrottle();
  const buckets = createRedisGuardStore(storage.redis, storage.prefix);
  return {
    take: (ip) => takeFrom(buckets, ip),
    async wait(ip) {
      // The key redis-guard-store.ts gives a bucket (`<prefix>guard:bucket:<name>`).
      const waitMs = await PEEK.run<number | null>(storage.redis, [`${storage.prefix}guard:bucket:${bucketKey(ip)}`], [SIGN_IN_BURST, SIGN_IN_PER_MINUTE / 60_000]);
      return waitMs === null ? undefined : Number(waitMs);
    },
  };
}

async function takeFrom(buckets: GuardStore, ip: string): Promise<number | undefined> {
  const refused = await buckets.take([{ key: bucketKey(ip), burst: SIGN_IN_BURST, perMinute: SIGN_IN_PER_MINUTE }]);
  return refused?.waitMs;
}

/**
 * The bucket's refill as the guard's TAKE script computes it (redis-guard-store.ts), read only:
 * nil while a token is left, else the milliseconds until one is.
 */
const PEEK = new RedisScript(`local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local burst = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(b[1]) or burst
local at = tonumber(b[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
if tokens >= 1 then return nil end
return math.ceil((1 - tokens) / rate)`);

/**
 * The same bucket in process memory (the memory store: demo and unit tests), with the guard's
 * arithmetic (memory-guard-store.ts), which has no way to read a bucket without taking from it.
 */
export function createMemorySignInThrottle(now: () => number = Date.now): SignInThrottle {
  const rate = SIGN_IN_PER_MINUTE / 60_000;
  const buckets = new Map<string, { tokens: number; at: number }>();
  const tokensOf = (ip: string, t: number) => {
    const b = buckets.get(ip);
    return b ? Math.min(SIGN_IN_BURST, b.tokens + (t - b.at) * rate) : SIGN_IN_BURST;
  };
  let takes = 0;
  // Full buckets are forgotten now and then (as the guard's memory store does), so a stream of
  // addresses does not grow the map for good.
  const sweep = (t: number) => {
    if (++takes % 1000 !== 0) return;
    for (const ip of [...buckets.keys()]) if (tokensOf(ip, t) >= SIGN_IN_BURST) buckets.delete(ip);
  };
  return {
    async take(ip) {
      const t = now();
      const tokens = tokensOf(ip, t);
      if (tokens < 1) return Math.ceil((1 - tokens) / rate);
      sweep(t);
      buckets.set(ip, { tokens: tokens - 1, at: t });
      return undefined;
    },
    async wait(ip) {
      const tokens = tokensOf(ip, now());
      return tokens < 1 ? Math.ceil((1 - tokens) / rate) : undefined;
    },
  };
}
