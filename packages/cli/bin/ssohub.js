#!/usr/bin/env node
// Launcher for `ssohub`: the built CLI when dist/ exists, else the TypeScript source (Node 24
// strips types). Exits with the documented code (docs/cli.md).
import { existsSync } from 'node:fs';

const dist = new URL('../dist/main.js', import.meta.url);
const entry = existsSync(dist) ? dist : new URL('../src/main.ts', import.meta.url);
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
