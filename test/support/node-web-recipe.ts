import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { RecipeOptions } from './recipe-app.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * A recipe app on @ssohub/client's web-standard adapter (docs/integrations/hono, nextjs), run
 * from the repository's sources with the Node that runs the tests, sessions in Redis under a
 * prefix of its own run, trusting the test CA and reaching the hub through the test-host proxy
 * as the recipes' docs tell a Node app to. `host` lives under sso.test: Node's TLS check refuses
 * the test certificate's `*.test` wildcard.
 */
export function nodeWebRecipe(clientId: string, { host, entry }: { host: string; entry: string }): RecipeOptions {
  return {
    clientId,
    host,
    command: (env) => ({
      file: process.execPath,
      args: ['--import', './scripts/from-source.ts', entry],
      cwd: root,
      env: {
        COOKIE_SECRET: randomBytes(32).toString('base64url'),
        REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
        // A prefix of this run's own, so runs never share sessions (Redis is shared).
        REDIS_KEY_PREFIX: `ssohub:test:${clientId}:${randomBytes(6).toString('hex')}:`,
        NODE_EXTRA_CA_CERTS: env.SSL_CERT_FILE!,
        NODE_USE_ENV_PROXY: '1',
      },
    }),
  };
}
