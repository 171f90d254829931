import type { StoreClient } from '../storage/redis-client.ts';
import { RedisScript } from '../storage/redis-script.ts';
import type { GuardStore, LockRecord, NewLock, Refusal } from './guard-store.ts';

// Every script reads the clock with TIME, so hub instances with skewed clocks still agree.
const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * KEYS: buckets, in order. ARGV per bucket: burst, tokens per ms. Takes one token from each until
 * one has none; returns nil, or {index of that bucket (0-based), wait in ms}.
 */
export const TAKE = `${NOW}
for i = 1, #KEYS do
  local burst = tonumber(ARGV[i*2-1])
  local rate = tonumber(ARGV[i*2])
  local b = redis.call('HMGET', KEYS[i], 'tokens', 'at')
  local tokens = tonumber(b[1]) or burst
  local at = tonumber(b[2]) or now
  tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
  if tokens < 1 then return {i - 1, math.ceil((1 - tokens) / rate)} end
  redis.call('HSET', KEYS[i], 'tokens', tostring(tokens - 1), 'at', now)
  redis.call('PEXPIRE', KEYS[i], math.ceil(burst / rate))
end
return nil`;

/**
 * KEYS per scope: fail, pend, lock. ARGV: attemptId, mode ('pending'|'count'), pendingMs, then per
 * scope: limit, windowMs. Checks all scopes first and records in all only if none refuses.
 * Returns nil, or {scope index, retryAfterMs, locked 0/1}.
 */
const RESERVE = `${NOW}
local id, mode, pendingMs = ARGV[1], ARGV[2], tonumber(ARGV[3])
local n = #KEYS / 3
for i = 0, n - 1 do
  local fail, pend, lock = KEYS[i*3+1], KEYS[i*3+2], KEYS[i*3+3]
  local limit, window = tonumber(ARGV[4+i*2]), tonumber(ARGV[5+i*2])
  local ttl = redis.call('PTTL', lock)
  if ttl > 0 then return {i, ttl, 1} end
  redis.call('ZREMRANGEBYSCORE', fail, '-inf', now - window)
  redis.call('ZREMRANGEBYSCORE', pend, '-inf', now)
  local failures = redis.call('ZCARD', fail)
  local pending = redis.call('ZCARD', pend)
  if failures + pending >= limit then
    local wait
    if failures >= limit then
      local e = redis.call('ZRANGE', fail, failures - limit, failures - limit, 'WITHSCORES')
      wait = tonumber(e[2]) + window - now
    else
      local e = redis.call('ZRANGE', pend, 0, 0, 'WITHSCORES')
      wait = tonumber(e[2]) - now
    end
    return {i, math.max(1, wait), 0}
  end
end
for i = 0, n - 1 do
  local fail, pend = KEYS[i*3+1], KEYS[i*3+2]
  local window = tonumber(ARGV[5+i*2])
  if mode == 'count' then
    redis.call('ZADD', fail, now, id)
    redis.call('PEXPIRE', fail, window)
  else
    redis.call('ZADD', pend, now + pendingMs, id)
    redis.call('PEXPIRE', pend, pendingMs)
  end
end
return nil`;

/**
 * KEYS per scope: fail, pend, lock, level; then the lock index. ARGV: attemptId, failed (0/1),
 * then per scope 10 values: name, limit, windowMs, durationMs (0 = never locks), growthFactor,
 * maxDurationMs, resetMs, resetOnSuccess (0/1), identifier, ip. Returns the locks it set as
 * {scope index, durationMs, level, failures}.
 */
const SETTLE = `${NOW}
local id, failed = ARGV[1], ARGV[2] == '1'
local n = (#KEYS - 1) / 4
local index = KEYS[#KEYS]
local out = {}
for i = 0, n - 1 do
  local fail, pend, lock, lvl = KEYS[i*4+1], KEYS[i*4+2], KEYS[i*4+3], KEYS[i*4+4]
  local a = 3 + i * 10
  local name, limit, window = ARGV[a], tonumber(ARGV[a+1]), tonumber(ARGV[a+2])
  local dur, growth, maxd, reset = tonumber(ARGV[a+3]), tonumber(ARGV[a+4]), tonumber(ARGV[a+5]), tonumber(ARGV[a+6])
  local resetOnSuccess, ident, ip = ARGV[a+7] == '1', ARGV[a+8], ARGV[a+9]
  redis.call('ZREM', pend, id)
  if failed then
    redis.call('ZREMRANGEBYSCORE', fail, '-inf', now - window)
    redis.call('ZADD', fail, now, id)
    redis.call('PEXPIRE', fail, window)
    local count = redis.call('ZCARD', fail)
    if dur > 0 and count >= limit and redis.call('PTTL', lock) <= 0 then
      local level = redis.call('INCR', lvl)
      redis.call('PEXPIRE', lvl, reset)
      local d = math.floor(math.min(dur * growth ^ (level - 1), maxd))
      redis.call('HSET', lock, 'identifier', ident, 'ip', ip, 'until', now + d, 'failures', count, 'level', level)
      redis.call('PEXPIRE', lock, d)
      if ident ~= '' then redis.call('ZADD', index, now + d, name) end
      redis.call('DEL', fail)
      table.insert(out, {i, d, level, count})
    end
  elseif resetOnSuccess then
    redis.call('DEL', fail)
  end
end
return out`;

