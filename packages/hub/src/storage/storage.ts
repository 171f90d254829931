import type { Logger } from 'pino';
import type { StoreConfig } from '../config/hub-config.ts';
import { keepConnected } from './keep-connected.ts';
import { describeRedisStore, storeLocationOption } from './describe-store.ts';
import { createRedisClient, type StoreClient } from './redis-client.ts';
import { type StoreCommandObserver, scopedStoreClient } from './store-scope.ts';
import { StoreUnavailableError } from './store-unavailable.ts';

export { redactRedisUrl } from './describe-store.ts';
export type { StoreClient } from './redis-client.ts';

/**
 * Storage is the backend the hub keeps its state in: provider artefacts, guard counters,
 * lockouts, back-channel delivery state and the audit stream. Each part has a Redis and a
 * memory implementation behind its own interface; this says which one to build.
 *
 * `redis` is a standalone/Sentinel connection or a Cluster: code using it sticks to commands
 * both have and to keys under `prefix` (hash-tagged under Cluster, so multi-key calls share a slot).
 */
export type Storage =
  | {
      kind: 'redis';
      redis: StoreClient;
      prefix: string;
      /** store.commandTimeoutMs: how long the hub waits for any command (optional for stores built by hand in tests). */
      commandTimeoutMs?: number;
      description: string;
      /** Reports every command's latency and outcome (store-scope.ts), to the hub's metrics. */
      observeCommands?(observer: StoreCommandObserver): void;
      close(): Promise<void>;
    }
  | { kind: 'memory'; description: string; close(): Promise<void> };

export const MEMORY_DESCRIPTION = 'memory: data lost on restart, not shared between hub instances';

/** Connects the configured store, announcing loudly at startup which one is in use. */
export async function createStorage(config: StoreConfig, log: Logger): Promise<Storage> {
  if (config.kind === 'memory') {
    log.warn(
      { store: MEMORY_DESCRIPTION },
      'ssohub WARNING: memory store in use. Sessions, grants and lockouts are lost on restart and are not shared between hub instances. Use store.kind=redis outside the demo and unit tests.',
    );
    return { kind: 'memory', description: MEMORY_DESCRIPTION, close: async () => {} };
  }
  const description = describeRedisStore(config);
  const redis = createRedisClient(config);
  redis.on('error', (err: Error) => log.error({ err, store: description }, 'redis connection error'));
  // Startup is bounded too: a frozen Redis accepts the TCP connection and then never answers.
  const deadlineMs = config.connectTimeoutMs + config.commandTimeoutMs;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      (async () => {
        await redis.connect();
        await redis.ping();
        await warnOfClockSkew(redis, config.commandTimeoutMs, log, description);
      })(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new StoreUnavailableError(`no answer within ${deadlineMs} ms`)), deadlineMs);
      }),
    ]);
  } catch (err) {
    redis.disconnect();
    throw new Error(`Redis is not reachable: ${description} (${storeLocationOption(config)}): ${(err as Error).message}`, { cause: err });
  } finally {
    clearTimeout(timer);
  }
  let closing = false;
  keepConnected(redis, log, description, () => closing);
  log.info({ store: description }, 'store in use');
  const observer: { current?: StoreCommandObserver } = {};
  return {
    kind: 'redis',
    // The hub's code sees a client that honours each request's store scope (store-scope.ts).
    redis: scopedStoreClient(redis, config.commandTimeoutMs, { deadlineMs: config.commandTimeoutMs, observer }),
    observeCommands(observe) {
      observer.current = observe;
    },
    prefix: config.prefix,
    commandTimeoutMs: config.commandTimeoutMs,
    description,
    async close() {
      closing = true;
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/**
 * Warns when this host's clock and Redis' differ by more than a third of the command timeout.
 * Why it matters: a code or refresh token is consumed only if Redis runs the consume before the
 * hub stops waiting for it, judged by Redis' clock against a deadline the hub computed
 * (redis-model-store.ts); with clocks far apart, late consumes are applied or timely ones refused.
 */
async function warnOfClockSkew(redis: StoreClient, commandTimeoutMs: number, log: Logger, store: string): Promise<void> {
  const before = Date.now();
  const [seconds, micros] = await redis.time();
  const after = Date.now();
  const skewMs = Math.round(Number(seconds) * 1000 + Number(micros) / 1000 - (before + after) / 2);
  if (Math.abs(skewMs) > commandTimeoutMs / 3) {
    log.warn({ store, skewMs }, `the clocks of this host and Redis differ by ${skewMs} ms: keep both in sync (NTP); codes and refresh tokens are consumed against a deadline Redis checks by its own clock`);
  }
}
