import { describeBackchannelDelivery } from './backchannel-deliverer-contract.ts';
import { MemoryBackchannelQueue } from './memory-backchannel-queue.ts';

const queues = new Map<string, MemoryBackchannelQueue>();
describeBackchannelDelivery('memory', (name) => {
  if (!queues.has(name)) queues.set(name, new MemoryBackchannelQueue());
  return queues.get(name)!;
});
