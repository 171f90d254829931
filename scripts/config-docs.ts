/**
 * Writes the option tables of docs/configuration.md from the hub's configuration schema
 * (packages/hub/src/config/config-schema.ts): `npm run docs:config`. With `--check`, only says
 * whether the committed file is what it would write (exit status 1 if not); a unit test checks
 * the same (packages/hub/src/config/config-docs.test.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { renderConfigDocs } from '../packages/hub/src/config/config-docs.ts';

const file = new URL('../docs/configuration.md', import.meta.url);
const before = readFileSync(file, 'utf8');
const after = renderConfigDocs(before);
if (process.argv.includes('--check')) {
  if (after !== before) {
    process.stderr.write('docs/configuration.md does not match the configuration schema: run `npm run docs:config`\n');
    process.exit(1);
  }
} else if (after !== before) {
  writeFileSync(file, after);
  process.stdout.write('docs/configuration.md: option tables rewritten from the schema\n');
}