/**
 * KEYS[1] lock index. ARGV: key prefix of the guard, identifier hash. Deletes the identifier's
 * locks, failures and levels (alone and paired with any IP). Returns the scopes that were locked.
 */
const CLEAR = `${NOW}
local index, g, h = KEYS[1], ARGV[1], ARGV[2]
local pairPrefix = 'pair:' .. h .. ':'
local cleared = {}
for _, m in ipairs(redis.call('ZRANGE', index, 0, -1)) do
  if m == 'id:' .. h or string.sub(m, 1, #pairPrefix) == pairPrefix then
    local fields = redis.call('HGETALL', g .. 'lock:' .. m)
    if #fields > 0 then
      table.insert(fields, 'scope')
      table.insert(fields, m)
      table.insert(cleared, fields)
    end
    redis.call('DEL', g .. 'lock:' .. m, g .. 'fail:' .. m, g .. 'lvl:' .. m)
    redis.call('ZREM', index, m)
  end
end
redis.call('DEL', g .. 'lock:id:' .. h, g .. 'fail:id:' .. h, g .. 'lvl:id:' .. h)
return cleared`;


const SCRIPTS = {
  take: new RedisScript(TAKE),
  reserve: new RedisScript(RESERVE),
  settle: new RedisScript(SETTLE),
  clear: new RedisScript(CLEAR),
};

/**
 * The guard's counters in Redis under `<prefix>guard:`, shared by every hub instance. Each call
 * is one Lua script (run by EVALSHA, see RedisScript), so a check
 * and the update that follows it cannot interleave with another instance's.
 *
 * Keys: `guard:fail:<scope>` and `guard:pend:<scope>` (sorted sets of attempt ids by time),
 * `guard:lock:<scope>` (hash, expires with the lock), `guard:lvl:<scope>` (lock level),
 * `guard:locks` (index of identifier locks by end time), `guard:bucket:<name>` (token buckets).
 * Scopes: `pair:<idhash>:<ip>`, `id:<idhash>`, `ip:<ip>`, `send:<idhash>`, `flow:<flow id>`.
 * The scripts touch several scopes at once, so under Redis Cluster they need one hash slot
 * (a `{...}` tag in store.prefix).
 */
export function createRedisGuardStore(redis: StoreClient, prefix: string): GuardStore {
  const g = `${prefix}guard:`;
  const index = `${g}locks`;
  return {
    async take(buckets) {
      const keys = buckets.map((b) => `${g}bucket:${b.key}`);
      const args = buckets.flatMap((b) => [b.burst, b.perMinute / 60_000]);
      const r = await SCRIPTS.take.run<[number, number] | null>(redis, keys, args);
      return r ? { index: Number(r[0]), waitMs: Number(r[1]) } : undefined;
    },

    async reserve(scopes, attemptId, { mode, pendingMs }): Promise<Refusal | undefined> {
      const keys = scopes.flatMap(({ scope }) => [`${g}fail:${scope}`, `${g}pend:${scope}`, `${g}lock:${scope}`]);
      const args = [attemptId, mode, pendingMs, ...scopes.flatMap((s) => [s.limit, s.windowMs])];
      const r = await SCRIPTS.reserve.run<[number, number, number] | null>(redis, keys, args);
      if (!r) return undefined;
      return { scope: scopes[r[0]]!.scope, retryAfterMs: Number(r[1]), locked: r[2] === 1 };
    },

    async settle(scopes, attemptId, failed): Promise<NewLock[]> {
      const keys = [
        ...scopes.flatMap(({ scope }) => [`${g}fail:${scope}`, `${g}pend:${scope}`, `${g}lock:${scope}`, `${g}lvl:${scope}`]),
        index,
      ];
      const args = [
        attemptId,
        failed ? 1 : 0,
        ...scopes.flatMap((s) => [
          s.scope,
          s.limit,
          s.windowMs,
          s.lock?.durationMs ?? 0,
          s.lock?.growthFactor ?? 1,
          s.lock?.maxDurationMs ?? 0,
          s.lock?.resetMs ?? 1,
          s.resetOnSuccess ? 1 : 0,
          s.lock?.identifier ?? '',
          s.lock?.ip ?? '',
        ]),
      ];
      const rows = await SCRIPTS.settle.run<[number, number, number, number][]>(redis, keys, args);
      return rows.map(([i, durationMs, level, failures]) => ({ scope: scopes[i]!.scope, durationMs, level, failures }));
    },

    async listLocks() {
      const now = Date.now();
      await redis.zremrangebyscore(index, '-inf', now);
      const names = await redis.zrange(index, 0, -1);
      if (names.length === 0) return [];
      const pipeline = redis.pipeline();
      for (const name of names) pipeline.hgetall(`${g}lock:${name}`);
      const rows = (await pipeline.exec()) ?? [];
      return names.flatMap((name, i) => {
        const fields = rows[i]?.[1] as Record<string, string> | undefined;
        return fields?.until ? [recordOf(name, fields)] : [];
      });
    },

    async clear(hash) {
      const rows = await SCRIPTS.clear.run<string[][]>(redis, [index], [g, hash]);
      return rows.map((flat) => {
        const fields: Record<string, string> = {};
        for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
        return recordOf(fields.scope ?? '', fields);
      });
    },
  };
}

function recordOf(scope: string, f: Record<string, string>): LockRecord {
  return {
    scope,
    identifier: f.identifier ?? '',
    ip: f.ip || undefined,
    until: Number(f.until),
    failures: Number(f.failures),
    level: Number(f.level),
  };
}
