import { checkBrandingConfig } from '../branding/branding-config.ts';
import { checkBridgeConfig } from '../bridge/bridge-config.ts';
import { checkConsoleConfig } from '../console/console-config.ts';
import { deepFreeze } from '../deep-freeze.ts';
import { ConfigError } from '../errors/ssohub-error.ts';
import { checkGuardConfig } from '../guard/guard-config.ts';
import { checkShutdownConfig } from '../http/shutdown-config.ts';
import { checkPasswordPolicyConfig } from '../password/password-policy-config.ts';
import { checkUpstreamLogos } from '../upstream/upstream-logos-config.ts';
import { checkKeys } from './config-keys.ts';
import { ConfigProblems } from './config-problems.ts';
import { HUB_CONFIG_SCHEMA } from './config-schema.ts';
import { defaultsFromSchema } from './defaults-from-schema.ts';
import type { HubConfig, HubConfigInput, StoreConfig } from './hub-config.ts';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** store.prefix without one, under Redis Cluster: hash-tagged, so each script's keys share a slot. */
const CLUSTER_PREFIX = '{ssohub}:';
/**
 * Every store option but `kind` says something about Redis: beside the memory store, one means a
 * store half switched over (the operator believes the instances share Redis; each keeps its own
 * state), so it is refused rather than ignored. A memory-only option would have to be left out here.
 */
const REDIS_STORE_OPTIONS = Object.keys(HUB_CONFIG_SCHEMA.properties!.store!.properties!).filter((key) => key !== 'kind');

/**
 * Validates a configuration, fills defaults and freezes the result. The defaults are the schema's
 * (config-schema.ts, read through defaultsFromSchema), written nowhere else. Every problem is collected
 * and reported at once, each named by its dotted option path (e.g. `store.url`). With `only`,
 * just the problems of those options (and their children) are reported: the rest of the result
 * is then not to be trusted, and the caller must read nothing else from it. A key the schema
 * (config-schema.ts) does not declare is a problem too, named by its path with the key probably meant.
 */
export function checkConfig(input: HubConfigInput, { only }: { only?: readonly string[] } = {}): Readonly<HubConfig> {
  const p = new ConfigProblems();
  checkKeys(p, input);
  const mode = p.oneOf('mode', input.mode ?? defaultsFromSchema('mode'), ['production', 'development'] as const);
  const publicUrl = p.origin('publicUrl', input.publicUrl, { requireHttps: mode === 'production' });
  const listen = {
    host: p.string('listen.host', input.listen?.host ?? defaultsFromSchema('listen.host')),
    port: p.port('listen.port', input.listen?.port ?? defaultsFromSchema('listen.port')),
    tls: input.listen?.tls
      ? { cert: p.pem('listen.tls.cert', input.listen.tls.cert), key: p.pem('listen.tls.key', input.listen.tls.key) }
      : undefined,
  };
  const admin = {
    host: p.string('admin.host', input.admin?.host ?? defaultsFromSchema('admin.host')),
    port: p.port('admin.port', input.admin?.port ?? defaultsFromSchema('admin.port')),
    token: input.admin?.token === undefined ? undefined : p.secret('admin.token', input.admin.token, 24),
    trustProxy: checkTrustProxy(p, 'admin.trustProxy', input.admin?.trustProxy ?? defaultsFromSchema('admin.trustProxy'), mode),
    allowedHosts: p
      .stringArray('admin.allowedHosts', input.admin?.allowedHosts ?? defaultsFromSchema('admin.allowedHosts'))
      .map((h, i) => checkHostName(p, `admin.allowedHosts[${i}]`, h)),
    console: checkConsoleConfig(p, input.admin?.console ?? {}),
  };
  if (mode === 'production' && admin.token === undefined) {
    p.add('admin.token', 'is required in production (the admin API refuses every request without it)');
  }
  const kratos = {
    publicUrl: p.url('kratos.publicUrl', input.kratos?.publicUrl ?? defaultsFromSchema('kratos.publicUrl')),
    adminUrl: p.url('kratos.adminUrl', input.kratos?.adminUrl ?? defaultsFromSchema('kratos.adminUrl')),
    configFiles: p.stringArray('kratos.configFiles', input.kratos?.configFiles ?? defaultsFromSchema('kratos.configFiles')),
    sessionCookieName: checkCookieName(p, 'kratos.sessionCookieName', input.kratos?.sessionCookieName ?? defaultsFromSchema('kratos.sessionCookieName')),
  };
  const store = checkStore(p, input.store, mode);
  const allowedReturnOrigins = p
    .stringArray('allowedReturnOrigins', input.allowedReturnOrigins ?? defaultsFromSchema('allowedReturnOrigins'))
    .map((o, i) => p.origin(`allowedReturnOrigins[${i}]`, o, { requireHttps: mode === 'production' }));
  const trustProxy = checkTrustProxy(p, 'trustProxy', input.trustProxy ?? defaultsFromSchema('trustProxy'), mode);
  const logLevel = p.oneOf('logLevel', input.logLevel ?? defaultsFromSchema('logLevel'), LOG_LEVELS);
  const bridge = checkBridgeConfig(p, input.bridge ?? {}, { mode, publicUrl });
  const guard = checkGuardConfig(p, input.guard ?? {}, { mode });
  const branding = checkBrandingConfig(p, input.branding ?? {}, { mode });
  const passwordPolicy = checkPasswordPolicyConfig(p, input.passwordPolicy ?? {});
  const upstreamLogos = checkUpstreamLogos(p, input.upstreamLogos, { mode });
  // The drain's default depends on the mode (shutdown-config.ts); the deadline's is the schema's.
  const shutdownInput = { ...input.shutdown, timeoutMs: input.shutdown?.timeoutMs ?? (defaultsFromSchema('shutdown.timeoutMs') as number) };
  const shutdown = checkShutdownConfig(p, shutdownInput, { mode });

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
    branding,
    passwordPolicy,
    upstreamLogos,
    shutdown,
  };
  return deepFreeze(config);
}

