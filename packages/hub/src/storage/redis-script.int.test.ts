import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { uniquePrefix } from '@ssohub/testkit';
import { RedisScript } from './redis-script.ts';

// Auto-pipelining as the hub connects (storage.ts): the case ioredis' defineCommand gets wrong.
const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 2, enableAutoPipelining: true });
afterAll(async () => {
  await redis.quit();
});

describe('RedisScript on an auto-pipelining connection', () => {
  it('runs in the same tick as a pipeline that was queued before the script was first used', async () => {
    const key = `${uniquePrefix('script')}k`;
    const crashes: unknown[] = [];
    const onCrash = (err: unknown) => crashes.push(err);
    process.on('uncaughtException', onCrash);
    try {
      // A command queued first creates the tick's pipeline; the script joins that same pipeline.
      const queued = redis.set(key, 'before');
      const script = new RedisScript(`return redis.call('append', KEYS[1], ARGV[1])`);
      const ran = script.run<number>(redis, [key], ['+after']);
      expect(await Promise.all([queued, ran])).toEqual(['OK', 'before+after'.length]);
      await new Promise((resolve) => setImmediate(resolve));
      expect(crashes).toEqual([]);
      expect(await redis.get(key)).toBe('before+after');
    } finally {
      process.off('uncaughtException', onCrash);
      await redis.del(key);
    }
  });

  it('loads the script again when Redis has forgotten it (restart, SCRIPT FLUSH)', async () => {
    const key = `${uniquePrefix('script')}n`;
    const script = new RedisScript(`return redis.call('incrby', KEYS[1], ARGV[1])`);
    expect(await script.run<number>(redis, [key], [2])).toBe(2);
    await redis.script('FLUSH');
    expect(await redis.script('EXISTS', script.sha)).toEqual([0]);
    expect(await script.run<number>(redis, [key], [3])).toBe(5);
    expect(await redis.script('EXISTS', script.sha)).toEqual([1]);
    await redis.del(key);
  });

  it('passes Redis errors from the script through', async () => {
    const script = new RedisScript(`return redis.error_reply('ERR refused by script')`);
    await expect(script.run(redis, [], [])).rejects.toThrow(/refused by script/);
  });
});
