import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseDocument } from 'yaml';
import { type DoctorCheck, warn } from './doctor-check.ts';

/** A parsed Kratos config file: nested plain objects, arrays and scalars. */
export type ConfigTree = Record<string, unknown>;

export interface KratosConfigFile {
  path: string;
  /** The parsed file, unless it could not be read or parsed. */
  tree?: ConfigTree;
  /** Why the file could not be used: an errno code (ENOENT, EACCES) or a one-line parse error. */
  error?: string;
}

/** The Kratos config files in Kratos' merge order, each parsed on its own, and their merge. */
export interface KratosConfig {
  files: KratosConfigFile[];
  /** The readable files merged as Kratos merges them (unreadable ones left out). */
  merged: ConfigTree;
}

/** One setting as Kratos resolves it from its environment and its config files. */
export type KratosSetting =
  | { kind: 'set'; value: unknown; source: string }
  | { kind: 'unset' }
  /** An unreadable file that comes after any file setting the key could set it too. */
  | { kind: 'unknown'; path: string; error: string };

export class UnreadableConfigFile extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnreadableConfigFile';
  }
}

/**
 * Parses one Kratos config file the way Kratos picks its parser: by extension, `.json` as JSON and
 * `.yaml`/`.yml` as YAML (with merge keys, which Go's yaml.v3 honours, and an error on duplicate
 * keys, as yaml.v3 gives). An empty file is an empty mapping. Throws UnreadableConfigFile with a
 * one-line reason for anything Kratos would not read as a mapping, or that the doctor cannot read.
 */
export function parseKratosConfig(text: string, path: string): ConfigTree {
  const ext = extname(path).toLowerCase();
  if (ext === '.toml') throw new UnreadableConfigFile('a .toml file, which Kratos reads as TOML: the doctor reads only .yaml, .yml and .json');
  if (ext !== '.json' && ext !== '.yaml' && ext !== '.yml') {
    throw new UnreadableConfigFile(`Kratos refuses a config file ending in "${ext}" (it reads .yaml, .yml, .json and .toml)`);
  }
  let value: unknown;
  if (ext === '.json') {
    try {
      value = JSON.parse(text);
    } catch (err) {
      // V8 quotes the text around the error, which may be a password: keep only the position.
      const at = /\(line (\d+) column (\d+)\)/.exec((err as Error).message);
      throw new UnreadableConfigFile(`not valid JSON${at ? ` at line ${at[1]}, column ${at[2]}` : ''}`);
    }
  } else {
    const doc = parseDocument(text, { merge: true, uniqueKeys: true, prettyErrors: true });
    const [first] = doc.errors;
    if (first) {
      const at = first.linePos?.[0];
      throw new UnreadableConfigFile(`not valid YAML: ${yamlReason(first.message, first.code)}${at ? ` at line ${at.line}, column ${at.col}` : ''}`);
    }
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      throw new UnreadableConfigFile(`not valid YAML: ${yamlReason((err as Error).message)}`);
    }
    // `a: &x {b: *x}`: yaml builds an object that contains itself, which every walk over the
    // tree (merging two such files) followed for ever; Kratos' yaml.v3 refuses the file.
    if (containsItself(value)) throw new UnreadableConfigFile('not valid YAML: an alias stands inside the node its anchor names (Kratos refuses it too)');
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new UnreadableConfigFile(`the top level is ${Array.isArray(value) ? 'a sequence' : `a ${typeof value}`}, not a mapping of settings`);
  }
  return value as ConfigTree;
}

/**
 * yaml's reason for an error, without the part of the file some reasons quote (`Could not resolve
 * tag: !'postgres://kratos:<password>@db'`, `Unresolved alias ...: <name>`, `Invalid escape
 * sequence \q`): the doctor's output is shared, and the file may hold a password.
 */
