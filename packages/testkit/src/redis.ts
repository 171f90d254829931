import { type ChildProcess, spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from './free-port.ts';
import { SetupError } from './setup-error.ts';
import { waitFor } from './wait-for.ts';

export interface TestRedis {
  url: string;
  /** True when the test kit started this server itself (and will stop it). */
  owned: boolean;
  stop(): Promise<void>;
}

async function answers(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1_000, retryStrategy: () => null });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/**
 * Returns a Redis for tests: SSOHUB_TEST_REDIS_URL if set, else the server on 127.0.0.1:6379 if it
 * answers, else a `redis-server` started on a free port (no persistence). Tests keep apart by key
 * prefix, never by FLUSHDB, so a shared server is safe.
 */
export async function startTestRedis(): Promise<TestRedis> {
  const configured = process.env.SSOHUB_TEST_REDIS_URL;
  if (configured) {
    if (await answers(configured)) return { url: configured, owned: false, stop: async () => {} };
    throw new SetupError(`Redis is not reachable at SSOHUB_TEST_REDIS_URL=${configured}. Start it, or unset the variable.`);
  }
  const standard = 'redis://127.0.0.1:6379';
  if (await answers(standard)) return { url: standard, owned: false, stop: async () => {} };

  const port = await freePort();
  let child: ChildProcess;
  try {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
  } catch (err) {
    throw new SetupError(
      'Redis is not reachable on 127.0.0.1:6379 and `redis-server` is not installed. Install it (Debian: apt-get install -y redis-server) or set SSOHUB_TEST_REDIS_URL.',
      { cause: err },
    );
  }
  const url = `redis://127.0.0.1:${port}`;
  await waitFor('redis-server', async () => ((await answers(url)) ? true : undefined), { timeoutMs: 10_000 });
  return {
    url,
    owned: true,
    async stop() {
      child.kill('SIGTERM');
    },
  };
}

/** A unique key prefix per test, so tests sharing one Redis never see each other's keys. */
export function uniquePrefix(label = 't'): string {
  return `ssohub-test:${label}:${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}:`;
}

/**
 * Deletes every key under `prefix` (SCAN + UNLINK), so a test or bench run leaves nothing on a
 * shared Redis. Keys without a lifetime (clients, the audit stream) would otherwise pile up.
 * Refuses an empty or unscoped prefix rather than wipe someone else's keys.
 */
export async function deleteKeysWithPrefix(redis: Redis, prefix: string): Promise<number> {
  if (!/^ssohub-[a-z]+:.+:$/.test(prefix)) throw new Error(`refusing to delete keys under "${prefix}": not a test or bench prefix`);
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 5000);
    cursor = next;
    if (keys.length) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}
