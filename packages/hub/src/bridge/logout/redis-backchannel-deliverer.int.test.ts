import { uniquePrefix } from '@ssohub/testkit';
import { Redis } from 'ioredis';
import { afterAll, inject } from 'vitest';
import { describeBackchannelDelivery } from './backchannel-deliverer-contract.ts';
import { RedisBackchannelQueue } from './redis-backchannel-queue.ts';

// Each hub instance has its own connection, as separate processes would.
const connections: Redis[] = [];
const prefix = uniquePrefix('bcd');
afterAll(async () => {
  const keys = await connections[0]!.keys(`${prefix}*`);
  if (keys.length) await connections[0]!.del(...keys);
  await Promise.all(connections.map((c) => c.quit()));
});
describeBackchannelDelivery('redis', (name) => {
  const redis = new Redis(inject('redisUrl'), { enableAutoPipelining: true });
  connections.push(redis);
  return new RedisBackchannelQueue(redis, `${prefix}${name}:`);
});
