/**
 * `npm run pack [-- --out <dir>]`: builds the three packages that install outside this repository
 * (`@ssohub/hub`, `@ssohub/cli`, `@ssohub/client`) and writes their npm tarballs to <dir>
 * (default .cache/packages). Each package's `prepack` builds it again, so a bare
 * `npm pack -w @ssohub/client` makes the same tarball; this script only builds the packages a
 * package's types depend on first (the CLI compiles against the hub's) and prints the paths.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';

export const PUBLISHED = ['@ssohub/hub', '@ssohub/cli', '@ssohub/client'];

const outFlag = process.argv.indexOf('--out');
const out = resolve(outFlag > 0 ? process.argv[outFlag + 1]! : '.cache/packages');
mkdirSync(out, { recursive: true });

const run = (cmd: string, args: string[]) => {
  const result = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } });
  if (result.status !== 0) {
    console.error(`pack: ${cmd} ${args.join(' ')} failed`);
    process.exit(1);
  }
};
run('turbo', ['run', 'build', ...PUBLISHED.map((p) => `--filter=${p}`), '--output-logs=errors-only']);
run('npm', ['pack', '--silent', ...PUBLISHED.flatMap((p) => ['-w', p]), '--pack-destination', out]);
for (const file of readdirSync(out).filter((f) => f.endsWith('.tgz')).sort()) console.log(resolve(out, file));
