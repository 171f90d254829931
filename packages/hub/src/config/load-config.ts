import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors/ssohub-error.ts';
import { checkConfig } from './check-config.ts';
import type { HubConfig, HubConfigInput } from './hub-config.ts';

/**
 * Environment variables, each mapped to the dotted option it sets. They override the JSON file
 * named by SSOHUB_CONFIG. docs/configuration.md is the reference.
 */
export const ENV_OPTIONS = {
  SSOHUB_MODE: 'mode',
  SSOHUB_PUBLIC_URL: 'publicUrl',
  SSOHUB_LISTEN_HOST: 'listen.host',
  SSOHUB_LISTEN_PORT: 'listen.port',
  SSOHUB_TLS_CERT_FILE: 'listen.tls.cert',
  SSOHUB_TLS_KEY_FILE: 'listen.tls.key',
  SSOHUB_ADMIN_HOST: 'admin.host',
  SSOHUB_ADMIN_PORT: 'admin.port',
  SSOHUB_ADMIN_TOKEN: 'admin.token',
  SSOHUB_KRATOS_PUBLIC_URL: 'kratos.publicUrl',
  SSOHUB_KRATOS_ADMIN_URL: 'kratos.adminUrl',
  SSOHUB_KRATOS_CONFIG_FILES: 'kratos.configFiles',
  SSOHUB_KRATOS_SESSION_COOKIE: 'kratos.sessionCookieName',
  SSOHUB_STORE: 'store.kind',
  SSOHUB_REDIS_URL: 'store.url',
  SSOHUB_REDIS_PREFIX: 'store.prefix',
  SSOHUB_REDIS_SENTINELS: 'store.sentinels',
  SSOHUB_REDIS_SENTINEL_NAME: 'store.sentinelName',
  SSOHUB_REDIS_SENTINEL_PASSWORD: 'store.sentinelPassword',
  SSOHUB_REDIS_CLUSTER_NODES: 'store.cluster',
  SSOHUB_REDIS_COMMAND_TIMEOUT_MS: 'store.commandTimeoutMs',
  SSOHUB_REDIS_CONNECT_TIMEOUT_MS: 'store.connectTimeoutMs',
  SSOHUB_ALLOWED_RETURN_ORIGINS: 'allowedReturnOrigins',
  SSOHUB_TRUST_PROXY: 'trustProxy',
  SSOHUB_LOG_LEVEL: 'logLevel',
  SSOHUB_SHUTDOWN_DRAIN_MS: 'shutdown.drainMs',
  SSOHUB_SHUTDOWN_TIMEOUT_MS: 'shutdown.timeoutMs',
  SSOHUB_COOKIE_KEYS: 'bridge.cookieKeys',
  SSOHUB_SIGNING_KEYS_FILE: 'bridge.signingKeys',
  SSOHUB_CLIENTS_FILE: 'bridge.clients',
} as const;

/**
 * Secrets can come from files instead (`<VARIABLE>_FILE`), as container and systemd secrets do
 * (Docker/Kubernetes mount them under /run/secrets, systemd's LoadCredential= under
 * $CREDENTIALS_DIRECTORY): the value then never sits in the environment, where `ps e`, crash
 * reports and child processes can read it. Surrounding whitespace (the final newline) is dropped.
 */
export const SECRET_FILE_VARIABLES = {
  SSOHUB_ADMIN_TOKEN_FILE: 'SSOHUB_ADMIN_TOKEN',
  SSOHUB_COOKIE_KEYS_FILE: 'SSOHUB_COOKIE_KEYS',
  SSOHUB_REDIS_URL_FILE: 'SSOHUB_REDIS_URL',
  SSOHUB_REDIS_SENTINEL_PASSWORD_FILE: 'SSOHUB_REDIS_SENTINEL_PASSWORD',
} as const;

const LIST_OPTIONS = new Set(['kratos.configFiles', 'allowedReturnOrigins', 'bridge.cookieKeys', 'store.sentinels', 'store.cluster']);
const NUMBER_OPTIONS = new Set(['listen.port', 'admin.port', 'store.commandTimeoutMs', 'store.connectTimeoutMs', 'shutdown.drainMs', 'shutdown.timeoutMs']);
// Any of these says where Redis is, so the store is Redis unless SSOHUB_STORE says otherwise.
const REDIS_LOCATION_OPTIONS = new Set(['store.url', 'store.sentinels', 'store.cluster']);
const BOOLEAN_OPTIONS = new Set<string>();
const FILE_OPTIONS = new Set(['listen.tls.cert', 'listen.tls.key']);
const JSON_FILE_OPTIONS = new Set(['bridge.signingKeys', 'bridge.clients']);

