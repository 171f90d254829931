import type { Storage } from '../../storage/storage.ts';
import type { BackchannelQueue } from './backchannel-queue.ts';
import { MemoryBackchannelQueue } from './memory-backchannel-queue.ts';
import { RedisBackchannelQueue } from './redis-backchannel-queue.ts';

/** The back-channel queue of the configured store: Redis, or memory for the demo and unit tests. */
export function createBackchannelQueue(storage: Storage): BackchannelQueue {
  return storage.kind === 'redis' ? new RedisBackchannelQueue(storage.redis, storage.prefix) : new MemoryBackchannelQueue();
}
