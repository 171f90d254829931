import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { deleteKeysWithPrefix, uniquePrefix } from './redis.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 2 });
afterAll(async () => {
  await redis.quit();
});

describe('deleteKeysWithPrefix', () => {
  it('deletes every key under a test prefix, with or without a lifetime, and nothing else', async () => {
    const prefix = uniquePrefix('cleanup');
    const neighbour = uniquePrefix('cleanup');
    await redis.set(`${prefix}a`, '1');
    await redis.set(`${prefix}b`, '1', 'EX', 600);
    await redis.xadd(`${prefix}audit`, '*', 'type', 'x');
    await redis.set(`${neighbour}kept`, '1');
    expect(await deleteKeysWithPrefix(redis, prefix)).toBe(3);
    expect(await redis.keys(`${prefix}*`)).toEqual([]);
    expect(await redis.get(`${neighbour}kept`)).toBe('1');
    await deleteKeysWithPrefix(redis, neighbour);
  });

  it('refuses a prefix that is not a test or bench prefix', async () => {
    for (const prefix of ['', 'ssohub:', '*', 'ssohub-test:']) {
      await expect(deleteKeysWithPrefix(redis, prefix)).rejects.toThrow(/refusing to delete keys/);
    }
  });
});
