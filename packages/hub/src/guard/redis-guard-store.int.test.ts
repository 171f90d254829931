import { Redis } from 'ioredis';
import { afterAll, inject } from 'vitest';
import { uniquePrefix } from '@ssohub/testkit';
import { guardStoreContract } from './guard-store-contract.ts';
import { createRedisGuardStore } from './redis-guard-store.ts';

// The same contract as the memory store, against the real Redis of the integration run.
const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 2 });
afterAll(async () => {
  await redis.quit();
});

guardStoreContract('redis', () => createRedisGuardStore(redis, uniquePrefix('guard')));
