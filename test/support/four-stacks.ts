import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from '@ssohub/testkit';
import type { HubStack } from './hub-stack.ts';
import { type RecipeRun, startRecipe, startRecipeHub } from './recipe-app.ts';

/**
 * The four stacks of docs/integrations on one hub, each on its own host name: Hono on the
 * web-standard adapter, Go (go-oidc), Python (Authlib) and a node:http app behind oauth2-proxy.
 * Built and started as test/integration/recipe-*.test.ts do; each throws (never skips) when its
 * toolchain is missing.
 */
export interface FourStacks {
  stack: HubStack;
  hono: RecipeRun;
  go: RecipeRun;
  python: RecipeRun;
  oauth2Proxy: RecipeRun;
  stop(): Promise<void>;
}

const root = fileURLToPath(new URL('../..', import.meta.url));
const PYTHON = '/usr/bin/python3';
const OAUTH2_PROXY_MODULE = 'github.com/oauth2-proxy/oauth2-proxy/v7@v7.15.6';
const run = promisify(execFile);

async function buildGoTool(args: string[], what: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  try {
    const { stdout } = await run('bash', ['test/deploy/tools/build-go-tool.sh', ...args], { cwd: root, env, timeout: 1_200_000 });
    return stdout.trim();
  } catch (err) {
    throw new Error(`building ${what} failed: it needs a Go toolchain >= 1.26 on PATH (or in /usr/local/go/bin) and the Go module proxy.\n${(err as { stderr?: string }).stderr ?? String(err)}`);
  }
}

async function checkPython(): Promise<void> {
  try {
    await run(PYTHON, ['-c', 'import authlib.integrations.flask_client, flask, requests'], { timeout: 30_000 });
  } catch (err) {
    throw new Error(
      `the Python recipe needs ${PYTHON} with Authlib, Flask and requests: apt-get install -y python3-authlib python3-flask python3-requests\n${(err as { stderr?: string }).stderr ?? String(err)}`,
    );
  }
}

/** The app behind oauth2-proxy: it shows who oauth2-proxy says the user is, from the headers it adds. */
function startUpstream(port: number): Promise<Server> {
  const server = createServer((req, res) => {
    const email = req.headers['x-forwarded-email'];
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(typeof email === 'string' ? `<p data-testid="user">${email}</p>` : '<p data-testid="anonymous"></p>');
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

/**
 * Starts one hub and the four apps on it. `cookieRefreshSeconds` is oauth2-proxy's
 * --cookie-refresh: short, so a global logout reaches it (by refresh failure) within seconds.
 */
export async function startFourStacks({ cookieRefreshSeconds }: { cookieRefreshSeconds: number }): Promise<FourStacks> {
  // Toolchains first (cached builds), before anything is started that would need stopping.
  const [goBinary, oauth2ProxyBinary] = await Promise.all([
    buildGoTool(['local', 'docs/integrations/go', 'ssohub-recipe-go'], 'the Go recipe', { ...process.env, GOFLAGS: '-mod=mod' }),
    buildGoTool(['install', OAUTH2_PROXY_MODULE, 'oauth2-proxy'], `oauth2-proxy (${OAUTH2_PROXY_MODULE})`),
    checkPython(),
  ]);
  const stack = await startRecipeHub();
  const runs: RecipeRun[] = [];
  let upstream: Server | undefined;
  const stop = async () => {
    // Apps first (their stop leaves the shared hub running), then the hub they used.
    await Promise.all(runs.map((r) => r.stop()));
    await new Promise((r) => (upstream ? upstream.close(r) : r(undefined)));
    await stack.stop();
  };
  try {
    const upstreamPort = await freePort();
    upstream = await startUpstream(upstreamPort);
    // One at a time: each onboards through the admin API and waits for its app to answer.
    // Node's TLS check refuses the certificate's `*.test` wildcard, so every app lives under sso.test.
    const hono = await startRecipe({
      stack,
      clientId: 'four-hono',
      host: 'app-hono.sso.test',
      command: (env) => ({
        file: process.execPath,
        args: ['--import', './scripts/from-source.ts', 'docs/integrations/hono/server.ts'],
        cwd: root,
        env: {
          COOKIE_SECRET: randomBytes(32).toString('base64url'),
          REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
          // A prefix of this run's own, so runs never share sessions (Redis is shared).
          REDIS_KEY_PREFIX: `ssohub:test:four-hono:${randomBytes(6).toString('hex')}:`,
          NODE_EXTRA_CA_CERTS: env.SSL_CERT_FILE!,
          NODE_USE_ENV_PROXY: '1',
        },
      }),
    });
    runs.push(hono);
    const go = await startRecipe({ stack, clientId: 'four-go', host: 'app-go.sso.test', command: () => ({ file: goBinary, args: [], cwd: root }) });
    runs.push(go);
    const python = await startRecipe({ stack, clientId: 'four-py', host: 'app-py.sso.test', command: () => ({ file: PYTHON, args: ['docs/integrations/python/app.py'], cwd: root }) });
    runs.push(python);
    const oauth2Proxy = await startRecipe({
      stack,
      clientId: 'four-o2p',
      host: 'app-o2p.sso.test',
      redirectPath: '/oauth2/callback',
      // oauth2-proxy has no back-channel logout endpoint: a global logout reaches it by refresh failure.
      backchannelLogoutPath: null,
      readyPath: '/ping',
      command: (env) => ({
        file: oauth2ProxyBinary,
        cwd: root,
        args: [
          '--provider=oidc',
          `--oidc-issuer-url=${env.SSOHUB_ISSUER}`,
          '--code-challenge-method=S256',
          '--scope=openid email profile offline_access',
          '--skip-provider-button',
          '--email-domain=*',
          `--redirect-url=${env.APP_URL}/oauth2/callback`,
          `--upstream=http://127.0.0.1:${upstreamPort}/`,
          `--https-address=${env.LISTEN}`,
          '--http-address=',
          `--tls-cert-file=${env.TLS_CERT_FILE}`,
          `--tls-key-file=${env.TLS_KEY_FILE}`,
          `--cookie-refresh=${cookieRefreshSeconds}s`,
          '--cookie-expire=1h',
          '--set-xauthrequest',
          `--whitelist-domain=${new URL(env.SSOHUB_ISSUER!).host}`,
        ],
        // Secrets by environment, off the command line (ps would show them).
        env: {
          OAUTH2_PROXY_CLIENT_ID: env.CLIENT_ID!,
          OAUTH2_PROXY_CLIENT_SECRET: env.CLIENT_SECRET!,
          OAUTH2_PROXY_COOKIE_SECRET: randomBytes(32).toString('base64url').slice(0, 32),
        },
      }),
    });
    runs.push(oauth2Proxy);
    return { stack, hono, go, python, oauth2Proxy, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
