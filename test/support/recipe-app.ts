import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import { inject } from 'vitest';
import { freePort, startTestHostProxy, type TestHostProxy, waitFor } from '@ssohub/testkit';
import { adminTokenForTests, type HubStack, startHubStack } from './hub-stack.ts';

/**
 * Runs a recipe of docs/integrations (an app in another language) against a real hub: the hub
 * with Kratos and Redis, the app's client onboarded through the admin API as an operator would,
 * and the app as a child process on its own https host name. Go and Python cannot be taught the
 * test host names, so they reach the hub through the test-host CONNECT proxy (HTTPS_PROXY, TLS end
 * to end) and trust the test CA from a file, as a private CA is trusted in production.
 */
export interface RecipeRun {
  stack: HubStack;
  issuer: string;
  clientId: string;
  /** https://<host>:<port> */
  appUrl: string;
  /** The client as the admin API stored it (id_token_signed_response_alg included). */
  client: Record<string, unknown>;
  /** Everything the app wrote on stdout and stderr, line by line. */
  output: string[];
  /** Mints a logout token for the recipe's client, as the hub signs them (admin API). */
  mintLogoutToken(claims: { sid?: string; sub?: string }, clientId?: string): Promise<string>;
  stop(): Promise<void>;
}

export interface RecipeOptions {
  clientId: string;
  /**
   * The app's host name. It must be one the test certificate names for Node's TLS check, which
   * refuses a wildcard over a whole top-level domain (`*.test`): `*.sso.test` names qualify.
   */
  host: string;
  /**
   * Starts the app: the command and its arguments, given the environment the recipe documents;
   * `env` adds variables of the app's own (oauth2-proxy's `OAUTH2_PROXY_*`), kept off the command line.
   */
  command: (env: Record<string, string>) => { file: string; args: string[]; cwd: string; env?: Record<string, string> };
  /** The registered redirect URI's path (default `/auth/callback`; oauth2-proxy's is `/oauth2/callback`). */
  redirectPath?: string;
  /**
   * The back-channel logout endpoint's path (default `/auth/backchannel-logout`); `null` onboards
   * the client without one, as for oauth2-proxy, which has none.
   */
  backchannelLogoutPath?: string | null;
  /** The path that answers 200 once the app is up (default `/`; oauth2-proxy's `/ping`). */
  readyPath?: string;
  /**
   * A hub several recipes share (startRecipeHub), for one sign-in across apps; `stop` then leaves
   * it running for its owner to stop. Without it the recipe starts, and stops, a hub of its own.
   */
  stack?: HubStack;
}

async function signingKey(alg: 'RS256' | 'ES256', kid: string) {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  return { ...(await exportJWK(privateKey)), alg, kid, use: 'sig' };
}

/** A hub as recipes expect it: both key types, as a production hub holds them, so onboarded clients get ES256 (decision 0008). */
export async function startRecipeHub(): Promise<HubStack> {
  return await startHubStack({ config: { bridge: { signingKeys: [await signingKey('RS256', 'recipe-rs256'), await signingKey('ES256', 'recipe-es256')] } } });
}

export async function startRecipe(options: RecipeOptions): Promise<RecipeRun> {
  const dir = mkdtempSync(join(tmpdir(), `ssohub-recipe-${options.clientId}-`));
  const caFile = join(dir, 'ca.pem');
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  writeFileSync(caFile, inject('caPem'));
  writeFileSync(certFile, inject('certPem'));
  writeFileSync(keyFile, inject('keyPem'), { mode: 0o600 });

  let stack: HubStack | undefined;
  let proxy: TestHostProxy | undefined;
  let child: ChildProcess | undefined;
  const output: string[] = [];
  const stop = async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await proxy?.stop();
    if (!options.stack) await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    stack = options.stack ?? (await startRecipeHub());
    const issuer = `${stack.hubUrl}/oidc`;
    const port = await freePort();
    const backchannelLogoutPath = options.backchannelLogoutPath === undefined ? '/auth/backchannel-logout' : options.backchannelLogoutPath;
    const appUrl = `https://${options.host}:${port}`;
    const admin = (path: string, body: unknown) =>
      fetch(`${stack!.adminUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${adminTokenForTests}` },
        body: JSON.stringify(body),
      });
    // What `ssohub clients create` sends: no id_token_signed_response_alg, so the hub's default applies.
    const created = await admin('/admin/clients', {
      client_id: options.clientId,
      client_name: `Recipe ${options.clientId}`,
      redirect_uris: [`${appUrl}${options.redirectPath ?? '/auth/callback'}`],
      post_logout_redirect_uris: [`${appUrl}/`],
      ...(backchannelLogoutPath === null ? {} : { backchannel_logout_uri: `${appUrl}${backchannelLogoutPath}`, backchannel_logout_session_required: true }),
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'openid email profile offline_access',
      ssohub_first_party: true,
    });
    if (created.status !== 201) throw new Error(`onboarding ${options.clientId} failed: ${created.status} ${await created.text()}`);
    const { client, client_secret } = (await created.json()) as { client: Record<string, unknown>; client_secret: string };

    proxy = await startTestHostProxy();
    const env: Record<string, string> = {
      SSOHUB_ISSUER: issuer,
      APP_URL: appUrl,
      CLIENT_ID: options.clientId,
      CLIENT_SECRET: client_secret,
      ID_TOKEN_ALG: String(client.id_token_signed_response_alg),
      LISTEN: `127.0.0.1:${port}`,
      TLS_CERT_FILE: certFile,
      TLS_KEY_FILE: keyFile,
      FLASK_SECRET_KEY: 'recipe-flask-secret-0123456789abcdefghij',
      SSL_CERT_FILE: caFile,
      REQUESTS_CA_BUNDLE: caFile,
      HTTPS_PROXY: proxy.url,
      https_proxy: proxy.url,
      NO_PROXY: '',
      no_proxy: '',
    };
    const { file, args, cwd, env: ownEnv = {} } = options.command(env);
    const { PATH = '', HOME = '', LANG = 'C.UTF-8' } = process.env;
    child = spawn(file, args, { cwd, env: { PATH, HOME, LANG, ...env, ...ownEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [child.stdout!, child.stderr!]) {
      let rest = '';
      stream.on('data', (chunk: Buffer) => {
        const lines = (rest + chunk.toString()).split('\n');
        rest = lines.pop() ?? '';
        output.push(...lines);
      });
    }
    await waitFor(
      `${options.clientId} listening on ${appUrl}`,
      async () => {
        if (child!.exitCode !== null) throw new Error(`${file} exited with ${child!.exitCode}:\n${output.join('\n')}`);
        const res = await fetch(`${appUrl}${options.readyPath ?? '/'}`).catch(() => undefined);
        return res?.status === 200 ? true : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    return {
      stack,
      issuer,
      clientId: options.clientId,
      appUrl,
      client,
      output,
      async mintLogoutToken(claims, clientId = options.clientId) {
        const res = await admin(`/admin/clients/${clientId}/logout-token`, claims);
        if (res.status !== 200) throw new Error(`minting a logout token failed: ${res.status} ${await res.text()}`);
        return ((await res.json()) as { logout_token: string }).logout_token;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
