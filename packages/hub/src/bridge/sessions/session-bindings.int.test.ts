import { Redis } from 'ioredis';
import { uniquePrefix } from '@ssohub/testkit';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { Storage } from '../../storage/storage.ts';
import { type SessionBindings, sessionBindingStore } from './session-bindings.ts';

const redis = new Redis(inject('redisUrl'), { enableAutoPipelining: true });
const prefix = uniquePrefix('bindings');
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

const redisStorage: Storage = { kind: 'redis', redis, prefix, description: 'redis', close: async () => {} };
const stores: [string, () => SessionBindings][] = [
  ['redis', () => sessionBindingStore(redisStorage)],
  ['memory', () => sessionBindingStore({ kind: 'memory', description: 'memory', close: async () => {} })],
];

describe.each(stores)('session bindings (%s)', (_name, make) => {
  it('moves a provider session rebound to another Kratos session out of the first one', async () => {
    const b = make();
    const [uid, k1, k2, ada] = ['u-rebind', `k1-${Date.now()}`, `k2-${Date.now()}`, `ada-${Date.now()}`];
    await b.bind({ uid, kratosSessionId: k1, accountId: ada }, 60);
    expect(await b.uidsOf(k1)).toEqual([uid]);
    await b.bind({ uid, kratosSessionId: k2, accountId: ada }, 60);
    expect(await b.find(uid)).toEqual({ uid, kratosSessionId: k2, accountId: ada });
    expect(await b.uidsOf(k1)).toEqual([]);
    expect(await b.uidsOf(k2)).toEqual([uid]);
    expect((await b.kratosSessionsOf(ada)).sort()).toEqual([k1, k2].sort());
    // Binding again to the same Kratos session changes nothing.
    await b.bind({ uid, kratosSessionId: k2, accountId: ada }, 60);
    expect(await b.uidsOf(k2)).toEqual([uid]);
  });
});

describe('session bindings in Redis', () => {
  it('expire every key of a binding with the session', async () => {
    const b = sessionBindingStore(redisStorage);
    const [uid, k, ada] = [`u-ttl-${Date.now()}`, `k-ttl-${Date.now()}`, `ada-ttl-${Date.now()}`];
    await b.bind({ uid, kratosSessionId: k, accountId: ada }, 120);
    for (const key of [`bridge:binding:uid:${uid}`, `bridge:binding:kratos:${k}`, `bridge:binding:identity:${ada}`]) {
      const ttl = await redis.ttl(`${prefix}${key}`);
      expect(ttl, key).toBeGreaterThan(100);
      expect(ttl, key).toBeLessThanOrEqual(120);
    }
  });
});
