import { HUB_CONFIG_SCHEMA, isObjectSchema, type SchemaNode } from './config-schema.ts';

/** Where the JSON Schema of the hub's config file is published; `$id` of the schema. */
export const CONFIG_JSON_SCHEMA_ID = 'https://schemas.ssohub.dev/hub/config.schema.json';

/**
 * The JSON Schema (draft 2020-12) of the hub's config file (the one SSOHUB_CONFIG names), for
 * editors: completion, hover text and red squiggles while the file is written, instead of at the
 * hub's next start. `npm run docs:config` writes it to docs/ssohub-config.schema.json from the
 * schema the hub itself checks against (config-schema.ts), with each option's title (its dotted
 * path), description, variable and default; unknown keys are refused at every depth, as the hub
 * refuses them. The values' ranges and the rules between options stay the hub's (checkConfig).
 *
 * Every option is optional here: each has a default or can come from its SSOHUB_* variable.
 */
export function configJsonSchema(): Record<string, unknown> {
  const options = convert(HUB_CONFIG_SCHEMA, '', true);
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: CONFIG_JSON_SCHEMA_ID,
    title: 'SSO Hub configuration',
    description:
      'The file named by SSOHUB_CONFIG. SSOHUB_* variables override it option by option. Written from packages/hub/src/config/config-schema.ts by `npm run docs:config`; docs/configuration.md explains each option.',
    type: 'object',
    properties: {
      // The one key the hub accepts besides the options (IGNORED_TOP_LEVEL_KEYS): how a file names this schema.
      $schema: { type: 'string', description: 'Where an editor finds the JSON Schema of this file; the hub ignores it.' },
      ...(options.properties as Record<string, unknown>),
    },
    additionalProperties: false,
  };
}

/**
 * One node of the TypeBox schema as plain JSON Schema: the structural keywords, `default`, and a
 * description written from the option's metadata; the metadata keywords themselves (`env`,
 * `envFormat`, …) are left out. `path`: the option's or section's dotted path, its title ('' inside
 * a value). `section`: an object of options, whose keys are all optional (TypeBox lists every key
 * as `required`); inside a value (`bridge.claims` entries) keys stay required.
 */
function convert(node: SchemaNode, path: string, section: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (path !== '') out.title = path;
  if (node.description !== undefined) {
    out.description = describe(node).replaceAll('`', '');
    out.markdownDescription = describe(node);
  }
  const branches = node.anyOf;
  if (branches !== undefined) {
    if (branches.every((b) => b.const !== undefined)) out.enum = branches.map((b) => b.const);
    else out.anyOf = branches.map((b) => convert(b, '', false));
  } else if (node.const !== undefined) {
    out.const = node.const;
  } else if (isObjectSchema(node)) {
    out.type = 'object';
    out.properties = Object.fromEntries(
      Object.entries(node.properties!).map(([key, child]) => [key, section ? convert(child, path ? `${path}.${key}` : key, child.description === undefined) : convert(child, '', false)]),
    );
    if (!section && Array.isArray(node.required) && node.required.length > 0) out.required = [...node.required];
  } else {
    out.type = node.type;
    if (node.items !== undefined) out.items = convert(node.items, '', false);
  }
  if (node.additionalProperties === false) out.additionalProperties = false;
  if (node.default !== undefined) out.default = node.default;
  return out;
}

/** The option's one-line description, then its variable and, when `default` cannot say it, its default. */
function describe(node: SchemaNode): string {
  const parts = [node.description!];
  if (node.env !== undefined) parts.push(`Variable: \`${node.env}\`${node.envText ? ` ${node.envText}` : ''}${node.envFile ? ` or \`${node.env}_FILE\`` : ''}.`);
  if (node.defaultText === '(required)') parts.push('Required, here or through the variable.');
  else if (node.defaultText !== undefined && node.defaultText !== 'none') parts.push(`Default: ${node.defaultText}.`);
  return parts.join(' ');
}
