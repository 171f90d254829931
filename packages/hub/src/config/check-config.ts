import { checkBridgeConfig } from '../bridge/bridge-config.ts';
import { deepFreeze } from '../deep-freeze.ts';
import { ConfigError } from '../errors/ssohub-error.ts';
import { checkGuardConfig } from '../guard/guard-config.ts';
import { checkShutdownConfig } from '../http/shutdown-config.ts';
import { type HubConfig, type HubConfigInput, KRATOS_DEFAULT_SESSION_COOKIE, type StoreConfig } from './hub-config.ts';
import { checkKeys } from './config-keys.ts';
import { ConfigProblems } from './config-problems.ts';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * Validates a configuration, fills defaults and freezes the result. Every problem is collected
 * and reported at once, each named by its dotted option path (e.g. `store.url`). With `only`,
 * just the problems of those options (and their children) are reported: the rest of the result
 * is then not to be trusted, and the caller must read nothing else from it. A key the schema
 * (config-schema.ts) does not declare is a problem too, named by its path with the key probably meant.
 */
export function checkConfig(input: HubConfigInput, { only }: { only?: readonly string[] } = {}): Readonly<HubConfig> {
  const p = new ConfigProblems();
  checkKeys(p, input);
  const mode = p.oneOf('mode', input.mode ?? 'development', ['production', 'development'] as const);
  const publicUrl = p.origin('publicUrl', input.publicUrl, { requireHttps: mode === 'production' });
  const listen = {
    host: p.string('listen.host', input.listen?.host ?? '0.0.0.0'),
    port: p.port('listen.port', input.listen?.port ?? 8080),
    tls: input.listen?.tls
      ? { cert: p.pem('listen.tls.cert', input.listen.tls.cert), key: p.pem('listen.tls.key', input.listen.tls.key) }
      : undefined,
  };
  const admin = {
    host: p.string('admin.host', input.admin?.host ?? '127.0.0.1'),
    port: p.port('admin.port', input.admin?.port ?? 8081),
    token: input.admin?.token === undefined ? undefined : p.secret('admin.token', input.admin.token, 24),
  };
  if (mode === 'production' && admin.token === undefined) {
    p.add('admin.token', 'is required in production (the admin API refuses every request without it)');
  }
  const kratos = {
    publicUrl: p.url('kratos.publicUrl', input.kratos?.publicUrl ?? 'http://127.0.0.1:4433'),
    adminUrl: p.url('kratos.adminUrl', input.kratos?.adminUrl ?? 'http://127.0.0.1:4434'),
    configFiles: p.stringArray('kratos.configFiles', input.kratos?.configFiles ?? []),
    sessionCookieName: checkCookieName(p, 'kratos.sessionCookieName', input.kratos?.sessionCookieName ?? KRATOS_DEFAULT_SESSION_COOKIE),
  };
  const store = checkStore(p, input.store, mode);
  const allowedReturnOrigins = p
    .stringArray('allowedReturnOrigins', input.allowedReturnOrigins ?? [])
    .map((o, i) => p.origin(`allowedReturnOrigins[${i}]`, o, { requireHttps: mode === 'production' }));
  const trustProxy = checkTrustProxy(p, input.trustProxy ?? false, mode);
  const logLevel = p.oneOf('logLevel', input.logLevel ?? 'info', LOG_LEVELS);
  const bridge = checkBridgeConfig(p, input.bridge ?? {}, { mode, publicUrl });
  const guard = checkGuardConfig(p, input.guard ?? {}, { mode });
  const shutdown = checkShutdownConfig(p, input.shutdown ?? {}, { mode });

  p.throwIfAny(only);
  const config: HubConfig = {
    mode,
    publicUrl,
    listen,
    admin,
    kratos,
    store,
    allowedReturnOrigins,
    trustProxy,
    logLevel,
    bridge,
    guard,
    shutdown,
  };
  return deepFreeze(config);
}

