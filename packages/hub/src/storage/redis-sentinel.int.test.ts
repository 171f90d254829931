import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisNode, type RedisSentinelTopology, startRedisSentinel, waitFor } from '@ssohub/testkit';
import { RedisModelStore } from '../bridge/adapter/redis-model-store.ts';
import { checkConfig } from '../config/check-config.ts';
import type { RedisStoreConfig } from '../config/hub-config.ts';
import { createRedisGuardStore } from '../guard/redis-guard-store.ts';
import { createStorage, type Storage } from './storage.ts';
import { isStoreUnavailable } from './store-unavailable.ts';

// The hub store on a primary, a replica and three sentinels (real processes), through the
// connection the hub opens with store.sentinels: it must outlive the primary's death.
let topology: RedisSentinelTopology;
let storage: Extract<Storage, { kind: 'redis' }>;
const prefix = 'ssohub-test:sentinel:';
// What the store logged at warn and above (keepConnected's reconnects), printed with the figures.
const warnings: string[] = [];
const log = pino({ level: 'warn' }, { write: (line: string) => warnings.push(JSON.parse(line).msg) });

beforeAll(async () => {
  topology = await startRedisSentinel({ downAfterMs: 1000, failoverTimeoutMs: 3000 });
  const { store } = checkConfig(
    { publicUrl: 'https://login.example.com', store: { kind: 'redis', sentinels: topology.sentinelAddresses, sentinelName: topology.masterName, prefix } },
    { only: ['store'] },
  );
  storage = (await createStorage(store as RedisStoreConfig, log)) as Extract<Storage, { kind: 'redis' }>;
});
afterAll(async () => {
  await storage?.close();
  await topology?.stop();
});

/** What a data node says it is (INFO replication). */
async function roleOf(node: RedisNode): Promise<string | undefined> {
  const client = new Redis(node.port, node.host, { maxRetriesPerRequest: 0, commandTimeout: 1000 });
  try {
    return /^role:(\w+)/m.exec(await client.info('replication'))?.[1];
  } catch {
    return undefined;
  } finally {
    client.disconnect();
  }
}

/**
 * The data node the sentinels call primary now, and the other one, once the topology has
 * settled: the sentinels' answer names the node that says it is the master, and the other says
 * it is a replica. Right after a failover (the previous test) a sentinel may still name the old
 * primary for a moment; a test that killed "the primary" on that word would kill the replica.
 */
async function roles(): Promise<{ primary: RedisNode; replica: RedisNode }> {
  return waitFor(
    'the sentinels and both data nodes to agree on the primary',
    async () => {
      const address = await topology.currentPrimary();
      const [a, b] = [topology.primary, topology.replica];
      const pair = a.address === address ? { primary: a, replica: b } : { primary: b, replica: a };
      const [primaryRole, replicaRole] = await Promise.all([roleOf(pair.primary), roleOf(pair.replica)]);
      return primaryRole === 'master' && replicaRole === 'slave' ? pair : undefined;
    },
    { timeoutMs: 20_000, intervalMs: 200 },
  );
}

/** Waits until the sentinels name `node` as the primary (they may answer a moment after it took over). */
async function promoted(node: RedisNode): Promise<string> {
  return waitFor('the sentinels to name the promoted replica', async () => ((await topology.currentPrimary()) === node.address ? node.address : undefined), {
    timeoutMs: 15_000,
    intervalMs: 100,
  });
}

/**
 * Writes through the hub's store every 100 ms until one succeeds (30 s at most). Every failure
 * on the way must be one the error path answers 503, and must come within 2 s.
 */
