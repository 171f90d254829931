import { describeBackchannelQueueContract } from './backchannel-queue-contract.ts';
import { MemoryBackchannelQueue } from './memory-backchannel-queue.ts';

const shared = new Map<string, MemoryBackchannelQueue>();
describeBackchannelQueueContract('memory', (name, limits) => {
  if (!name) return new MemoryBackchannelQueue(limits);
  if (!shared.has(name)) shared.set(name, new MemoryBackchannelQueue());
  return shared.get(name)!;
});