function checkStore(p: ConfigProblems, input: HubConfigInput['store'], mode: string): StoreConfig {
  const kind = p.oneOf('store.kind', input?.kind ?? 'memory', ['redis', 'memory'] as const);
  if (kind === 'memory') {
    if (mode === 'production') {
      p.add('store.kind', 'must be "redis" in production: the memory store loses every session and lockout on restart and is not shared between hub instances');
    }
    return { kind: 'memory' };
  }
  const raw = (input ?? {}) as Record<string, unknown>;
  const sentinels = raw.sentinels === undefined ? [] : p.stringArray('store.sentinels', raw.sentinels);
  const cluster = raw.cluster === undefined ? [] : p.stringArray('store.cluster', raw.cluster);
  const topology = sentinels.length > 0 ? 'sentinel' : cluster.length > 0 ? 'cluster' : 'standalone';
  if (sentinels.length > 0 && cluster.length > 0) p.add('store.cluster', 'cannot be combined with store.sentinels: Redis is either a Cluster or a primary found through Sentinel');
  // Standalone needs the server's URL; Sentinel and Cluster take only credentials and TLS from it.
  const url = raw.url === undefined && topology !== 'standalone' ? '' : p.string('store.url', raw.url);
  if (url && !/^rediss?:\/\//.test(url)) p.add('store.url', 'must be a redis:// or rediss:// URL');
  sentinels.forEach((s, i) => {
    if (!isHostPort(s)) p.add(`store.sentinels[${i}]`, `must be host:port of a Sentinel, e.g. 10.0.0.5:26379 (got ${JSON.stringify(s)})`);
  });
  cluster.forEach((n, i) => {
    if (!isHostPort(n.replace(/^rediss?:\/\/(?:[^@/]*@)?/, '').replace(/\/$/, ''))) p.add(`store.cluster[${i}]`, `must be host:port or redis://host:port of a Cluster node (credentials go in store.url) (got ${JSON.stringify(n)})`);
  });
  const sentinelName = raw.sentinelName === undefined ? '' : p.string('store.sentinelName', raw.sentinelName);
  if (topology === 'sentinel' && raw.sentinelName === undefined) p.add('store.sentinelName', 'is required with store.sentinels: the name Sentinel monitors the primary under (sentinel monitor <name> …), e.g. mymaster');
  if (topology !== 'sentinel' && raw.sentinelName !== undefined) p.add('store.sentinelName', 'is set but store.sentinels is empty: give the Sentinel addresses too');
  const sentinelPassword = raw.sentinelPassword === undefined ? undefined : p.string('store.sentinelPassword', raw.sentinelPassword);
  // Cluster: every key of a script or MULTI must hash to one slot, which only a hash tag in the
  // prefix guarantees. A new cluster holds no hub data yet, so its default is tagged.
  const prefix = p.string('store.prefix', raw.prefix ?? (topology === 'cluster' ? '{ssohub}:' : 'ssohub:'));
  if (topology === 'cluster' && prefix && !hasHashTag(prefix)) {
    p.add('store.prefix', `must contain a hash tag with Redis Cluster, e.g. "{ssohub}:" (got ${JSON.stringify(prefix)}): the hub's Lua scripts and transactions touch several keys at once, which Cluster allows only within one hash slot`);
  }
  const commandTimeoutMs = p.integer('store.commandTimeoutMs', raw.commandTimeoutMs ?? 1500, { min: 50, max: 60_000 });
  const connectTimeoutMs = p.integer('store.connectTimeoutMs', raw.connectTimeoutMs ?? 3000, { min: 100, max: 60_000 });
  return { kind: 'redis', url, prefix, sentinels, sentinelName, sentinelPassword, cluster, commandTimeoutMs, connectTimeoutMs };
}

function isHostPort(value: string): boolean {
  const m = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/.exec(value);
  return m !== null && Number(m[2]) >= 1 && Number(m[2]) <= 65535;
}

/** Redis hashes only the part between the first `{` and the next `}` when that part is not empty. */
function hasHashTag(prefix: string): boolean {
  const open = prefix.indexOf('{');
  if (open < 0) return false;
  const close = prefix.indexOf('}', open + 1);
  return close > open + 1;
}

function checkTrustProxy(p: ConfigProblems, value: unknown, mode: string): boolean | number | string[] {
  if (value === false) return false;
  if (value === true) {
    if (mode === 'production') {
      p.add('trustProxy', 'must not be true in production: it believes any X-Forwarded-For a client sends, so throttling and lockout could be dodged; give the number of proxies in front of the hub (e.g. 1) or their addresses');
    }
    return true;
  }
  if (typeof value === 'number') return p.integer('trustProxy', value, { min: 0, max: 10 });
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string' && /^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(v))) return value as string[];
  p.add('trustProxy', `must be false, a number of proxy hops (0-10), or a list of proxy addresses/CIDR ranges (got ${JSON.stringify(value)})`);
  return false;
}

/** A cookie name is an RFC 6265 token: no spaces, separators or control characters. */
function checkCookieName(p: ConfigProblems, path: string, value: unknown): string {
  const name = p.string(path, value);
  if (name && !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) p.add(path, `must be a cookie name (letters, digits and !#$%&'*+.^_\`|~-), as Kratos' session.cookie.name (got ${JSON.stringify(name)})`);
  return name;
}

export { ConfigError };
