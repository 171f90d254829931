#!/usr/bin/env node
// Launcher for `ssohub`: the built CLI (dist/), or in this repository without a build, the
// TypeScript sources (run through `npm run ssohub`, which adds the source resolver). Exits with
// the documented code (docs/cli.md). No modern syntax before the version check, so an old system
// Node says what to install instead of failing on a syntax error.
import { existsSync } from 'node:fs';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(`ssohub: needs Node.js 22.18 or later (Node 24 LTS recommended); this is ${process.version} at ${process.execPath}.\n`);
  process.exit(1);
}
// `ssohub clients list | head` closes the pipe early: that is not an error worth a stack trace.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

const dist = new URL('../dist/main.js', import.meta.url);
const entry = existsSync(dist) ? dist : new URL('../src/main.ts', import.meta.url);
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
