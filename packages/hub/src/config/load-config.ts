import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors/ssohub-error.ts';
import { checkConfig } from './check-config.ts';
import { unknownVariables } from './config-keys.ts';
import { type EnvFormat, schemaOptions } from './config-schema.ts';
import type { HubConfig, HubConfigInput } from './hub-config.ts';

/**
 * Environment variables, each mapped to the dotted option it sets. They override the JSON file
 * named by SSOHUB_CONFIG. Declared with the options in config-schema.ts; docs/configuration.md
 * lists them.
 */
export const ENV_OPTIONS: Readonly<Record<string, string>> = Object.fromEntries(
  schemaOptions().flatMap(({ path, schema }) => (schema.env === undefined ? [] : [[schema.env, path]])),
);

/**
 * Secrets can come from files instead (`<VARIABLE>_FILE`), as container and systemd secrets do
 * (Docker/Kubernetes mount them under /run/secrets, systemd's LoadCredential= under
 * $CREDENTIALS_DIRECTORY): the value then never sits in the environment, where `ps e`, crash
 * reports and child processes can read it. Surrounding whitespace (the final newline) is dropped.
 * The options marked `envFile` in config-schema.ts.
 */
export const SECRET_FILE_VARIABLES: Readonly<Record<string, string>> = Object.fromEntries(
  schemaOptions().flatMap(({ schema }) => (schema.env !== undefined && schema.envFile ? [[`${schema.env}_FILE`, schema.env]] : [])),
);

const ENV_FORMATS: ReadonlyMap<string, EnvFormat | undefined> = new Map(schemaOptions().map(({ path, schema }) => [path, schema.envFormat]));
// Any of these says where Redis is, so the store is Redis unless SSOHUB_STORE says otherwise.
const REDIS_LOCATION_OPTIONS = new Set(['store.url', 'store.sentinels', 'store.cluster']);

export interface LoadConfigOptions {
  /**
   * Dotted option paths (or their parents, e.g. `kratos`) the caller depends on. Only their
   * variables are read and only their problems reported. For generators such as
   * `ssohub kratos config`, which run where the hub's secret files do not exist (a workstation,
   * a CI job) and need none of them. Default: everything, as the hub itself needs.
   */
  only?: readonly string[];
  /**
   * Receives each SSOHUB_* variable the hub does not read, with the one probably meant. Warned
   * about, not refused: the environment is shared with other software (Kubernetes service links
   * inject `<SERVICE>_SERVICE_HOST` for a Service named `ssohub-…`, Docker links similar), so
   * refusing would stop a hub for a variable nobody set for it. Unknown keys of the JSON file
   * are the hub's own, and refused. Default: printed on stderr.
   */
  warn?: (message: string) => void;
}

/**
 * Reads the configuration from SSOHUB_CONFIG (a JSON file) and SSOHUB_* variables (secrets also
 * from `<VARIABLE>_FILE`), then validates it. Throws ConfigError naming each bad option and the
 * variable or file it came from and each key of the file the hub does not know (with the one
 * probably meant), all at once. SSOHUB_* variables it does not know are warned about (`warn`).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: LoadConfigOptions = {}): Readonly<HubConfig> {
  const wanted = (path: string) => options.only === undefined || options.only.some((o) => path === o || path.startsWith(`${o}.`) || o.startsWith(`${path}.`));
  const problems: string[] = [];
  // A variable the hub does not read is a typo whose option silently keeps its default. With
  // `only`, just those whose likely option the caller depends on.
  const warn = options.warn ?? ((message: string) => process.stderr.write(`ssohub: warning: ${message}\n`));
  for (const u of unknownVariables(env)) {
    if (options.only === undefined || (u.option !== undefined && wanted(u.option))) warn(u.problem);
  }
  let input: Record<string, unknown> = {};
  if (env.SSOHUB_CONFIG) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(env.SSOHUB_CONFIG, 'utf8'));
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) input = parsed as Record<string, unknown>;
      else problems.push(`SSOHUB_CONFIG (${env.SSOHUB_CONFIG}) must hold a JSON object of options (got ${Array.isArray(parsed) ? 'an array' : typeof parsed})`);
    } catch (err) {
      problems.push(`SSOHUB_CONFIG (${env.SSOHUB_CONFIG}) could not be read as JSON: ${(err as Error).message}`);
    }
  }
  // Which variable set each option, so a problem names the variable the operator actually wrote.
  const sources = new Map<string, string>();
  for (const [variable, path] of Object.entries(ENV_OPTIONS)) {
    if (!wanted(path)) continue;
    const fileVariable = `${variable}_FILE`;
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
      value = fromVariable(ENV_FORMATS.get(path), raw);
    } catch (err) {
      problems.push(`${path} (from ${source}=${source === variable ? raw : env[source]}) could not be read: ${(err as Error).message}`);
      continue;
    }
    if (REDIS_LOCATION_OPTIONS.has(path) && env.SSOHUB_STORE === undefined) setPath(input, 'store.kind', 'redis');
    setPath(input, path, value);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  let config: Readonly<HubConfig>;
  try {
    config = checkConfig(input as HubConfigInput, options);
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(err.problems.map((p) => withVariable(p, sources)));
    throw err;
  }
  return config;
}

function fromVariable(format: EnvFormat | undefined, raw: string): unknown {
  switch (format) {
    case undefined:
      return raw;
    // A keys file holds one key per line (what `ssohub keys generate` writes); commas work too.
    case 'list':
      return raw.split(/[,\n]/).map((s) => s.trim()).filter(Boolean);
    case 'integer':
      return /^\d+$/.test(raw) ? Number(raw) : raw;
    case 'trustProxy':
      return raw === 'true' ? true : raw === 'false' ? false : /^\d+$/.test(raw) ? Number(raw) : raw.split(',').map((s) => s.trim()).filter(Boolean);
    case 'pemFile':
      return readFileSync(raw, 'utf8');
    case 'jsonFile': {
      const parsed = JSON.parse(readFileSync(raw, 'utf8'));
      return Array.isArray(parsed) ? parsed : (parsed.keys ?? parsed.clients ?? parsed);
    }
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
