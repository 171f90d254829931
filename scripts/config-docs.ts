/**
 * Writes what is generated from the hub's configuration schema
 * (packages/hub/src/config/config-schema.ts): the option tables of docs/configuration.md and the
 * editors' JSON Schema docs/ssohub-config.schema.json. `npm run docs:config`. With `--check`,
 * only says whether the committed files are what it would write (exit status 1 if not); unit tests
 * check the same (packages/hub/src/config/config-schema.test.ts, config-json-schema.test.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { configJsonSchema } from '../packages/hub/src/config/config-json-schema.ts';
import { renderConfigDocs } from '../packages/hub/src/config/config-docs.ts';

const check = process.argv.includes('--check');
const files = [
  { path: 'docs/configuration.md', render: (before: string) => renderConfigDocs(before), what: 'option tables rewritten' },
  { path: 'docs/ssohub-config.schema.json', render: () => `${JSON.stringify(configJsonSchema(), null, 2)}\n`, what: 'JSON Schema rewritten' },
];
let stale = 0;
for (const { path, render, what } of files) {
  const file = new URL(`../${path}`, import.meta.url);
  let before = '';
  try {
    before = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const after = render(before);
  if (after === before) continue;
  if (check) {
    process.stderr.write(`${path} does not match the configuration schema: run \`npm run docs:config\`\n`);
    stale++;
  } else {
    writeFileSync(file, after);
    process.stdout.write(`${path}: ${what} from the schema\n`);
  }
}
if (stale > 0) process.exit(1);
