/**
 * Owns the back-channel queue in Redis, the one every hub instance claims from, so a job outlives
 * the instance that stored it. Retries that hubs before ADR 0009 left in the old sorted set join
 * it at the next claim.
 */
import type { StoreClient } from '../../storage/redis-client.ts';
import { RedisScript } from '../../storage/redis-script.ts';
import {
  type BackchannelJob,
  type BackchannelQueue,
  FAILED_RECORD_LIMITS,
  type FailedJob,
  type FailedRecordLimits,
  type LeasedJob,
  type QueuedJob,
  type Requeued,
} from './backchannel-queue.ts';

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

// KEYS: queue, jobs, leases, since, failed (hash id → {job, error} JSON), failed at (zset id →
// when it failed). ARGV: id, lease, failed record JSON, max kept, ttlMs.
// Keeps the record bounded at every write: entries older than the TTL and the oldest beyond the
// cap go, and both keys expire a TTL after the last failure, so a quiet hub keeps nothing.
const ABANDON = new RedisScript(`${NOW}
if redis.call('HGET', KEYS[3], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('HSET', KEYS[5], ARGV[1], ARGV[3])
redis.call('ZADD', KEYS[6], now, ARGV[1])
local ttl = tonumber(ARGV[5])
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[6], '-inf', now - ttl)) do redis.call('HDEL', KEYS[5], id) end
redis.call('ZREMRANGEBYSCORE', KEYS[6], '-inf', now - ttl)
local over = redis.call('ZCARD', KEYS[6]) - tonumber(ARGV[4])
if over > 0 then
  for _, id in ipairs(redis.call('ZRANGE', KEYS[6], 0, over - 1)) do redis.call('HDEL', KEYS[5], id) end
  redis.call('ZREMRANGEBYRANK', KEYS[6], 0, over - 1)
end
redis.call('PEXPIRE', KEYS[5], ttl)
redis.call('PEXPIRE', KEYS[6], ttl)
return 1`);

// KEYS: queue, jobs, leases. ARGV: limit. Job JSON, when due (or its lease ends), leased (1/0).
const QUEUED = new RedisScript(`local out = {}
local ids = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1, 'WITHSCORES')
for i = 1, #ids, 2 do
  local raw = redis.call('HGET', KEYS[2], ids[i])
  if raw then
    out[#out + 1] = raw
    out[#out + 1] = ids[i + 1]
    out[#out + 1] = redis.call('HEXISTS', KEYS[3], ids[i])
  end
end
return out`);

// KEYS: failed, failed at. ARGV: ttlMs. Record JSON and when it failed, the latest first, within the TTL.
const FAILED = new RedisScript(`${NOW}
local out = {}
local ids = redis.call('ZREVRANGEBYSCORE', KEYS[2], '+inf', '(' .. (now - tonumber(ARGV[1])), 'WITHSCORES')
for i = 1, #ids, 2 do
  local raw = redis.call('HGET', KEYS[1], ids[i])
  if raw then
    out[#out + 1] = raw
    out[#out + 1] = ids[i + 1]
  end
end
return out`);

// KEYS: queue, jobs, leases, since, failed, failed at. ARGV: id.
// A stored job not held by an attempt becomes due now (one held is left alone: making it due
// would hand it to a claimer as a takeover, a second attempt at once). A failed one leaves the
// record and is stored again as attempt 1, unleased and due now, for any instance's next claim.
const REQUEUE = new RedisScript(`${NOW}
local raw = redis.call('HGET', KEYS[2], ARGV[1])
if raw then
  if redis.call('HEXISTS', KEYS[3], ARGV[1]) == 1 then return {'pending', raw, 1} end
  redis.call('ZADD', KEYS[1], now, ARGV[1])
  return {'pending', raw, 0}
end
local rec = redis.call('HGET', KEYS[5], ARGV[1])
if not rec then return false end
redis.call('HDEL', KEYS[5], ARGV[1])
redis.call('ZREM', KEYS[6], ARGV[1])
local ok, failed = pcall(cjson.decode, rec)
if not ok or type(failed) ~= 'table' or type(failed.job) ~= 'table' then return false end
local job = failed.job
job.attempt = 1
job.lastError = nil
local fresh = cjson.encode(job)
redis.call('HSET', KEYS[2], ARGV[1], fresh)
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZADD', KEYS[4], now, ARGV[1])
return {'failed', fresh, 0}`);

/**
 * RedisBackchannelQueue: four keys under the store prefix, `bridge:backchannel:queue` (sorted
 * set: job id → when it is due, or when its lease ends), `…:jobs` (hash: id → job JSON),
 * `…:leases` (hash: id → the lease token of its holder) and `…:since` (sorted set: id → when it
 * was stored, for the queue age gauge without reading every job), plus the record of failed
 * deliveries, `…:failed` (hash: id → the job and its last error) and `…:failedat` (sorted set:
 * id → when it was given up), bounded by FailedRecordLimits. Every change is one Lua script, so a claim, a settle or a reschedule is atomic; all keys of a script share the prefix,
 * which puts them in one slot on Redis Cluster when the prefix carries a hash tag (`{ssohub}:`).
 */
export class RedisBackchannelQueue implements BackchannelQueue {
  private readonly redis: StoreClient;
  private readonly keys: [queue: string, jobs: string, leases: string, since: string];
  private readonly failedKeys: [failed: string, failedAt: string];
  private readonly legacy: string;
  private readonly limits: FailedRecordLimits;

  constructor(redis: StoreClient, prefix: string, limits: FailedRecordLimits = FAILED_RECORD_LIMITS) {
    this.redis = redis;
    const base = `${prefix}bridge:backchannel:`;
    this.keys = [`${base}queue`, `${base}jobs`, `${base}leases`, `${base}since`];
    this.failedKeys = [`${base}failed`, `${base}failedat`];
    this.legacy = `${base}due`;
    this.limits = limits;
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

  async abandon(failed: BackchannelJob, lease: string, error: string): Promise<boolean> {
    const record = JSON.stringify({ job: failed, error });
    return (await ABANDON.run<number>(this.redis, [...this.keys, ...this.failedKeys], [failed.id, lease, record, this.limits.max, this.limits.ttlMs])) === 1;
  }

  async queued(limit = Number.MAX_SAFE_INTEGER): Promise<QueuedJob[]> {
    const out = await QUEUED.run<(string | number)[]>(this.redis, this.keys.slice(0, 3), [Math.min(limit, 1_000_000)]);
    const queued: QueuedJob[] = [];
    for (let i = 0; i < out.length; i += 3) queued.push({ job: JSON.parse(String(out[i])) as BackchannelJob, dueAt: Number(out[i + 1]), leased: out[i + 2] === 1 });
    return queued;
  }

  async failed(): Promise<FailedJob[]> {
    const out = await FAILED.run<string[]>(this.redis, this.failedKeys, [this.limits.ttlMs]);
    const failed: FailedJob[] = [];
    for (let i = 0; i < out.length; i += 2) {
      const record = JSON.parse(String(out[i])) as { job: BackchannelJob; error: string };
      failed.push({ job: record.job, error: record.error, failedAt: Number(out[i + 1]) });
    }
    return failed;
  }

  async requeue(id: string): Promise<Requeued | undefined> {
    const out = await REQUEUE.run<[string, string, number] | null>(this.redis, [...this.keys, ...this.failedKeys], [id]);
    if (!out) return undefined;
    return { from: out[0] === 'failed' ? 'failed' : 'pending', job: JSON.parse(out[1]) as BackchannelJob, attempting: out[2] === 1 };
  }
}
