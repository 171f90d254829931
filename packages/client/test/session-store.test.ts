import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemorySessionStore, RedisSessionStore } from '../src/index.ts';
import { describeSessionStoreContract, record } from './contract/session-store-contract.ts';

// Unit tests use the local Redis on 127.0.0.1:6379; when it is missing they fail, loudly.
const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
const prefix = `ssohub:test:${randomUUID()}:client:`;

beforeAll(async () => {
  try {
    await redis.connect();
    await redis.ping();
  } catch (cause) {
    throw new Error('Redis on 127.0.0.1:6379 is required by the RedisSessionStore tests (start redis-server); not skipping', { cause });
  }
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

describeSessionStoreContract('memory', async (clientId = 'app-a') => new MemorySessionStore({ clientId, warn: () => {} }));
describeSessionStoreContract('redis', async (clientId = 'app-a') => new RedisSessionStore({ redis, clientId, keyPrefix: prefix }));

describe('MemorySessionStore', () => {
  it('warns loudly that it is for development', () => {
    const warnings: string[] = [];
    new MemorySessionStore({ clientId: 'app-a', warn: (m) => warnings.push(m) });
    expect(warnings.join('\n')).toMatch(/ssohub WARNING: MemorySessionStore .*lost on restart/);
  });
});

describe('RedisSessionStore', () => {
  it('namespaces keys per client and sets TTLs on every key', async () => {
    const store = new RedisSessionStore({ redis, clientId: 'app-a', keyPrefix: prefix });
    const r = record();
    await store.set(r, 120);
    const sessionKey = `${prefix}app-a:session:${r.id}`;
    expect(await redis.exists(sessionKey)).toBe(1);
    expect(await redis.ttl(sessionKey)).toBeGreaterThan(100);
    expect(await redis.ttl(`${prefix}app-a:sid:${r.sid}`)).toBeGreaterThan(3000);
    expect(await redis.ttl(`${prefix}app-a:sub:${r.claims.sub}`)).toBeGreaterThan(3000);
    await store.claim('x', 30);
    expect(await redis.ttl(`${prefix}app-a:claim:x`)).toBeGreaterThan(20);
  });

  it('uses ssohub:client:<clientId>: by default and describes itself without secrets', () => {
    const withPassword = new Redis({ host: '127.0.0.1', port: 6379, password: 'hunter2', lazyConnect: true });
    const store = new RedisSessionStore({ redis: withPassword, clientId: 'app-a' });
    expect(store.description).toBe('redis: 127.0.0.1:6379/0 keys ssohub:client:app-a:*');
    expect(store.description).not.toContain('hunter2');
    withPassword.disconnect();
  });
});
