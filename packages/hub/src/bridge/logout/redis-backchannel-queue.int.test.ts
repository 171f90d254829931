import { uniquePrefix } from '@ssohub/testkit';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { describeBackchannelQueueContract } from './backchannel-queue-contract.ts';
import { RedisBackchannelQueue } from './redis-backchannel-queue.ts';

// Auto-pipelining as the hub's storage connection has it (storage.ts); a second connection plays
// the second hub instance.
const redis = new Redis(inject('redisUrl'), { enableAutoPipelining: true });
const other = new Redis(inject('redisUrl'), { enableAutoPipelining: true });
const prefixes: string[] = [];
const prefix = (name?: string) => {
  const p = name ? `${uniquePrefix('bcq')}${name}:` : uniquePrefix('bcq');
  prefixes.push(p);
  return p;
};
afterAll(async () => {
  for (const p of prefixes) {
    const keys = await redis.keys(`${p}*`);
    if (keys.length) await redis.del(...keys);
  }
  await Promise.all([redis.quit(), other.quit()]);
});

const named = new Map<string, string>();
let turn = 0;
describeBackchannelQueueContract('redis', (name, limits) => {
  if (!name) return new RedisBackchannelQueue(redis, prefix(), limits);
  if (!named.has(name)) named.set(name, prefix(name));
  return new RedisBackchannelQueue(turn++ % 2 ? other : redis, named.get(name)!);
});

describe('redis back-channel queue', () => {
  it('keeps its keys under the store prefix, so a hash-tagged prefix puts them in one Cluster slot', async () => {
    const p = `{${crypto.randomUUID()}}:`;
    prefixes.push(p);
    const q = new RedisBackchannelQueue(redis, p);
    const lease = (await q.addLeased({ id: 'j1', clientId: 'c', accountId: 'a', sid: 's', attempt: 1, reason: 'r' }, 60_000))!;
    await q.retryLater({ id: 'j1', clientId: 'c', accountId: 'a', sid: 's', attempt: 2, reason: 'r' }, lease, 60_000);
    const keys = await redis.keys(`${p}*`);
    expect(keys.sort()).toEqual([`${p}bridge:backchannel:jobs`, `${p}bridge:backchannel:queue`, `${p}bridge:backchannel:since`]);
  });

  it('keeps the failed record in two keys under the prefix that expire a TTL after the last failure', async () => {
    const p = `{${crypto.randomUUID()}}:`;
    prefixes.push(p);
    const q = new RedisBackchannelQueue(redis, p, { max: 10, ttlMs: 60_000 });
    const j = { id: 'f1', clientId: 'c', accountId: 'a', sid: 's', attempt: 3, reason: 'r' };
    await q.abandon(j, (await q.addLeased(j, 60_000))!, 'HTTP 500');
    expect((await redis.keys(`${p}*`)).sort()).toEqual([`${p}bridge:backchannel:failed`, `${p}bridge:backchannel:failedat`]);
    for (const key of ['failed', 'failedat']) {
      const ttl = await redis.pttl(`${p}bridge:backchannel:${key}`);
      expect(ttl).toBeGreaterThan(50_000);
      expect(ttl).toBeLessThanOrEqual(60_000);
    }
  });

  it('drops a failed record it cannot read instead of queueing it', async () => {
    const p = prefix();
    const q = new RedisBackchannelQueue(redis, p);
    await redis.hset(`${p}bridge:backchannel:failed`, 'broken', '{not json');
    await redis.zadd(`${p}bridge:backchannel:failedat`, Date.now(), 'broken');
    expect(await q.requeue('broken')).toBeUndefined();
    expect(await redis.hexists(`${p}bridge:backchannel:failed`, 'broken')).toBe(0);
    expect(await q.pending()).toEqual([]);
  });

  it('ages a job a previous hub version stored without a time from its first claim, and forgets a time whose job is gone', async () => {
    const p = prefix();
    const q = new RedisBackchannelQueue(redis, p);
    const old = { id: 'pre-1', clientId: 'app-a', accountId: 'ada', sid: 'sid-1', attempt: 2, reason: 'admin_revoked' };
    // As a hub before the age gauge stored it: no `since` entry.
    await redis.hset(`${p}bridge:backchannel:jobs`, old.id, JSON.stringify(old));
    await redis.zadd(`${p}bridge:backchannel:queue`, Date.now() - 1_000, old.id);
    expect(await q.oldestAgeMs()).toBe(0);
    const [claimed] = await q.claim(10, 60_000);
    expect(claimed?.job).toEqual(old);
    expect(await redis.zscore(`${p}bridge:backchannel:since`, old.id)).not.toBeNull();
    // Settled by such a hub: the job goes, its time stays behind, and is dropped at the next reading.
    await redis.zadd(`${p}bridge:backchannel:since`, Date.now() - 3_600_000, 'settled-elsewhere');
    expect(await q.oldestAgeMs()).toBeLessThan(60_000);
    expect(await redis.zscore(`${p}bridge:backchannel:since`, 'settled-elsewhere')).toBeNull();
    expect(await q.settle(old.id, claimed!.lease)).toBe(true);
    expect(await q.oldestAgeMs()).toBe(0);
  });

  it('delivers a job a hub before trace contexts stored, and a failed one retried now, without one', async () => {
    const p = prefix();
    const q = new RedisBackchannelQueue(redis, p);
    const old = { id: 'pre-trace-1', clientId: 'app-a', accountId: 'ada', sid: 'sid-1', attempt: 2, reason: 'admin_revoked', lastError: 'HTTP 503' };
    await redis.hset(`${p}bridge:backchannel:jobs`, old.id, JSON.stringify(old));
    await redis.zadd(`${p}bridge:backchannel:queue`, Date.now() - 1_000, old.id);
    const [claimed] = await q.claim(10, 60_000);
    expect(claimed?.job).toEqual(old);
    const failed = { id: 'pre-trace-2', clientId: 'app-a', accountId: 'ada', sid: 'sid-2', attempt: 3, reason: 'admin_revoked', lastError: 'HTTP 500' };
    await redis.hset(`${p}bridge:backchannel:failed`, failed.id, JSON.stringify({ job: failed, error: 'HTTP 500' }));
    await redis.zadd(`${p}bridge:backchannel:failedat`, Date.now(), failed.id);
    expect(await q.requeue(failed.id)).toEqual({ from: 'failed', job: { id: failed.id, clientId: 'app-a', accountId: 'ada', sid: 'sid-2', attempt: 1, reason: 'admin_revoked' }, attempting: false });
  });

  it('adopts retries a previous hub version left in the old sorted set', async () => {
    const p = prefix();
    const legacy = { id: 'old-1', clientId: 'app-a', accountId: 'ada', sid: 'sid-9', attempt: 3, reason: 'admin_revoked' };
    await redis.zadd(`${p}bridge:backchannel:due`, Date.now() - 1_000, JSON.stringify(legacy));
    const q = new RedisBackchannelQueue(redis, p);
    const claimed = await q.claim(10, 60_000);
    expect(claimed).toEqual([{ job: legacy, lease: expect.any(String), takenOver: false }]);
    expect(await redis.exists(`${p}bridge:backchannel:due`)).toBe(0);
  });
});