export interface LoadConfigOptions {
  /**
   * Dotted option paths (or their parents, e.g. `kratos`) the caller depends on. Only their
   * variables are read and only their problems reported. For generators such as
   * `ssohub kratos config`, which run where the hub's secret files do not exist (a workstation,
   * a CI job) and need none of them. Default: everything, as the hub itself needs.
   */
  only?: readonly string[];
}

/**
 * Reads the configuration from SSOHUB_CONFIG (a JSON file) and SSOHUB_* variables (secrets also
 * from `<VARIABLE>_FILE`), then validates it. Throws ConfigError naming each bad option and the
 * variable or file it came from.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: LoadConfigOptions = {}): Readonly<HubConfig> {
  const wanted = (path: string) => options.only === undefined || options.only.some((o) => path === o || path.startsWith(`${o}.`) || o.startsWith(`${path}.`));
  const problems: string[] = [];
  let input: Record<string, unknown> = {};
  if (env.SSOHUB_CONFIG) {
    try {
      input = JSON.parse(readFileSync(env.SSOHUB_CONFIG, 'utf8'));
    } catch (err) {
      problems.push(`SSOHUB_CONFIG (${env.SSOHUB_CONFIG}) could not be read as JSON: ${(err as Error).message}`);
    }
  }
  // Which variable set each option, so a problem names the variable the operator actually wrote.
  const sources = new Map<string, string>();
  for (const [variable, path] of Object.entries(ENV_OPTIONS)) {
    if (!wanted(path)) continue;
    const fileVariable = `${variable}_FILE` as keyof typeof SECRET_FILE_VARIABLES;
    let raw = env[variable];
    let source: string = variable;
    if (fileVariable in SECRET_FILE_VARIABLES && env[fileVariable]) {
      if (raw !== undefined && raw !== '') {
        problems.push(`${path} is set twice: by ${variable} and by ${fileVariable}; keep one`);
        continue;
      }
      source = fileVariable;
      try {
        raw = readFileSync(env[fileVariable]!, 'utf8').trim();
      } catch (err) {
        problems.push(`${path} (from ${fileVariable}=${env[fileVariable]}) could not be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
        continue;
      }
      if (raw === '') {
        problems.push(`${path} (from ${fileVariable}=${env[fileVariable]}) is an empty file`);
        continue;
      }
    }
    if (raw === undefined || raw === '') continue;
    sources.set(path, source);
    let value: unknown = raw;
    try {
      // A keys file holds one key per line (what `ssohub keys generate` writes); commas work too.
      if (LIST_OPTIONS.has(path)) value = raw.split(/[,\n]/).map((s) => s.trim()).filter(Boolean);
      else if (NUMBER_OPTIONS.has(path)) value = /^\d+$/.test(raw) ? Number(raw) : raw;
      else if (BOOLEAN_OPTIONS.has(path)) value = raw === 'true' ? true : raw === 'false' ? false : raw;
      else if (path === 'trustProxy') value = raw === 'true' ? true : raw === 'false' ? false : /^\d+$/.test(raw) ? Number(raw) : raw.split(',').map((s) => s.trim()).filter(Boolean);
      else if (FILE_OPTIONS.has(path)) value = readFileSync(raw, 'utf8');
      else if (JSON_FILE_OPTIONS.has(path)) {
        const parsed = JSON.parse(readFileSync(raw, 'utf8'));
        value = Array.isArray(parsed) ? parsed : (parsed.keys ?? parsed.clients ?? parsed);
      }
    } catch (err) {
      problems.push(`${path} (from ${source}=${source === variable ? raw : env[source]}) could not be read: ${(err as Error).message}`);
      continue;
    }
    if (REDIS_LOCATION_OPTIONS.has(path) && env.SSOHUB_STORE === undefined) setPath(input, 'store.kind', 'redis');
    setPath(input, path, value);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  try {
    return checkConfig(input as HubConfigInput, options);
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(err.problems.map((p) => withVariable(p, sources)));
    throw err;
  }
}

function withVariable(problem: string, sources: ReadonlyMap<string, string>): string {
  const path = problem.split(' ')[0]!;
  const option = path.replace(/\[\d+\]$/, '');
  const variable = sources.get(option) ?? Object.entries(ENV_OPTIONS).find(([, p]) => p === option)?.[0];
  return variable ? problem.replace(path, `${path} (${variable})`) : problem;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys.at(-1)!] = value;
}
