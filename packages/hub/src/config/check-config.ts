import { checkBridgeConfig } from '../bridge/bridge-config.ts';
import { deepFreeze } from '../deep-freeze.ts';
import { ConfigError } from '../errors/ssohub-error.ts';
import { checkGuardConfig } from '../guard/guard-config.ts';
import { type HubConfig, type HubConfigInput, KRATOS_DEFAULT_SESSION_COOKIE, type StoreConfig } from './hub-config.ts';
import { ConfigProblems } from './config-problems.ts';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * Validates a configuration, fills defaults and freezes the result. Every problem is collected
 * and reported at once, each named by its dotted option path (e.g. `store.url`). With `only`,
 * just the problems of those options (and their children) are reported: the rest of the result
 * is then not to be trusted, and the caller must read nothing else from it.
 */
export function checkConfig(input: HubConfigInput, { only }: { only?: readonly string[] } = {}): Readonly<HubConfig> {
  const p = new ConfigProblems();
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
  const raw = input as { url?: unknown; prefix?: unknown };
  const url = p.string('store.url', raw.url);
  if (url && !/^rediss?:\/\//.test(url)) p.add('store.url', 'must be a redis:// or rediss:// URL');
  const prefix = p.string('store.prefix', raw.prefix ?? 'ssohub:');
  return { kind: 'redis', url, prefix };
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
