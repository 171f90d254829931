/**
 * Owns the back-channel queue in Redis, the one every hub instance claims from, so a job outlives
 * the instance that stored it. Retries that hubs before ADR 0009 left in the old sorted set join
 * it at the next claim.
 */
import type { StoreClient } from '../../storage/redis-client.ts';
import { RedisScript } from '../../storage/redis-script.ts';
import type { BackchannelJob, BackchannelQueue, LeasedJob } from './backchannel-queue.ts';

// Milliseconds on Redis' own clock, so every hub instance measures leases and delays alike.
const NOW = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

// KEYS: queue (zset id → when due / when the lease ends), jobs (hash id → job JSON),
// leases (hash id → lease token), since (zset id → when stored). ARGV: id, job JSON, lease, leaseMs.
const ADD_LEASED = new RedisScript(`${NOW}
if redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('HSET', KEYS[3], ARGV[1], ARGV[3])
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[4]), ARGV[1])
redis.call('ZADD', KEYS[4], now, ARGV[1])
return 1`);

// KEYS: queue, jobs, leases, legacy queue, since. ARGV: limit, leaseMs, lease.
// Returns job JSON and a takeover flag (1 when the previous lease ran out unanswered) per job.
// A claimed job without a time in `since` (stored by a hub before the queue age gauge) gets the
// claim's: the gauge then counts it, from later than it was stored.
const CLAIM = new RedisScript(`${NOW}
local limit = tonumber(ARGV[1])
-- TODO(after 0.x upgrades): drop the legacy adoption. Retries scheduled by hubs before ADR 0009
-- sit in the old sorted set as job JSON; they join this queue instead of being stranded.
local legacy = redis.call('ZRANGE', KEYS[4], 0, limit - 1, 'WITHSCORES')
for i = 1, #legacy, 2 do
  local ok, job = pcall(cjson.decode, legacy[i])
  if ok and type(job) == 'table' and type(job.id) == 'string' then
    if redis.call('HSETNX', KEYS[2], job.id, legacy[i]) == 1 then
      redis.call('ZADD', KEYS[1], legacy[i + 1], job.id)
      -- When it was due: the nearest to when it was stored that the old set knows.
      redis.call('ZADD', KEYS[5], 'NX', legacy[i + 1], job.id)
    end
  end
  redis.call('ZREM', KEYS[4], legacy[i])
end
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, limit)
local out = {}
for _, id in ipairs(ids) do
  local raw = redis.call('HGET', KEYS[2], id)
  if raw then
    local taken = 0
    if redis.call('HEXISTS', KEYS[3], id) == 1 then
      taken = 1
      local job = cjson.decode(raw)
      job.attempt = job.attempt + 1
      raw = cjson.encode(job)
      redis.call('HSET', KEYS[2], id, raw)
    end
    redis.call('HSET', KEYS[3], id, ARGV[3])
    redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), id)
    redis.call('ZADD', KEYS[5], 'NX', now, id)
    out[#out + 1] = raw
    out[#out + 1] = taken
  else
    redis.call('ZREM', KEYS[1], id)
    redis.call('ZREM', KEYS[5], id)
  end
end
return out`);

// KEYS: queue, jobs, leases, since. ARGV: id, lease.
const SETTLE = new RedisScript(`if redis.call('HGET', KEYS[3], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
return 1`);

// KEYS: queue, jobs, leases, since (untouched: a retry keeps its first time). ARGV: id, lease,
// next job JSON, delayMs.
const RETRY_LATER = new RedisScript(`${NOW}
if redis.call('HGET', KEYS[3], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[4]), ARGV[1])
return 1`);

// KEYS: jobs, since. The age of the oldest job still stored, in ms on Redis' clock (0: none). A
// time whose job is gone (settled by a hub before the queue age gauge, which left it) is dropped
// on the way, a bounded number per call.
const OLDEST_AGE = new RedisScript(`${NOW}
for _ = 1, 100 do
  local first = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
  if #first == 0 then return 0 end
  if redis.call('HEXISTS', KEYS[1], first[1]) == 1 then return math.max(0, now - tonumber(first[2])) end
  redis.call('ZREM', KEYS[2], first[1])
end
return 0`);

/**
 * RedisBackchannelQueue: four keys under the store prefix, `bridge:backchannel:queue` (sorted
 * set: job id → when it is due, or when its lease ends), `…:jobs` (hash: id → job JSON),
 * `…:leases` (hash: id → the lease token of its holder) and `…:since` (sorted set: id → when it
 * was stored, for the queue age gauge without reading every job). Every change is one Lua
 * script, so a claim, a settle or a reschedule is atomic; all keys of a script share the prefix,
 * which puts them in one slot on Redis Cluster when the prefix carries a hash tag (`{ssohub}:`).
 */
export class RedisBackchannelQueue implements BackchannelQueue {
  private readonly redis: StoreClient;
  private readonly keys: [queue: string, jobs: string, leases: string, since: string];
  private readonly legacy: string;

  constructor(redis: StoreClient, prefix: string) {
    this.redis = redis;
    const base = `${prefix}bridge:backchannel:`;
    this.keys = [`${base}queue`, `${base}jobs`, `${base}leases`, `${base}since`];
    this.legacy = `${base}due`;
  }

  async addLeased(job: BackchannelJob, leaseMs: number): Promise<string | undefined> {
    const lease = crypto.randomUUID();
    const added = await ADD_LEASED.run<number>(this.redis, this.keys, [job.id, JSON.stringify(job), lease, leaseMs]);
    return added === 1 ? lease : undefined;
  }

  async claim(limit: number, leaseMs: number): Promise<LeasedJob[]> {
    const lease = crypto.randomUUID();
    const [queue, jobs, leases, since] = this.keys;
    const out = await CLAIM.run<(string | number)[]>(this.redis, [queue, jobs, leases, this.legacy, since], [limit, leaseMs, lease]);
    const claimed: LeasedJob[] = [];
    for (let i = 0; i < out.length; i += 2) {
      claimed.push({ job: JSON.parse(String(out[i])) as BackchannelJob, lease, takenOver: out[i + 1] === 1 });
    }
    return claimed;
  }

  async settle(id: string, lease: string): Promise<boolean> {
    return (await SETTLE.run<number>(this.redis, this.keys, [id, lease])) === 1;
  }

  async retryLater(next: BackchannelJob, lease: string, delayMs: number): Promise<boolean> {
    return (await RETRY_LATER.run<number>(this.redis, this.keys, [next.id, lease, JSON.stringify(next), delayMs])) === 1;
  }

  async depth(): Promise<number> {
    return this.redis.hlen(this.keys[1]);
  }

  async oldestAgeMs(): Promise<number> {
    return OLDEST_AGE.run<number>(this.redis, [this.keys[1], this.keys[3]], []);
  }

  async pending(): Promise<BackchannelJob[]> {
    return Object.values(await this.redis.hgetall(this.keys[1])).map((raw) => JSON.parse(raw) as BackchannelJob);
  }
}
