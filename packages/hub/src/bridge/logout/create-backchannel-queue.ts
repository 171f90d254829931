/**
 * Owns the choice of back-channel queue for the configured store. It lives apart from
 * backchannel-queue.ts, which both queues import, so that no import closes a cycle (issue 24).
 */
import type { Storage } from '../../storage/storage.ts';
import type { BackchannelQueue } from './backchannel-queue.ts';
import { MemoryBackchannelQueue } from './memory-backchannel-queue.ts';
import { RedisBackchannelQueue } from './redis-backchannel-queue.ts';

/** Redis, or memory for the demo and unit tests. */
export function createBackchannelQueue(storage: Storage): BackchannelQueue {
  return storage.kind === 'redis' ? new RedisBackchannelQueue(storage.redis, storage.prefix) : new MemoryBackchannelQueue();
}
