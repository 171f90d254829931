import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { RedisStoreConfig } from '../config/hub-config.ts';

/**
 * The hub's connection to Redis, whatever its topology. Both speak the same commands; every
 * key a script or MULTI touches starts with the store prefix, which under Cluster carries a
 * hash tag (checked at startup), so each such call lands in one slot on one master.
 */
export type StoreClient = Redis | Cluster;

export type RedisTopology = 'standalone' | 'sentinel' | 'cluster';

export function topologyOf(config: RedisStoreConfig): RedisTopology {
  if (config.sentinels.length > 0) return 'sentinel';
  if (config.cluster.length > 0) return 'cluster';
  return 'standalone';
}

/** Splits `host:port`, `[v6]:port` or `redis://host:port` (checked by check-config.ts). */
export function hostPort(address: string): { host: string; port: number } {
  const bare = address.replace(/^rediss?:\/\/(?:[^@/]*@)?/, '').replace(/\/.*$/, '');
  const colon = bare.lastIndexOf(':');
  return { host: bare.slice(0, colon).replace(/^\[(.*)\]$/, '$1'), port: Number(bare.slice(colon + 1)) };
}

/**
 * Builds (without connecting) the client for the configured topology. Timeouts bound every
 * wait: a command Redis does not answer (frozen, partitioned) fails after commandTimeoutMs
 * instead of hanging the request, and reconnecting gives up on a request after two tries.
 */
export function createRedisClient(config: RedisStoreConfig): StoreClient {
  const common: RedisOptions = {
    ...credentialsOf(config.url),
    lazyConnect: true,
    maxRetriesPerRequest: 2,
    enableAutoPipelining: true,
    commandTimeout: config.commandTimeoutMs,
    connectTimeout: config.connectTimeoutMs,
    // After a failover the old primary may come back as a replica while we still talk to it:
    // reconnect (Sentinel then names the new primary) and resend the refused write.
    reconnectOnError: (err) => (err.message.startsWith('READONLY') ? 2 : false),
  };
  switch (topologyOf(config)) {
    case 'standalone':
      return new Redis(config.url, common);
    case 'sentinel':
      return new Redis({
        ...common,
        sentinels: config.sentinels.map(hostPort),
        name: config.sentinelName,
        sentinelPassword: config.sentinelPassword,
        sentinelCommandTimeout: config.commandTimeoutMs,
        // Learns a failover from Sentinel's +switch-master at once instead of from a dead socket.
        failoverDetector: true,
      });
    case 'cluster': {
      const { lazyConnect: _lazy, enableAutoPipelining: _auto, maxRetriesPerRequest: _retries, ...nodeOptions } = common;
      return new Cluster(config.cluster.map(hostPort), {
        lazyConnect: true,
        enableAutoPipelining: true,
        slotsRefreshTimeout: config.commandTimeoutMs,
        redisOptions: { ...nodeOptions, maxRetriesPerRequest: 2 },
      });
    }
  }
}

/** Username, password, database and TLS from store.url (Sentinel and Cluster use nothing else of it). */
function credentialsOf(url: string): Pick<RedisOptions, 'username' | 'password' | 'db' | 'tls'> {
  if (!url) return {};
  const u = new URL(url);
  const db = Number(u.pathname.slice(1));
  return {
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(Number.isInteger(db) && db > 0 ? { db } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}
