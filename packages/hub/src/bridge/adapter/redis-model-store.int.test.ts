import { Redis } from 'ioredis';
import { uniquePrefix } from '@ssohub/testkit';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { describeModelStoreContract } from './model-store-contract.ts';
import { RedisModelStore } from './redis-model-store.ts';
import { withRequestScope } from './request-scope.ts';
import { requestScopedReads } from './request-scoped-reads.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

// The same contract as the memory store, against the real Redis of the test run.
// Auto-pipelining as the hub's storage connection has it (storage.ts).
const redis = new Redis(inject('redisUrl'), { enableAutoPipelining: true });
const prefix = uniquePrefix('adapter');
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});
describeModelStoreContract('redis', (model) => new RedisModelStore(model, redis, prefix));

// Deferred writes at the token endpoint (request-scope.ts): a read after them still sees them,
// including writes that are a read then a write (revokeByGrantId).
describe('deferred writes', () => {
  it('are seen by the reads the same request makes after them', async () => {
    const tokens = requestScopedReads(new RedisModelStore('RefreshToken', redis, prefix), 'RefreshToken');
    const seen = await withRequestScope(
      async () => {
        await tokens.upsert('rt-deferred', { jti: 'rt-deferred', grantId: 'g1', accountId: 'ada' }, 60);
        await tokens.consume('rt-deferred');
        const afterConsume = (await tokens.find('rt-deferred')) as { consumed?: number };
        await tokens.upsert('rt-next', { jti: 'rt-next', grantId: 'g1', accountId: 'ada' }, 60);
        await tokens.revokeByGrantId('g1');
        return { afterConsume, afterRevoke: await tokens.find('rt-next') };
      },
      { deferWrites: true },
    );
    expect(seen.afterConsume.consumed).toEqual(expect.any(Number));
    expect(seen.afterRevoke).toBeUndefined();
  });
});

describe('the client index of grants', () => {
  it('is a key under the store prefix that lives at least as long as the longest-lived grant', async () => {
    const grants = new RedisModelStore('Grant', redis, prefix);
    const clientId = `app-${crypto.randomUUID()}`;
    await grants.upsert('g-long', { jti: 'g-long', clientId, accountId: 'a1', kind: 'Grant' }, 900);
    await grants.upsert('g-short', { jti: 'g-short', clientId, accountId: 'a2', kind: 'Grant' }, 60);
    const [key] = await redis.keys(`*${clientId}*`);
    expect(key).toBe(`${prefix}oidc:Grant:client:${clientId}`);
    expect(await redis.ttl(key!)).toBeGreaterThan(890);
    await grants.destroy('g-long');
    await grants.destroy('g-short');
    expect(await redis.exists(key!)).toBe(0);
  });
});

describe('the account index of grants', () => {
  it('is a key under the store prefix, beside the client index, gone with its last grant', async () => {
    const grants = new RedisModelStore('Grant', redis, prefix);
    const accountId = `acct-${crypto.randomUUID()}`;
    await grants.upsert('ga-long', { jti: 'ga-long', clientId: 'app-a', accountId, kind: 'Grant' }, 900);
    await grants.upsert('ga-short', { jti: 'ga-short', clientId: 'app-b', accountId, kind: 'Grant' }, 60);
    const [key] = await redis.keys(`*${accountId}*`);
    expect(key).toBe(`${prefix}oidc:Grant:account:${accountId}`);
    expect(await redis.ttl(key!)).toBeGreaterThan(890);
    await grants.destroy('ga-long');
    await grants.destroy('ga-short');
    expect(await redis.exists(key!)).toBe(0);
  });
});

describe('the live index of sessions', () => {
  it('is one key under the store prefix that the sessions share, gone with the last of them', async () => {
    const p = uniquePrefix('adapter-live');
    const sessions = new RedisModelStore('Session', redis, p);
    await sessions.upsert('s-long', { jti: 's-long', uid: 'u-long', accountId: 'a1' }, 900);
    await sessions.upsert('s-short', { jti: 's-short', uid: 'u-short', accountId: 'a2' }, 60);
    const key = `${p}oidc:live:Session`;
    expect(await redis.zrange(key, 0, -1)).toEqual(['s-short', 's-long']);
    // One key for the model, pruned at every save: no TTL of its own.
    expect(await redis.ttl(key)).toBe(-1);
    expect(await sessions.countLive()).toBe(2);
    await sessions.destroy('s-long');
    await sessions.destroy('s-short');
    expect(await redis.exists(key)).toBe(0);
    // Other models keep no such index.
    await new RedisModelStore('AccessToken', redis, p).upsert('at-1', { jti: 'at-1' }, 60);
    expect(await redis.keys(`${p}oidc:live:*`)).toEqual([]);
    await redis.del(`${p}oidc:AccessToken:at-1`);
  });

  it('drops expired members at the next save, so it holds no more than the live sessions and those since the last one', async () => {
    const p = uniquePrefix('adapter-live');
    const sessions = new RedisModelStore('Session', redis, p);
    const key = `${p}oidc:live:Session`;
    // A session that expired without a destroy (the browser never came back).
    await redis.zadd(key, Math.floor(Date.now() / 1000) - 10, 's-gone');
    expect(await sessions.countLive()).toBe(0);
    await sessions.upsert('s-new', { jti: 's-new', uid: 'u-new', accountId: 'a1' }, 60);
    expect(await redis.zrange(key, 0, -1)).toEqual(['s-new']);
    await sessions.destroy('s-new');
  });
});