function checkStore(p: ConfigProblems, input: HubConfigInput['store'], mode: string): StoreConfig {
  const kind = p.oneOf('store.kind', input?.kind ?? defaultsFromSchema('store.kind'), ['redis', 'memory'] as const);
  const raw = (input ?? {}) as Record<string, unknown>;
  if (kind === 'memory') {
    if (mode === 'production') {
      p.add('store.kind', 'must be "redis" in production: the memory store loses every session and lockout on restart and is not shared between hub instances');
    }
    for (const option of REDIS_STORE_OPTIONS) {
      if (raw[option] !== undefined && raw[option] !== null) {
        p.add(`store.${option}`, `is a Redis option but store.kind is "memory", which would ignore it: set store.kind to "redis" to use Redis, or remove store.${option}`);
      }
    }
    return { kind: 'memory' };
  }
  const sentinels = p.stringArray('store.sentinels', raw.sentinels === undefined ? defaultsFromSchema('store.sentinels') : raw.sentinels);
  const cluster = p.stringArray('store.cluster', raw.cluster === undefined ? defaultsFromSchema('store.cluster') : raw.cluster);
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
  const prefix = p.string('store.prefix', raw.prefix ?? (topology === 'cluster' ? CLUSTER_PREFIX : defaultsFromSchema('store.prefix')));
  if (topology === 'cluster' && prefix && !hasHashTag(prefix)) {
    p.add('store.prefix', `must contain a hash tag with Redis Cluster, e.g. "{ssohub}:" (got ${JSON.stringify(prefix)}): the hub's Lua scripts and transactions touch several keys at once, which Cluster allows only within one hash slot`);
  }
  const commandTimeoutMs = p.integer('store.commandTimeoutMs', raw.commandTimeoutMs ?? defaultsFromSchema('store.commandTimeoutMs'), { min: 50, max: 60_000 });
  const connectTimeoutMs = p.integer('store.connectTimeoutMs', raw.connectTimeoutMs ?? defaultsFromSchema('store.connectTimeoutMs'), { min: 100, max: 60_000 });
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

/** `trustProxy` and `admin.trustProxy`: false, a hop count, or proxy addresses; `true` in development only. */
function checkTrustProxy(p: ConfigProblems, path: string, value: unknown, mode: string): boolean | number | string[] {
  if (value === false) return false;
  if (value === true) {
    if (mode === 'production') {
      p.add(path, 'must not be true in production: it believes any X-Forwarded-For a client sends, so throttling and lockout could be dodged; give the number of proxies in front of the hub (e.g. 1) or their addresses');
    }
    return true;
  }
  if (typeof value === 'number') return p.integer(path, value, { min: 0, max: 10 });
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string' && /^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(v))) return value as string[];
  p.add(path, `must be false, a number of proxy hops (0-10), or a list of proxy addresses/CIDR ranges (got ${JSON.stringify(value)})`);
  return false;
}

const HOST_LABEL = '[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?';
const HOST_NAME = new RegExp(`^${HOST_LABEL}(?:\\.${HOST_LABEL})*$`);

/**
 * A name the admin listener answers to (admin.allowedHosts), compared with the Host header's name:
 * a DNS name (labels of letters, digits, `-` and `_`, which compose service names may hold), an
 * IPv4 address, or an IPv6 address in brackets. Lower-cased, as the comparison is. No port: any
 * port of an allowed name is the listener's own. No wildcard: each name is one someone chose.
 */
function checkHostName(p: ConfigProblems, path: string, value: string): string {
  const name = value.toLowerCase();
  if ((name.length <= 253 && HOST_NAME.test(name)) || /^\[[0-9a-f:.]+\]$/.test(name)) return name;
  p.add(path, `must be a host name or IP address such as admin.sso.internal, 10.0.0.5 or [fd00::5], without scheme, port, path or wildcard (got ${JSON.stringify(value)})`);
  return '';
}

/** A cookie name is an RFC 6265 token: no spaces, separators or control characters. */
function checkCookieName(p: ConfigProblems, path: string, value: unknown): string {
  const name = p.string(path, value);
  if (name && !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) p.add(path, `must be a cookie name (letters, digits and !#$%&'*+.^_\`|~-), as Kratos' session.cookie.name (got ${JSON.stringify(name)})`);
  return name;
}

export { ConfigError };
