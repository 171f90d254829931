import { HUB_CONFIG_SCHEMA, isObjectSchema, type SchemaNode } from './config-schema.ts';

/**
 * The default the schema (config-schema.ts) declares for the option at a dotted `path`
 * (`listen.port`), or for an object of options (`guard`, `bridge.ttl`; the whole configuration
 * when `path` is empty) an object of its options' defaults, options without one left out
 * (`undefined` when none has one: `listen.tls` is absent unless configured).
 * checkConfig and the *-config.ts checkers fill absent options from here, so each default is
 * written once, in the schema, and the docs and the editors' JSON Schema show what the hub does.
 *
 * A fresh copy on every call: checkConfig freezes what it returns, which must not freeze the
 * schema's own arrays, and a test may change a default in the schema to see it used.
 */
export function defaultsFromSchema(path = ''): unknown {
  let node: SchemaNode = HUB_CONFIG_SCHEMA;
  for (const key of path === '' ? [] : path.split('.')) {
    const child = isObjectSchema(node) ? node.properties![key] : undefined;
    if (child === undefined) throw new Error(`config-schema: no option ${path}`);
    node = child;
  }
  return collect(node);
}

function collect(node: SchemaNode): unknown {
  if (node.default !== undefined || !isObjectSchema(node)) return structuredClone(node.default);
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(node.properties!)) {
    const value = collect(child);
    if (value !== undefined) out[key] = value;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
