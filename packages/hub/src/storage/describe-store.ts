import type { RedisStoreConfig } from '../config/hub-config.ts';
import { hostPort, topologyOf } from './redis-client.ts';

/** Redis URL with any password replaced, safe for logs and health answers. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    if (u.username && u.username !== 'default') u.username = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return 'redis://(unparseable URL)';
  }
}

/**
 * Names the store's topology and where it is, without credentials: shown at startup, in
 * /health/ready and by `ssohub doctor`.
 */
export function describeRedisStore(config: RedisStoreConfig): string {
  const prefix = `(prefix "${config.prefix}")`;
  const addresses = (list: string[]) =>
    list
      .map(hostPort)
      .map(({ host, port }) => `${host.includes(':') ? `[${host}]` : host}:${port}`)
      .join(',');
  switch (topologyOf(config)) {
    case 'standalone':
      return `redis: ${redactRedisUrl(config.url)} ${prefix}`;
    case 'sentinel':
      return `redis sentinel ${config.sentinelName} via ${addresses(config.sentinels)} ${prefix}`;
    case 'cluster':
      return `redis cluster ${addresses(config.cluster)} ${prefix}`;
  }
}

/** The option an operator fixes when Redis cannot be reached. */
export function storeLocationOption(config: RedisStoreConfig): string {
  return { standalone: 'store.url', sentinel: 'store.sentinels, store.sentinelName', cluster: 'store.cluster' }[topologyOf(config)];
}
