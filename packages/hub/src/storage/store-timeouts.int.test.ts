import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, waitFor } from '@ssohub/testkit';
import { checkConfig } from '../config/check-config.ts';
import type { RedisStoreConfig } from '../config/hub-config.ts';
import { createRedisGuardStore } from '../guard/redis-guard-store.ts';
import { RedisModelStore } from '../bridge/adapter/redis-model-store.ts';
import { createStorage, type Storage } from './storage.ts';
import { runInStoreScope } from './store-scope.ts';
import { isStoreUnavailable } from './store-unavailable.ts';

// A Redis of its own (never the shared one on 6379): these tests freeze and kill it.
let server: Awaited<ReturnType<typeof startRedisServer>>;
let storage: Extract<Storage, { kind: 'redis' }>;
const log = pino({ level: 'silent' });

/** The store part of the configuration with its defaults (the timeouts an operator gets). */
function storeConfig(url: string, extra: Record<string, unknown> = {}): RedisStoreConfig {
  const { store } = checkConfig({ publicUrl: 'https://login.example.com', store: { kind: 'redis', url, ...extra } }, { only: ['store'] });
  return store as RedisStoreConfig;
}

async function failureOf(promise: Promise<unknown>): Promise<{ err: unknown; ms: number }> {
  const started = performance.now();
  try {
    await promise;
  } catch (err) {
    return { err, ms: Math.round(performance.now() - started) };
  }
  throw new Error('expected the command to fail');
}

beforeAll(async () => {
  server = await startRedisServer('timeouts');
  storage = (await createStorage(storeConfig(server.url), log)) as Extract<Storage, { kind: 'redis' }>;
});
afterAll(async () => {
  server?.resume();
  await storage?.close();
  await server?.stop();
});