function yamlReason(message: string, code?: string): string {
  if (code === 'BAD_DQ_ESCAPE') return 'Invalid escape sequence in a double-quoted string';
  if (code === 'TAG_RESOLVE_FAILED') return 'Could not resolve a tag';
  return message.split('\n', 1)[0]!.split(': ', 1)[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

/** Whether a parsed value contains itself; each object is walked once, however often it is shared. */
function containsItself(value: unknown, open = new Set<object>(), done = new Set<object>()): boolean {
  if (typeof value !== 'object' || value === null || done.has(value)) return false;
  if (open.has(value)) return true;
  open.add(value);
  for (const child of Object.values(value)) if (containsItself(child, open, done)) return true;
  open.delete(value);
  done.add(value);
  return false;
}

/**
 * Merges a later config file over an earlier one as Kratos (koanf) does: key by key where both
 * sides are mappings; any other value of the later file, a scalar, a sequence or null, replaces
 * the earlier one whole.
 */
export function mergeKratosConfig(earlier: ConfigTree, later: ConfigTree): ConfigTree {
  const out: ConfigTree = { ...earlier };
  for (const [key, value] of Object.entries(later)) {
    const prev = Object.hasOwn(out, key) ? out[key] : undefined;
    const merged = isMapping(value) && isMapping(prev) ? mergeKratosConfig(prev, value) : value;
    // Defined, not assigned: `out.__proto__ = x` would set the prototype and lose the key.
    Object.defineProperty(out, key, { value: merged, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** Reads and parses every file, in Kratos' order, and merges the readable ones. */
export async function readKratosConfig(paths: readonly string[]): Promise<KratosConfig> {
  const files = await Promise.all(
    paths.map(async (path): Promise<KratosConfigFile> => {
      try {
        return { path, tree: parseKratosConfig(await readFile(path, 'utf8'), path) };
      } catch (err) {
        return { path, error: (err as NodeJS.ErrnoException).code ?? (err as Error).message };
      }
    }),
  );
  const merged = files.reduce<ConfigTree>((acc, f) => (f.tree ? mergeKratosConfig(acc, f.tree) : acc), {});
  return { files, merged };
}

/** The value at a key path of a parsed tree; undefined when any step is missing or not a mapping. */
export function valueAt(tree: ConfigTree | undefined, key: readonly string[]): unknown {
  let node: unknown = tree;
  for (const k of key) node = isMapping(node) && Object.hasOwn(node, k) ? node[k] : undefined;
  return node;
}

/**
 * Resolves one setting as Kratos does: its environment variable (when given and not empty) beats
 * every file; otherwise the merged files decide, and the source is the last file that sets the key.
 * null counts as not set: Kratos then falls back to its default.
 */
export function resolveKratosSetting(config: KratosConfig, key: readonly string[], env: { name: string; value: string | undefined }): KratosSetting {
  if (env.value !== undefined && env.value !== '') return { kind: 'set', value: env.value, source: `environment variable ${env.name}` };
  const value = valueAt(config.merged, key);
  const setter = config.files.findLastIndex((f) => f.tree !== undefined && valueAt(f.tree, key) != null);
  const unreadable = config.files.findLastIndex((f) => f.error !== undefined);
  if (unreadable > setter) {
    const file = config.files[unreadable]!;
    return { kind: 'unknown', path: file.path, error: file.error! };
  }
  if (value == null || setter < 0) return { kind: 'unset' };
  return { kind: 'set', value, source: `file ${config.files[setter]!.path}` };
}

/** One warning per config file the doctor could not read or parse. */
export function configFileChecks(config: KratosConfig): DoctorCheck[] {
  return config.files
    .filter((f) => f.error !== undefined)
    .map((f) => warn('kratos.config_files', `cannot read Kratos config file ${f.path} (${f.error})`, 'run the doctor where the hub can read kratos.configFiles (SSOHUB_KRATOS_CONFIG_FILES), or fix the path or the file'));
}

function isMapping(v: unknown): v is ConfigTree {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
