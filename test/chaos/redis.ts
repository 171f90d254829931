import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, type RedisNode, startRedisCluster, startRedisSentinel, waitFor } from '@ssohub/testkit';
import { type NativeProcess, startProcess } from '../deploy/support/native-process.ts';
import type { ChaosRedis } from './stack.ts';

/**
 * One redis-server with AOF (fsync every second), as compose runs it: killing it loses at most
 * the last second of writes, and a restart replays the log.
 */
export async function startPersistentRedis(): Promise<ChaosRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'ssohub-chaos-redis-'));
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', ''];
  let server: NativeProcess = startProcess('redis', 'redis-server', args, {});
  const url = `redis://127.0.0.1:${port}`;
  const ready = async () => {
    await waitFor('redis', async () => {
      const c = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      c.on('error', () => {});
      try {
        await c.connect();
        return (await c.ping()) === 'PONG' ? true : undefined;
      } finally {
        c.disconnect();
      }
    }, { timeoutMs: 10_000 });
  };
  await ready();
  return {
    hubEnv: { SSOHUB_REDIS_URL: url, SSOHUB_REDIS_PREFIX: '{ssohub}:' },
    description: `redis-server with AOF on 127.0.0.1:${port}`,
    async killPrimary() {
      server.child.kill('SIGKILL');
    },
    async freeze() {
      server.child.kill('SIGSTOP');
    },
    async thaw() {
      server.child.kill('SIGCONT');
    },
    async heal() {
      if (server.child.exitCode === null && server.child.signalCode === null) return;
      server = startProcess('redis', 'redis-server', args, {});
      await ready();
    },
    async stop() {
      server.child.kill('SIGCONT');
      await server.stop(2_000);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A primary, a replica and three sentinels (the test kit's topology), the hubs connected through
 * the sentinels. Killing the primary makes the sentinels promote the replica; freezing stops
 * whichever node is primary now.
 */
export async function startSentinelRedis(): Promise<ChaosRedis> {
  const topology = await startRedisSentinel({ downAfterMs: 1_000, failoverTimeoutMs: 3_000 });
  const nodes = [topology.primary, topology.replica];
  const current = async () => {
    const address = await topology.currentPrimary();
    return nodes.find((n) => n.address === address && !n.exited) ?? topology.primary;
  };
  let frozen: (typeof nodes)[number] | undefined;
  return {
    hubEnv: { SSOHUB_REDIS_SENTINELS: topology.sentinelAddresses.join(','), SSOHUB_REDIS_SENTINEL_NAME: topology.masterName, SSOHUB_REDIS_PREFIX: '{ssohub}:' },
    description: `Redis Sentinel (${topology.masterName}: a primary, a replica, three sentinels)`,
    async killPrimary() {
      await (await current()).kill('SIGKILL');
    },
    async freeze() {
      frozen = await current();
      frozen.pause();
    },
    async thaw() {
      frozen?.resume();
      frozen = undefined;
    },
    async heal() {
      // The sentinels have promoted the replica; the killed node stays down (there is no second
      // replica to lose), which the later faults run without.
      await waitFor('a reachable primary', async () => {
        const primary = await current();
        return primary.exited ? undefined : true;
      }, { timeoutMs: 20_000 });
    },
    async stop() {
      frozen?.resume();
      await topology.stop();
    },
  };
}

/** Every hub key starts with this prefix: its hash tag puts them all in one Cluster slot. */
const HUB_PREFIX = '{ssohub}:';

/**
 * A Redis Cluster of three masters with one replica each (the test kit's topology), the hubs
 * connected to the masters with a hash-tagged prefix, so all their keys live on one master.
 * killPrimary() and freeze() hit the master serving that slot now; the cluster itself promotes
 * its replica (after cluster-node-timeout, then an election), and heal() waits for that. The
 * killed master stays down: its shard has no replica left for a later fault.
 */
export async function startClusterRedis(): Promise<ChaosRedis> {
  const topology = await startRedisCluster({ masters: 3, replicasPerMaster: 1, nodeTimeoutMs: 1_000 });
  const serving = () => waitFor(`the master serving ${HUB_PREFIX}`, () => topology.nodeForKey(HUB_PREFIX), { timeoutMs: 10_000, intervalMs: 200 });
  let frozen: RedisNode | undefined;
  return {
    hubEnv: { SSOHUB_REDIS_CLUSTER_NODES: topology.addresses.join(','), SSOHUB_REDIS_PREFIX: HUB_PREFIX },
    description: `Redis Cluster (3 masters with a replica each: ${topology.addresses.join(', ')})`,
    async killPrimary() {
      await (await serving()).kill('SIGKILL');
    },
    async freeze() {
      frozen = await serving();
      frozen.pause();
    },
    async thaw() {
      frozen?.resume();
      frozen = undefined;
    },
    async heal() {
      // The cluster fails over by itself: the slot must be served again by a live master that
      // every live node agrees on (the promoted replica), reachable and with cluster_state:ok.
      await waitFor(`a live master serving ${HUB_PREFIX} again`, () => topology.nodeForKey(HUB_PREFIX), { timeoutMs: 20_000, intervalMs: 200 });
    },
    async stop() {
      frozen?.resume();
      await topology.stop();
    },
  };
}

/** The Redis the chaos suite runs the hubs on. */
export const startChaosRedis = startSentinelRedis;
