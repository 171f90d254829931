import type { Logger } from 'pino';
import type { StoreClient } from './redis-client.ts';

/**
 * Reconnects a client that ioredis has given up on, until `closing()` says the hub is stopping.
 *
 * Why: ioredis ends a Sentinel connection for good ("Connection is closed." on every later
 * command) when a disconnect, such as its own failover detector reacting to +switch-master,
 * lands while it is still asking the Sentinels for the primary: the pending connect then fails
 * and the client moves to `end`, which nothing leaves by itself. The test kit's failover runs hit
 * this in 2 of 9 failover runs (redis-sentinel.int.test.ts). The hub must recover from a Redis
 * fault without a restart, so `end` is not accepted unless the hub itself closed the client.
 */
export function keepConnected(redis: StoreClient, log: Logger, store: string, closing: () => boolean): void {
  let attempts = 0;
  redis.on('ready', () => {
    attempts = 0;
  });
  redis.on('end', () => {
    if (closing()) return;
    attempts++;
    const delayMs = Math.min(100 * attempts, 2000);
    log.warn({ store, attempt: attempts, delayMs }, 'redis connection ended unexpectedly; reconnecting');
    setTimeout(() => {
      if (closing() || redis.status !== 'end') return;
      // A failed connect ends the client again, which schedules the next attempt.
      redis.connect().catch(() => {});
    }, delayMs).unref();
  });
}
