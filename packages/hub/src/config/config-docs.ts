import { PROCESS_VARIABLES, type SchemaOption, schemaOptions } from './config-schema.ts';

/**
 * Writes the option tables of docs/configuration.md from the schema (config-schema.ts): every
 * block between `<!-- options: SECTION … -->` and `<!-- end of options -->` is replaced by the
 * table of that section. `npm run docs:config` runs it; a test holds the committed file to it.
 */
export function renderConfigDocs(markdown: string): string {
  const seen = new Set<string>();
  const out = markdown.replace(/^(<!-- options: ([a-z]+) [^\n]*-->\n)[\s\S]*?^(<!-- end of options -->)$/gm, (_, open: string, section: string, close: string) => {
    if (!(section in SECTIONS)) throw new Error(`docs/configuration.md: no options section "${section}"`);
    seen.add(section);
    return `${open}${renderTable(section as Section)}${close}`;
  });
  const missing = Object.keys(SECTIONS).filter((s) => !seen.has(s));
  if (missing.length > 0) throw new Error(`docs/configuration.md: no block for the options of ${missing.join(', ')}`);
  return out;
}

const SECTIONS = {
  top: (path: string) => !/^(bridge|guard|branding|shutdown)\./.test(path),
  shutdown: (path: string) => path.startsWith('shutdown.'),
  bridge: (path: string) => path.startsWith('bridge.'),
  guard: (path: string) => path.startsWith('guard.'),
  branding: (path: string) => path.startsWith('branding.'),
};
type Section = keyof typeof SECTIONS;

function renderTable(section: Section): string {
  const options = schemaOptions().filter((o) => SECTIONS[section](o.path));
  const withVariables = options.some((o) => o.schema.env !== undefined);
  const rows: string[][] = options.map((o) => [`\`${o.path}\``, ...(withVariables ? [variableCell(o)] : []), defaultCell(o), o.schema.description!]);
  if (section === 'top') for (const v of PROCESS_VARIABLES) rows.push(['(process)', `\`${v.env}\``, v.defaultText, v.description]);
  const header = withVariables ? ['option', 'variable', 'default', 'meaning'] : ['option', 'default', 'meaning'];
  const line = (cells: string[]) => `| ${cells.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |\n`;
  return `${line(header)}|${header.map(() => '---').join('|')}|\n${rows.map(line).join('')}`;
}

function variableCell({ schema }: SchemaOption): string {
  if (schema.env === undefined) return '–';
  return [`\`${schema.env}\``, schema.envText, schema.envFile ? `or \`${schema.env}_FILE\`` : undefined].filter(Boolean).join(' ');
}

function defaultCell({ schema }: SchemaOption): string {
  if (schema.defaultText !== undefined) return schema.defaultText;
  if (schema.default === undefined) return 'none';
  return `\`${formatValue(schema.default)}\``;
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.map(formatValue).join(', ')}]`;
  return JSON.stringify(value);
}
