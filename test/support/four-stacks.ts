import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { freePort } from '@ssohub/testkit';
import type { HubStack } from './hub-stack.ts';
import { nodeWebRecipe } from './node-web-recipe.ts';
import { type RecipeRun, startRecipe, startRecipeHub } from './recipe-app.ts';
import { buildOauth2Proxy, buildRecipeGo, checkRecipePython, PYTHON, startOauth2ProxyUpstream } from './recipe-toolchains.ts';

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

/**
 * Starts one hub and the four apps on it. `cookieRefreshSeconds` is oauth2-proxy's
 * --cookie-refresh: short, so a global logout reaches it (by refresh failure) within seconds.
 */
export async function startFourStacks({ cookieRefreshSeconds }: { cookieRefreshSeconds: number }): Promise<FourStacks> {
  // Toolchains first (cached builds), before anything is started that would need stopping.
  const [goBinary, oauth2ProxyBinary] = await Promise.all([
    buildRecipeGo(),
    buildOauth2Proxy(),
    checkRecipePython(),
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
    upstream = await startOauth2ProxyUpstream(upstreamPort);
    // One at a time: each onboards through the admin API and waits for its app to answer.
    // Node's TLS check refuses the certificate's `*.test` wildcard, so every app lives under sso.test.
    const hono = await startRecipe({ ...nodeWebRecipe('four-hono', { host: 'app-hono.sso.test', entry: 'docs/integrations/hono/server.ts' }), stack });
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
