import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { recipeSuite } from '../support/recipe-suite.ts';

// docs/integrations/go.md: the Go app on go-oidc + x/oauth2, built once and cached by the hash of
// its sources (as the deploy tools are), run against a real hub.
const root = fileURLToPath(new URL('../..', import.meta.url));

recipeSuite('recipe: Go with go-oidc and x/oauth2 (real hub, Kratos, Redis)', async () => {
  let binary: string;
  try {
    const { stdout } = await promisify(execFile)('bash', ['test/deploy/tools/build-go-tool.sh', 'local', 'docs/integrations/go', 'ssohub-recipe-go'], {
      cwd: root,
      env: { ...process.env, GOFLAGS: '-mod=mod' },
      timeout: 600_000,
    });
    binary = stdout.trim();
  } catch (err) {
    throw new Error(`building the Go recipe failed: it needs a Go toolchain >= 1.26 on PATH (or in /usr/local/go/bin) and the Go module proxy.\n${(err as { stderr?: string }).stderr ?? String(err)}`);
  }
  // Node's TLS check refuses the certificate's `*.test` wildcard, so the app lives under sso.test.
  return { clientId: 'recipe-go', host: 'app-go.sso.test', command: () => ({ file: binary, args: [], cwd: root }) };
});