async function writeUntilRecovered(sessions: RedisModelStore, since: number): Promise<{ recoveredMs: number; attempts: number; slowestFailureMs: number; failures: Record<string, number> }> {
  const failures = new Map<string, number>();
  let attempts = 0;
  let slowestFailureMs = 0;
  while (performance.now() - since < 30_000) {
    attempts++;
    const started = performance.now();
    try {
      await sessions.upsert(`s-${attempts}`, { jti: `s-${attempts}`, uid: `u-${attempts}`, accountId: 'a1' }, 600);
      return { recoveredMs: Math.round(performance.now() - since), attempts, slowestFailureMs, failures: Object.fromEntries(failures) };
    } catch (err) {
      slowestFailureMs = Math.max(slowestFailureMs, Math.round(performance.now() - started));
      expect(isStoreUnavailable(err), `not recognised as "store unavailable": ${(err as Error).message}`).toBe(true);
      const message = (err as Error).message.slice(0, 40);
      failures.set(message, (failures.get(message) ?? 0) + 1);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`the store did not recover within 30 s (failures: ${JSON.stringify(Object.fromEntries(failures))})`);
}

async function replicated(node: RedisNode): Promise<void> {
  const client = new Redis(node.port, node.host, { maxRetriesPerRequest: 0, commandTimeout: 3000 });
  try {
    expect(await client.call('WAIT', 1, 2000)).toBe(1);
  } finally {
    client.disconnect();
  }
}

describe('the hub store on Redis Sentinel', () => {
  it('names the topology without secrets', () => {
    expect(storage.description).toBe(`redis sentinel ${topology.masterName} via ${topology.sentinelAddresses.join(',')} (prefix "${prefix}")`);
  });

  it('survives a frozen primary (SIGSTOP): requests fail within 2 s, then succeed on the promoted replica', async () => {
    const sessions = new RedisModelStore('Session', storage.redis, prefix);
    await sessions.upsert('s-frozen', { jti: 's-frozen', uid: 'u-frozen', accountId: 'a1' }, 600);
    const { primary, replica } = await roles();
    await replicated(primary);
    primary.pause();
    const paused = performance.now();
    try {
      const result = await writeUntilRecovered(sessions, paused);
      console.info(`sentinel, primary frozen: hub writes succeed again ${result.recoveredMs} ms after SIGSTOP (${result.attempts} attempts, slowest failure ${result.slowestFailureMs} ms; ${JSON.stringify(result.failures)}; reconnects after an ended client: ${warnings.filter((w) => w.includes('reconnecting')).length})`);
      expect(result.slowestFailureMs).toBeLessThan(2000);
      expect(result.recoveredMs).toBeLessThan(15_000);
      expect(await promoted(replica)).toBe(replica.address);
      expect(await sessions.findByUid('u-frozen')).toMatchObject({ jti: 's-frozen' });
    } finally {
      primary.resume();
    }
    // The old primary comes back as a replica of the new one (Sentinel reconfigures it).
    await waitFor(
      'the old primary to rejoin as a replica',
      async () => {
        const client = new Redis(primary.port, primary.host, { maxRetriesPerRequest: 0, commandTimeout: 1000 });
        try {
          return (await client.info('replication')).includes('master_link_status:up') ? true : undefined;
        } finally {
          client.disconnect();
        }
      },
      { timeoutMs: 20_000, intervalMs: 200 },
    );
  });

  it('survives the primary being killed (SIGKILL): commands succeed again on the promoted replica within a bounded time, with nothing lost', async () => {
    const sessions = new RedisModelStore('Session', storage.redis, prefix);
    const guard = createRedisGuardStore(storage.redis, prefix);
    await sessions.upsert('s-before', { jti: 's-before', uid: 'u-before', accountId: 'a1' }, 600);
    expect(await guard.take([{ key: 'ip:203.0.113.9', burst: 3, perMinute: 1 }])).toBeUndefined();
    const { primary, replica } = await roles();
    // Replication is asynchronous: wait until the replica has what the test will look for.
    await replicated(primary);

    await primary.kill('SIGKILL');
    const result = await writeUntilRecovered(sessions, performance.now());
    console.info(`sentinel, primary killed: hub writes succeed again ${result.recoveredMs} ms after SIGKILL (${result.attempts} attempts, slowest failure ${result.slowestFailureMs} ms; ${JSON.stringify(result.failures)}; reconnects after an ended client: ${warnings.filter((w) => w.includes('reconnecting')).length})`);
    expect(result.slowestFailureMs).toBeLessThan(2000);
    expect(result.recoveredMs).toBeLessThan(15_000);
    expect(await promoted(replica)).toBe(replica.address);
    expect(await sessions.find('s-before')).toMatchObject({ uid: 'u-before', accountId: 'a1' });
    expect(await sessions.findByUid('u-before')).toMatchObject({ jti: 's-before' });
    // The guard's counters came across too: two tokens left of three.
    expect(await guard.take([{ key: 'ip:203.0.113.9', burst: 3, perMinute: 1 }])).toBeUndefined();
    expect(await guard.take([{ key: 'ip:203.0.113.9', burst: 3, perMinute: 1 }])).toBeUndefined();
    expect(await guard.take([{ key: 'ip:203.0.113.9', burst: 3, perMinute: 1 }])).toMatchObject({ index: 0 });
  });
});
