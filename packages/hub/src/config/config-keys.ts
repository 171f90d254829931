import type { ConfigProblems } from './config-problems.ts';
import { describe } from './config-problems.ts';
import {
  HUB_CONFIG_SCHEMA,
  IGNORED_TOP_LEVEL_KEYS,
  isObjectSchema,
  OTHER_VARIABLE_PREFIXES,
  OTHER_VARIABLES,
  PROCESS_VARIABLES,
  type SchemaNode,
  schemaOptions,
} from './config-schema.ts';

/**
 * Reports each key of the configuration that the schema does not declare, anywhere in it, by its
 * full option path (`kratos.pubilcUrl`), with the option probably meant. A mistyped key would
 * otherwise be ignored and its option left at its default. Also reports a non-object where the
 * schema has an object (`guard: true`), which would be ignored the same way.
 */
export function checkKeys(p: ConfigProblems, input: unknown): void {
  if (isPlainObject(input)) walk(p, HUB_CONFIG_SCHEMA, input, '');
}

function walk(p: ConfigProblems, node: SchemaNode, value: unknown, path: string): void {
  if (value === undefined || value === null) return;
  if (isObjectSchema(node)) {
    if (!isPlainObject(value)) {
      p.add(path, `must be an object (got ${describe(value)})`);
      return;
    }
    const properties = node.properties!;
    for (const [key, child] of Object.entries(value)) {
      const at = path ? `${path}.${key}` : key;
      if (Object.hasOwn(properties, key)) walk(p, properties[key]!, child, at);
      else if (path !== '' || !IGNORED_TOP_LEVEL_KEYS.includes(key)) p.add(at, unknownKey(key, path, Object.keys(properties)));
    }
  } else if (node.type === 'array' && node.items && isObjectSchema(node.items) && Array.isArray(value)) {
    value.forEach((item, i) => {
      if (isPlainObject(item)) walk(p, node.items!, item, `${path}[${i}]`);
    });
  }
}

function unknownKey(key: string, parent: string, siblings: string[]): string {
  const join = (k: string) => (parent ? `${parent}.${k}` : k);
  const near = closest(key, siblings);
  if (near !== undefined) return `is not an option; did you mean ${join(near)}?`;
  // The right key at the wrong level: `{ "port": 9000 }` for listen.port.
  const lower = key.toLowerCase();
  const elsewhere = allObjectPaths().filter((path) => path.split('.').at(-1)!.toLowerCase() === lower);
  if (elsewhere.length > 0) return `is not an option here; did you mean ${elsewhere.slice(0, 3).join(' or ')}?`;
  return `is not an option (${parent || 'the top level'} takes ${siblings.join(', ')})`;
}

let objectPaths: string[] | undefined;
/** Every declared key's path, options and the objects holding them alike. */
function allObjectPaths(): string[] {
  if (objectPaths) return objectPaths;
  const out: string[] = [];
  const visit = (node: SchemaNode, prefix: string) => {
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      const path = prefix ? `${prefix}.${key}` : key;
      out.push(path);
      if (isObjectSchema(child)) visit(child, path);
    }
  };
  visit(HUB_CONFIG_SCHEMA, '');
  objectPaths = out;
  return out;
}

/** Every SSOHUB_* variable the hub reads, each with the option it sets (none for SSOHUB_CONFIG, SSOHUB_WORKERS). */
export function hubVariables(): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>([['SSOHUB_CONFIG', undefined]]);
  for (const { path, schema } of schemaOptions()) {
    if (schema.env === undefined) continue;
    out.set(schema.env, path);
    if (schema.envFile) out.set(`${schema.env}_FILE`, path);
  }
  for (const v of PROCESS_VARIABLES) out.set(v.env, undefined);
  return out;
}

export interface UnknownVariable {
  variable: string;
  problem: string;
  /** The option of the variable probably meant, if any. */
  option: string | undefined;
}

/**
 * The SSOHUB_* variables (any case) of `env` that neither the hub nor the project's other tools
 * read: typos, whose option would otherwise keep its default.
 */
export function unknownVariables(env: Readonly<Record<string, string | undefined>>): UnknownVariable[] {
  const known = hubVariables();
  const out: UnknownVariable[] = [];
  for (const [variable, value] of Object.entries(env)) {
    if (value === undefined || !/^ssohub_/i.test(variable) || known.has(variable)) continue;
    if (OTHER_VARIABLES.includes(variable) || OTHER_VARIABLE_PREFIXES.some((prefix) => variable.startsWith(prefix))) continue;
    const base = variable.replace(/_FILE$/, '');
    if (base !== variable && known.has(base)) {
      const secrets = [...known.keys()].filter((v) => v.endsWith('_FILE') && known.has(v.slice(0, -5)));
      out.push({
        variable,
        option: known.get(base),
        problem: `${variable} is not a variable the hub reads: only ${secrets.map((v) => v.slice(0, -5)).join(', ')} can be given as <VARIABLE>_FILE; set ${base} itself`,
      });
      continue;
    }
    const near = closest(variable, [...known.keys()]) ?? (known.has(`${variable}_FILE`) ? `${variable}_FILE` : undefined);
    out.push({
      variable,
      option: near === undefined ? undefined : known.get(near),
      problem: near === undefined ? `${variable} is not a variable the hub reads (docs/configuration.md lists them)` : `${variable} is not a variable the hub reads; did you mean ${near}?`,
    });
  }
  return out;
}

/**
 * The candidate probably meant by `word`: equal but for case, else the nearest within an edit
 * distance of 2 (1 for candidates of 2 or 3 characters, so short keys do not match everything).
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase());
    if (d <= Math.min(2, Math.floor(c.length / 2)) && d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
