import { Cluster } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { checkConfig } from '../config/check-config.ts';
import type { RedisStoreConfig } from '../config/hub-config.ts';
import { describeRedisStore } from './describe-store.ts';
import { createRedisClient } from './redis-client.ts';

const store = (input: Record<string, unknown>) =>
  checkConfig({ publicUrl: 'https://login.example.com', store: { kind: 'redis', ...input } }, { only: ['store'] }).store as RedisStoreConfig;

describe('the store description names the topology without secrets', () => {
  it.each([
    [{ url: 'redis://:s3cret@10.0.0.5:6379/2' }, 'redis: redis://:***@10.0.0.5:6379/2 (prefix "ssohub:")'],
    [
      { url: 'redis://:s3cret@x/1', sentinels: ['10.0.0.1:26379', '[::1]:26380'], sentinelName: 'mymaster', sentinelPassword: 'alsosecret' },
      'redis sentinel mymaster via 10.0.0.1:26379,[::1]:26380 (prefix "ssohub:")',
    ],
    [{ url: 'rediss://user:s3cret@x', cluster: ['redis://10.0.0.1:7000', '10.0.0.2:7000'] }, 'redis cluster 10.0.0.1:7000,10.0.0.2:7000 (prefix "{ssohub}:")'],
  ])('%j', (input, expected) => {
    const description = describeRedisStore(store(input));
    expect(description).toBe(expected);
    expect(description).not.toMatch(/s3cret|alsosecret|user/);
  });
});

describe('the client for each topology', () => {
  it('takes credentials, database and TLS from store.url under Sentinel, and sets the timeouts', () => {
    const client = createRedisClient(
      store({ url: 'rediss://app:p%40ss@ignored/3', sentinels: ['127.0.0.1:26379'], sentinelName: 'mymaster', commandTimeoutMs: 900, connectTimeoutMs: 1200 }),
    );
    try {
      expect(client.options).toMatchObject({
        username: 'app',
        password: 'p@ss',
        db: 3,
        tls: {},
        name: 'mymaster',
        sentinels: [{ host: '127.0.0.1', port: 26379 }],
        commandTimeout: 900,
        connectTimeout: 1200,
        sentinelCommandTimeout: 900,
        lazyConnect: true,
      });
    } finally {
      client.disconnect();
    }
  });

  it('gives every Cluster node connection the timeouts and the password', () => {
    const client = createRedisClient(store({ url: 'redis://:pw@ignored', cluster: ['redis://127.0.0.1:7000', '[::1]:7001'] }));
    try {
      expect(client).toBeInstanceOf(Cluster);
      expect((client as unknown as { startupNodes: unknown[] }).startupNodes).toEqual([
        { host: '127.0.0.1', port: 7000 },
        { host: '::1', port: 7001 },
      ]);
      expect(client.options).toMatchObject({ redisOptions: { password: 'pw', commandTimeout: 1500, connectTimeout: 3000, maxRetriesPerRequest: 2 } });
    } finally {
      client.disconnect();
    }
  });
});
