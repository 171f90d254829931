#!/usr/bin/env node
// `ssohub-hub`: starts the built hub (dist/cluster.js), one worker per core unless SSOHUB_WORKERS
// says otherwise, configured by SSOHUB_* variables only (docs/configuration.md).
// Plain JavaScript without modern syntax up to the version check, so that an older system Node
// (many hosts still have 18 or 20) says what to install instead of failing on a syntax error.
import { existsSync, readFileSync } from 'node:fs';

const REQUIRED = [22, 18];
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < REQUIRED[0] || (major === REQUIRED[0] && minor < REQUIRED[1])) {
  process.stderr.write(
    `ssohub-hub: needs Node.js ${REQUIRED.join('.')} or later (Node 24 LTS recommended); this is ${process.version} at ${process.execPath}.\n` +
      'Install Node 24 (your distribution, nodesource, or `npm install node@24` and run node_modules/node/bin/node), or use the container image (deploy/hub/Dockerfile).\n',
  );
  process.exit(1);
}

const arg = process.argv[2];
if (arg === '--version' || arg === '-v') {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`${version}\n`);
  process.exit(0);
}
if (arg !== undefined) {
  process.stdout.write(`Usage: ssohub-hub

Starts the SSO Hub: the public listener (SSOHUB_LISTEN_HOST:SSOHUB_LISTEN_PORT, default 0.0.0.0:8080)
and the admin listener (SSOHUB_ADMIN_HOST:SSOHUB_ADMIN_PORT, default 127.0.0.1:8081), in
SSOHUB_WORKERS worker processes (default: one per core). It takes no arguments: every setting is
an SSOHUB_* environment variable or the JSON file named by SSOHUB_CONFIG; secrets can come from
files (SSOHUB_ADMIN_TOKEN_FILE, SSOHUB_COOKIE_KEYS_FILE, SSOHUB_SIGNING_KEYS_FILE,
SSOHUB_REDIS_URL_FILE). Reference: docs/configuration.md; deployment: docs/deploy.md.
`);
  process.exit(arg === '--help' || arg === '-h' ? 0 : 2);
}

const entry = new URL('../dist/cluster.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('ssohub-hub: the hub is not built (dist/cluster.js is missing). In the repository run `npm run build`, or `npm start`, which builds first.\n');
  process.exit(1);
}
const { runCluster } = await import(entry.href);
runCluster();
