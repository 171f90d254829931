import { Cluster } from 'ioredis';
import type { StoreClient } from './redis-client.ts';

/**
 * Asks the Redis node that holds the hub's data whether it answers. On one server or Sentinel
 * that is PING; on a Cluster PING goes to any node, so this reads a key under the prefix
 * instead, which lands on the master owning the prefix's hash slot: the one the hub needs.
 */
export async function pingStore(redis: StoreClient, prefix: string): Promise<void> {
  if (redis instanceof Cluster) await redis.exists(`${prefix}ping`);
  else await redis.ping();
}
