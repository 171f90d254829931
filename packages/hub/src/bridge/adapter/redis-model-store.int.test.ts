import { Redis } from 'ioredis';
import { uniquePrefix } from '@ssohub/testkit';
import { afterAll, inject } from 'vitest';
import { describeModelStoreContract } from './model-store-contract.ts';
import { RedisModelStore } from './redis-model-store.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

// The same contract as the memory store, against the real Redis of the test run.
const redis = new Redis(inject('redisUrl'));
const prefix = uniquePrefix('adapter');
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});
describeModelStoreContract('redis', (model) => new RedisModelStore(model, redis, prefix));
