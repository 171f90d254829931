import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisSessionStore, type SsoClient } from '../src/index.ts';
import { makeClient, signIn } from './helpers/test-client.ts';
import { startTestHub, type TestHub } from './helpers/test-hub.ts';

let hub: TestHub;
let client: SsoClient;
const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
const prefix = `ssohub:test:${randomUUID()}:client:`;

beforeAll(async () => {
  try {
    await redis.connect();
  } catch (cause) {
    throw new Error('Redis on 127.0.0.1:6379 is required by these tests (start redis-server); not skipping', { cause });
  }
  hub = await startTestHub();
  client = await makeClient(hub, { idleTimeout: 300, absoluteTimeout: 3600, store: new RedisSessionStore({ redis, clientId: 'app-a', keyPrefix: prefix }) });
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
  await hub.close();
});

describe('session lifetime (Redis)', () => {
  it('stores the session under the client namespace with the idle timeout as TTL, sliding on each request', async () => {
    const { session, cookie } = await signIn(hub, client);
    const key = `${prefix}app-a:session:${session.id}`;
    expect(await redis.ttl(key)).toBeGreaterThan(290);
    await redis.expire(key, 100);
    const loaded = await client.loadSession(cookie);
    expect(loaded!.idleExpiresAt - Math.floor(Date.now() / 1000)).toBeGreaterThan(290);
    expect(await redis.ttl(key)).toBeGreaterThan(290);
    // Nothing secret is in the key name: it is the digest of the cookie value.
    expect(cookie).not.toContain(session.id);
    expect(JSON.parse((await redis.get(key))!).claims.sub).toBe('alice');
  });

  it('ends a session past its absolute timeout even while it is in use', async () => {
    const { session, cookie } = await signIn(hub, client);
    await client.options.store.set({ ...session, expiresAt: Math.floor(Date.now() / 1000) - 1 }, 300);
    expect(await client.loadSession(cookie)).toBeUndefined();
    expect(await redis.exists(`${prefix}app-a:session:${session.id}`)).toBe(0);
  });

  it('ignores unknown, overlong or foreign cookies without touching the store for junk', async () => {
    expect(await client.loadSession(undefined)).toBeUndefined();
    expect(await client.loadSession(`${client.sessionCookieName}=${'x'.repeat(500)}`)).toBeUndefined();
    expect(await client.loadSession(`${client.sessionCookieName}=nope`)).toBeUndefined();
    expect(await client.loadSession(`x${client.sessionCookieName}=nope`)).toBeUndefined();
  });
});
