import { uniquePrefix } from '@ssohub/testkit';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { describeConsoleSessionStoreContract } from './console-session-store-contract.ts';
import { createConsoleSessionStore } from './console-session-store.ts';
import { createConsoleSessions } from './console-sessions.ts';

// Console sessions in the real Redis of the integration run: what the store holds, and for how long.
const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 2 });
afterAll(async () => {
  await redis.quit();
});
const redisStorage = (prefix: string) => ({ kind: 'redis' as const, redis, prefix, description: 'redis', close: async () => {} });

describeConsoleSessionStoreContract('redis', () => createConsoleSessionStore(redisStorage(uniquePrefix('console'))));

describe('console sessions in Redis', () => {
  it('keeps the hash of the id only, expiring when the session would end, and forgets it on sign-out', async () => {
    const prefix = uniquePrefix('console');
    const sessions = createConsoleSessions(createConsoleSessionStore(redisStorage(prefix)), { idleTimeoutMs: 15 * 60_000, maxAgeMs: 8 * 3_600_000 }, { tokenTag: 'tag' });
    const { id, session } = await sessions.start('alice');
    const keys = await redis.keys(`${prefix}*`);
    expect(keys).toEqual([`${prefix}console:session:${session.idHash}`]);
    expect(keys[0]).not.toContain(id);
    expect(await redis.get(keys[0]!)).not.toContain(id);
    const ttl = await redis.pttl(keys[0]!);
    expect(ttl).toBeGreaterThan(14 * 60_000);
    expect(ttl).toBeLessThanOrEqual(15 * 60_000);
    expect(await sessions.resume(id)).toMatchObject({ name: 'alice', csrf: session.csrf });
    await sessions.end(session);
    expect(await redis.exists(keys[0]!)).toBe(0);
    expect(await sessions.resume(id)).toBeUndefined();
  });

  it('leaves a session signed out when a request that read it before writes it back after', async () => {
    const prefix = uniquePrefix('console');
    const sessions = createConsoleSessions(createConsoleSessionStore(redisStorage(prefix)), { idleTimeoutMs: 15 * 60_000, maxAgeMs: 8 * 3_600_000 }, { tokenTag: 'tag' });
    const { id } = await sessions.start('alice');
    const slow = (await sessions.resume(id))!;
    await sessions.end(slow);
    expect(await sessions.setNotice(slow, { key: 'console.clients.notice.updated', values: { id: 'x' } })).toBe(false);
    expect(await redis.keys(`${prefix}*`)).toEqual([]);
    expect(await sessions.resume(id)).toBeUndefined();
  });
});
