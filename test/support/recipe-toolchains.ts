import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * What the recipes of docs/integrations need besides Node, for their tests
 * (test/integration/recipe-*.test.ts) and the four-stack e2e: each builds or checks its toolchain
 * and throws, naming what to install, when it is missing (a recipe test fails; it never skips).
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

/** The system interpreter: Debian's Authlib, Flask and requests are not visible to pyenv's. */
export const PYTHON = '/usr/bin/python3';
export const OAUTH2_PROXY_MODULE = 'github.com/oauth2-proxy/oauth2-proxy/v7@v7.15.6';

async function buildGoTool(args: string[], what: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  try {
    const { stdout } = await run('bash', ['test/deploy/tools/build-go-tool.sh', ...args], { cwd: root, env, timeout: 1_200_000 });
    return stdout.trim();
  } catch (err) {
    throw new Error(`building ${what} failed: it needs a Go toolchain >= 1.26 on PATH (or in /usr/local/go/bin) and the Go module proxy.\n${(err as { stderr?: string }).stderr ?? String(err)}`);
  }
}

/** The Go recipe's binary, built once and cached by the hash of its sources (as the deploy tools are). */
export const buildRecipeGo = (): Promise<string> =>
  buildGoTool(['local', 'docs/integrations/go', 'ssohub-recipe-go'], 'the Go recipe', { ...process.env, GOFLAGS: '-mod=mod' });

/** oauth2-proxy, built once from its Go module and cached by version (.ci/run builds it too). */
export const buildOauth2Proxy = (): Promise<string> => buildGoTool(['install', OAUTH2_PROXY_MODULE, 'oauth2-proxy'], `oauth2-proxy (${OAUTH2_PROXY_MODULE})`);

export async function checkRecipePython(): Promise<void> {
  try {
    await run(PYTHON, ['-c', 'import authlib.integrations.flask_client, flask, requests'], { timeout: 30_000 });
  } catch (err) {
    throw new Error(
      `the Python recipe needs ${PYTHON} with Authlib, Flask and requests: apt-get install -y python3-authlib python3-flask python3-requests\n${(err as { stderr?: string }).stderr ?? String(err)}`,
    );
  }
}

/** The app behind oauth2-proxy: it shows who oauth2-proxy says the user is, from the headers it adds. */
export function startOauth2ProxyUpstream(port: number): Promise<Server> {
  const server = createServer((req, res) => {
    const email = req.headers['x-forwarded-email'];
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(typeof email === 'string' ? `<p data-testid="user">${email}</p>` : '<p data-testid="anonymous"></p>');
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}
