import { createHash } from 'node:crypto';
import type { StoreClient } from './redis-client.ts';

/**
 * A Lua script run by EVALSHA, falling back to EVAL when Redis does not know it yet (after a
 * restart or SCRIPT FLUSH), which then caches it.
 *
 * Why not ioredis `defineCommand`: with `enableAutoPipelining` a command defined while an
 * auto-pipeline is already queued is missing from that pipeline; calling it in the same tick
 * fails the request and then crashes the process inside ioredis (redis/ioredis#1931). EVALSHA
 * and EVAL are built-in commands, present in every pipeline whenever it was created.
 *
 * Under Cluster, ioredis routes the call by its first key, so a script needs at least one key,
 * and every key it builds from ARGV must share that key's hash tag (the store prefix's).
 */
export class RedisScript {
  readonly sha: string;
  private readonly lua: string;

  constructor(lua: string) {
    this.lua = lua;
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  /** Runs the script with `keys` as KEYS and `args` as ARGV. */
  async run<T>(redis: StoreClient, keys: readonly string[], args: readonly (string | number)[]): Promise<T> {
    try {
      return (await redis.evalsha(this.sha, keys.length, ...keys, ...args)) as T;
    } catch (err) {
      if (!String((err as Error).message).startsWith('NOSCRIPT')) throw err;
      return (await redis.eval(this.lua, keys.length, ...keys, ...args)) as T;
    }
  }
}