describe('a frozen or dead Redis fails requests fast instead of hanging them', () => {
  it('fails commands and scripts within 2 s while Redis is frozen (SIGSTOP), and recovers on SIGCONT without a new client', async () => {
    const config = storeConfig(server.url);
    expect(config.commandTimeoutMs).toBe(1500);
    const guard = createRedisGuardStore(storage.redis, 'ssohub-test:timeouts:');
    await storage.redis.set('ssohub-test:timeouts:k', 'v');
    server.pause();
    try {
      const [get, script] = await Promise.all([
        failureOf(storage.redis.get('ssohub-test:timeouts:k')),
        failureOf(guard.take([{ key: 'ip:198.51.100.7', burst: 5, perMinute: 60 }])),
      ]);
      console.info(`frozen Redis: GET failed after ${get.ms} ms (${(get.err as Error).message}); guard script after ${script.ms} ms`);
      for (const { err, ms } of [get, script]) {
        expect(isStoreUnavailable(err)).toBe(true);
        expect(ms).toBeGreaterThanOrEqual(1400);
        expect(ms).toBeLessThan(2000);
      }
    } finally {
      server.resume();
    }
    const resumed = performance.now();
    expect(await storage.redis.get('ssohub-test:timeouts:k')).toBe('v');
    expect(await guard.take([{ key: 'ip:198.51.100.7', burst: 5, perMinute: 60 }])).toBeUndefined();
    console.info(`after SIGCONT: the same client answered in ${Math.round(performance.now() - resumed)} ms`);
  });

  it('fails a request touching a frozen Redis several times in a row within one command timeout', async () => {
    const guard = createRedisGuardStore(storage.redis, 'ssohub-test:timeouts:');
    server.pause();
    try {
      const started = performance.now();
      const failures = await runInStoreScope(async () => [
        await failureOf(storage.redis.get('ssohub-test:timeouts:k')),
        await failureOf(guard.take([{ key: 'ip:198.51.100.8', burst: 5, perMinute: 60 }])),
        await failureOf(storage.redis.multi().set('ssohub-test:timeouts:k2', 'v').exec()),
      ]);
      const total = Math.round(performance.now() - started);
      console.info(`frozen Redis, three commands in a row in one request: ${failures.map((f) => f.ms).join(' + ')} ms = ${total} ms`);
      for (const { err } of failures) expect(isStoreUnavailable(err)).toBe(true);
      expect(failures[1]!.ms).toBeLessThan(50);
      expect(failures[2]!.ms).toBeLessThan(50);
      expect(total).toBeLessThan(2000);
    } finally {
      server.resume();
    }
    // The next request (a new scope) reaches the resumed Redis at once.
    expect(await runInStoreScope(() => storage.redis.get('ssohub-test:timeouts:k'))).toBe('v');
  });

  it('fails a command issued while an earlier one waits on the frozen Redis within its own timeout, not after both', async () => {
    server.pause();
    try {
      // Two requests (two scopes), the second 300 ms after the first: with auto-pipelining its
      // command is only written once the first one's pipeline is answered.
      const first = runInStoreScope(() => failureOf(storage.redis.get('ssohub-test:timeouts:k')));
      await new Promise((r) => setTimeout(r, 300));
      const second = await runInStoreScope(() => failureOf(storage.redis.hgetall('ssohub-test:timeouts:h')));
      console.info(`frozen Redis: a command issued 300 ms after another failed after ${second.ms} ms (the first after ${(await first).ms} ms)`);
      expect(isStoreUnavailable(second.err)).toBe(true);
      expect(second.ms).toBeLessThan(1800);
    } finally {
      server.resume();
    }
  });

  it('does not apply a consume that a frozen Redis runs after the hub stopped waiting: the code or refresh token stays usable', async () => {
    const tokens = new RedisModelStore('RefreshToken', storage.redis, 'ssohub-test:timeouts:', { consumeWithinMs: storage.commandTimeoutMs });
    await tokens.upsert('rt-late', { jti: 'rt-late', grantId: 'g-late' }, 60);
    // Redis knows the script by now (it runs by hash), as it does in a running hub.
    await tokens.upsert('rt-warm', { jti: 'rt-warm', grantId: 'g-late' }, 60);
    await tokens.consume('rt-warm');
    server.pause();
    try {
      const failed = await failureOf(tokens.consume('rt-late'));
      expect(isStoreUnavailable(failed.err)).toBe(true);
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      server.resume();
    }
    // Redis now runs the consume it held: too late, so not applied.
    await waitFor('Redis to answer again', async () => ((await storage.redis.ping().catch(() => undefined)) === 'PONG' ? true : undefined), { timeoutMs: 5000, intervalMs: 50 });
    expect((await tokens.find('rt-late'))?.consumed).toBeUndefined();
    // A consume in time is applied as before.
    await tokens.consume('rt-late');
    expect((await tokens.find('rt-late'))?.consumed).toEqual(expect.any(Number));
  });

  it('brings back a connection ioredis has ended, unless the hub closed it', async () => {
    // disconnect() ends the client the way ioredis does after a failed Sentinel connect.
    storage.redis.disconnect();
    await waitFor('the ended client to reconnect', async () => ((await storage.redis.ping().catch(() => undefined)) === 'PONG' ? true : undefined), { timeoutMs: 5000, intervalMs: 50 });
    const own = (await createStorage(storeConfig(server.url), log)) as Extract<Storage, { kind: 'redis' }>;
    await own.close();
    await new Promise((r) => setTimeout(r, 500));
    expect(own.redis.status).toBe('end');
  });

  it('refuses to start within connect + command timeout when Redis is frozen at startup', async () => {
    server.pause();
    try {
      const { err, ms } = await failureOf(createStorage(storeConfig(server.url, { connectTimeoutMs: 1000, commandTimeoutMs: 500 }), log));
      console.info(`startup against a frozen Redis failed after ${ms} ms: ${(err as Error).message}`);
      expect((err as Error).message).toMatch(/^Redis is not reachable: redis: redis:\/\/127\.0\.0\.1:\d+ \(prefix "ssohub:"\) \(store\.url\)/);
      expect(isStoreUnavailable(err)).toBe(true);
      expect(ms).toBeLessThan(2000);
    } finally {
      server.resume();
    }
  });

  it('fails fast once Redis is gone, with an error the error path calls "store unavailable"', async () => {
    const doomed = await startRedisServer('doomed');
    const store = (await createStorage(storeConfig(doomed.url), log)) as Extract<Storage, { kind: 'redis' }>;
    try {
      await doomed.kill('SIGKILL');
      const { err, ms } = await failureOf(store.redis.get('ssohub-test:timeouts:gone'));
      console.info(`dead Redis: GET failed after ${ms} ms (${(err as Error).message})`);
      expect(isStoreUnavailable(err)).toBe(true);
      expect(ms).toBeLessThan(2000);
    } finally {
      await store.close();
      await doomed.stop();
    }
  });
});
