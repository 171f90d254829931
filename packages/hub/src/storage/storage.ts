import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { StoreConfig } from '../config/hub-config.ts';

/**
 * Storage is the backend the hub keeps its state in: provider artefacts, guard counters,
 * lockouts, back-channel delivery state and the audit stream. Each part has a Redis and a
 * memory implementation behind its own interface; this says which one to build.
 */
export type Storage =
  | { kind: 'redis'; redis: Redis; prefix: string; description: string; close(): Promise<void> }
  | { kind: 'memory'; description: string; close(): Promise<void> };

export const MEMORY_DESCRIPTION = 'memory: data lost on restart, not shared between hub instances';

/** Redis URL with any password replaced, safe for logs and health answers. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    if (u.username && u.username !== 'default') u.username = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return 'redis://(unparseable URL)';
  }
}

/** Connects the configured store, announcing loudly at startup which one is in use. */
export async function createStorage(config: StoreConfig, log: Logger): Promise<Storage> {
  if (config.kind === 'memory') {
    log.warn(
      { store: MEMORY_DESCRIPTION },
      'ssohub WARNING: memory store in use. Sessions, grants and lockouts are lost on restart and are not shared between hub instances. Use store.kind=redis outside the demo and unit tests.',
    );
    return { kind: 'memory', description: MEMORY_DESCRIPTION, close: async () => {} };
  }
  const description = `redis: ${redactRedisUrl(config.url)} (prefix "${config.prefix}")`;
  const redis = new Redis(config.url, { lazyConnect: true, maxRetriesPerRequest: 2, enableAutoPipelining: true });
  redis.on('error', (err) => log.error({ err: { message: err.message }, store: description }, 'redis connection error'));
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    throw new Error(`Redis is not reachable at ${redactRedisUrl(config.url)} (store.url): ${(err as Error).message}`, { cause: err });
  }
  log.info({ store: description }, 'store in use');
  return {
    kind: 'redis',
    redis,
    prefix: config.prefix,
    description,
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
