import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  createTestDatabase,
  ensureKratosBinary,
  freePort,
  KRATOS_DIR,
  REPO_ROOT,
  type SmtpCapture,
  startSmtpCapture,
  type TestBrowser,
  type TestDatabase,
  TEST_HOSTS,
  waitFor,
} from '@ssohub/testkit';
import { openBrowser, screenshot } from '../support/browser.ts';
import { button, node } from '../support/flow-page.ts';
import { documentedInvocations, invocationShape } from './support/documented-commands.ts';
import { type NativeProcess, runToEnd, startProcess, waitForHttp } from './support/native-process.ts';

// Issue 17's "done when": a platform team's path through docs/deploy.md, run natively because no
// container runtime works here. The pieces are the ones the images hold: the hub and the CLI
// installed from their npm tarballs outside the repository (as deploy/hub/Dockerfile installs
// them), Kratos from deploy/kratos, Debian's Caddy with deploy/compose/Caddyfile in front, and
// two hubs in production mode with the environment compose.yaml gives them (container paths and
// service names mapped to this host). A client team's app on another domain installed
// @ssohub/client from its tarball in a directory outside the repository; a user signs up and in
// from Chromium.

const exec = promisify(execFile);
const NODE = process.execPath;
const NODE_BIN_DIR = dirname(NODE);
const PRELOAD = join(REPO_ROOT, 'packages/testkit/src/map-test-hosts-preload.ts');
const COMPOSE_DIR = join(REPO_ROOT, 'deploy/compose');

interface Cli {
  run(args: string[], env?: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }>;
}

/** Compose's `${VAR}`, `${VAR:?message}` and `${VAR:-default}` against the given variables. */
function interpolate(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\{([A-Z0-9_]+)(?::([?-])([^}]*))?\}/g, (_, name: string, op: string | undefined, arg: string | undefined) => {
    if (vars[name] !== undefined && vars[name] !== '') return vars[name]!;
    if (op === '-') return arg ?? '';
    throw new Error(`compose.yaml needs ${name}: ${arg ?? 'not set'}`);
  });
}

describe('the production path, natively: CLI-made secrets, migrated Kratos on PostgreSQL, two production hubs behind Caddy, an app from the tarball', () => {
  let work: string;
  let cli: Cli;
  let smtp: SmtpCapture;
  let database: TestDatabase;
  let browser: TestBrowser | undefined;
  let context: BrowserContext;
  let page: Page;
  const processes: NativeProcess[] = [];
  const ran: string[][] = [];
  const ports = {} as Record<'kratosPublic' | 'kratosAdmin' | 'hub1' | 'hub1Admin' | 'hub2' | 'hub2Admin' | 'https' | 'http' | 'redis' | 'app', number>;
  let hubUrl: string;
  let appUrl: string;
  const email = `deploy.${Date.now()}@example.test`;

  const hubEnvFromCompose = async (vars: Record<string, string>, secrets: string): Promise<Record<string, string>> => {
    const compose = parseYaml(await readFile(join(COMPOSE_DIR, 'compose.yaml'), 'utf8'), { merge: true }) as {
      'x-hub-environment': Record<string, string>;
      services: Record<string, { environment?: Record<string, string> }>;
    };
    const env = compose['x-hub-environment'];
    expect(compose.services['hub-1']!.environment).toEqual(env);
    expect(compose.services['hub-2']!.environment).toEqual(env);
    const hosts: Record<string, string> = {
      'http://kratos:4433': `http://127.0.0.1:${ports.kratosPublic}`,
      'http://kratos:4434': `http://127.0.0.1:${ports.kratosAdmin}`,
    };
    return Object.fromEntries(
      Object.entries(env).map(([k, raw]) => {
        let v = interpolate(String(raw), vars);
        v = hosts[v] ?? v;
        v = v.replace(/^\/run\/secrets\//, `${secrets}/`);
        // Containers listen on every interface of their own network; on a shared host, loopback.
        if (v === '0.0.0.0') v = '127.0.0.1';
        return [k, v];
      }),
    );
  };

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'ssohub-deploy-'));
    for (const key of Object.keys({ kratosPublic: 0, kratosAdmin: 0, hub1: 0, hub1Admin: 0, hub2: 0, hub2Admin: 0, https: 0, http: 0, redis: 0, app: 0 }) as (keyof typeof ports)[]) {
      ports[key] = await freePort();
    }
    hubUrl = `https://${TEST_HOSTS.hub}:${ports.https}`;
    appUrl = `https://${TEST_HOSTS.appA}:${ports.app}`;

    // docs/deploy.md "Get the artifacts": the npm tarballs, installed outside the repository the
    // way deploy/hub/Dockerfile installs them into /app, and the way a client team installs the SDK.
    const packs = join(work, 'packages');
    // npm keeps this machine's environment: its registry, proxy and CA settings live there.
    const npmEnv = { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } as Record<string, string>;
    await runToEnd('npm run pack', 'npm', ['run', '-s', 'pack', '--', '--out', packs], npmEnv, REPO_ROOT);
    const tarball = (name: string) => join(packs, `ssohub-${name}-0.1.0.tgz`);
    const hubRoot = join(work, 'opt-ssohub');
    const appRoot = join(work, 'external-app');
    await mkdir(hubRoot);
    await mkdir(appRoot);
    await writeFile(join(hubRoot, 'package.json'), JSON.stringify({ private: true }));
    await writeFile(
      join(appRoot, 'package.json'),
      JSON.stringify({ name: 'external-app', private: true, type: 'module' }),
    );
    for (const f of ['server.mjs', 'types-check.ts', 'tsconfig.json']) await copyFile(join(REPO_ROOT, 'test/deploy/fixtures/external-app', f), join(appRoot, f));
    const npmInstall = (cwd: string, args: string[]) => runToEnd(`npm install in ${cwd}`, 'npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...args], npmEnv, cwd, 300_000);
    await Promise.all([
      npmInstall(hubRoot, ['--omit=dev', tarball('hub'), tarball('cli')]),
      npmInstall(appRoot, [tarball('client'), 'fastify@5.12.8', '@fastify/formbody@9.0.1', 'ioredis@5.11.1', '@types/node@24.19.2', 'typescript@6.0.3']),
    ]);
    const ssohubBin = join(hubRoot, 'node_modules/@ssohub/cli/bin/ssohub.js');
    cli = {
      async run(args, env = {}) {
        ran.push(args);
        try {
          const { stdout, stderr } = await exec(NODE, [ssohubBin, ...args], { cwd: work, env: { PATH: `${NODE_BIN_DIR}:${process.env.PATH}`, HOME: work, ...env } });
          return { code: 0, stdout, stderr };
        } catch (err) {
          const e = err as { code?: number; stdout?: string; stderr?: string };
          return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
        }
      },
    };

    // docs/deploy.md "Make the secrets": keys by the CLI, the Redis password and URL, the DSN.
    const secrets = join(work, 'secrets');
    await mkdir(secrets, { mode: 0o700 });
    const generated = await cli.run(['keys', 'generate', '--out', 'secrets/jwks.json', '--cookie-keys-file', 'secrets/cookie_keys', '--admin-token-file', 'secrets/admin_token']);
    expect(generated.code, generated.stderr).toBe(0);
    const redisPassword = (await exec('openssl', ['rand', '-hex', '32'])).stdout.trim();
    await writeFile(join(secrets, 'redis_password'), `${redisPassword}\n`, { mode: 0o600 });
    await writeFile(join(secrets, 'redis_url'), `redis://:${redisPassword}@127.0.0.1:${ports.redis}/0\n`, { mode: 0o600 });

    // Redis as compose runs it: a password and AOF persistence, in a directory of the test's own.
    const redisDir = join(work, 'redis');
    await mkdir(redisDir);
    const redisConf = join(redisDir, 'redis.conf');
    await writeFile(redisConf, `port ${ports.redis}\nbind 127.0.0.1\nrequirepass ${redisPassword}\nappendonly yes\nappendfsync everysec\nmaxmemory-policy noeviction\ndir ${redisDir}\nsave ""\n`, { mode: 0o600 });
    processes.push(startProcess('redis', 'redis-server', [redisConf], {}, redisDir));

    // The hub's environment, from compose.yaml, written as the env file the CLI reads.
    const hubEnv = await hubEnvFromCompose({ SSOHUB_DOMAIN: `${TEST_HOSTS.hub}:${ports.https}`, SSOHUB_APP_ORIGINS: appUrl }, secrets);
    expect(hubEnv.SSOHUB_MODE).toBe('production');
    expect(hubEnv.SSOHUB_PUBLIC_URL).toBe(hubUrl);
    await writeFile(join(work, 'hub.env'), `${Object.entries(hubEnv).map(([k, v]) => `${k}=${v}`).join('\n')}\n`);

    // Kratos' site file from the hub's configuration, then migrations as their own step.
    smtp = await startSmtpCapture();
    database = await createTestDatabase();
    const site = await cli.run([
      'kratos', 'config',
      '--env-file', 'hub.env',
      '--dsn', `${database.dsn}&max_conns=20&max_idle_conns=20`,
      '--smtp-uri', `smtp://127.0.0.1:${smtp.port}/?disable_starttls=true`,
      '--identity-schema', join(KRATOS_DIR, 'identity.schema.json'),
      '--courier-templates', join(KRATOS_DIR, 'courier-templates'),
      '--out', 'secrets/kratos_site.yml',
    ]);
    expect(site.code, site.stderr).toBe(0);
    const kratosBin = await ensureKratosBinary();
    const kratosConfig = ['-c', join(KRATOS_DIR, 'kratos.yml'), '-c', join(secrets, 'kratos_site.yml')];
    const kratosEnv = { SQA_OPT_OUT: 'true' };
    await runToEnd('kratos migrate', kratosBin, ['migrate', 'sql', '-e', '--yes', ...kratosConfig], kratosEnv);
    const kratos = startProcess('kratos', kratosBin, ['serve', ...kratosConfig, '--sqa-opt-out'], kratosEnv);
    processes.push(kratos);
    // The courier only once Kratos is ready, as compose and the units order it: on a fresh
    // database each Kratos process creates the "network" its rows belong to if none exists yet,
    // without a lock, so two starting at once can end up in two networks and the courier then
    // never sees the messages Kratos queues (docs/runbook.md, "Kratos on a fresh database").
    await waitForHttp(kratos, `http://127.0.0.1:${ports.kratosAdmin}/admin/health/ready`);
    processes.push(startProcess('kratos-courier', kratosBin, ['courier', 'watch', ...kratosConfig], kratosEnv));

    // Two hubs, each the image's entry point (ssohub-hub) with compose's environment; only the
    // ports differ, because here they share one host.
    const hubProcessEnv = (port: number, adminPort: number) => ({
      ...hubEnv,
      SSOHUB_LISTEN_PORT: String(port),
      SSOHUB_ADMIN_PORT: String(adminPort),
      // What /etc/hosts and the system CA store give a real host.
      NODE_OPTIONS: `--import=${PRELOAD}`,
      NODE_EXTRA_CA_CERTS: join(work, 'ca.pem'),
    });
    await writeFile(join(work, 'ca.pem'), inject('caPem'));
    const hubBin = join(hubRoot, 'node_modules/.bin/ssohub-hub');
    const hub1 = startProcess('hub-1', NODE, [hubBin], hubProcessEnv(ports.hub1, ports.hub1Admin));
    const hub2 = startProcess('hub-2', NODE, [hubBin], hubProcessEnv(ports.hub2, ports.hub2Admin));
    processes.push(hub1, hub2);
    await waitForHttp(hub1, `http://127.0.0.1:${ports.hub1}/health/ready`);
    await waitForHttp(hub2, `http://127.0.0.1:${ports.hub2}/health/ready`);

    // Debian's Caddy in front, with the compose Caddyfile.
    await writeFile(join(work, 'cert.pem'), inject('certPem'));
    await writeFile(join(work, 'key.pem'), inject('keyPem'), { mode: 0o600 });
    const caddy = startProcess('caddy', 'caddy', ['run', '--config', join(COMPOSE_DIR, 'Caddyfile'), '--adapter', 'caddyfile'], {
      SSOHUB_DOMAIN: TEST_HOSTS.hub,
      CADDY_HTTPS_PORT: String(ports.https),
      CADDY_HTTP_PORT: String(ports.http),
      CADDY_ADMIN: 'off',
      CADDY_TLS: `${join(work, 'cert.pem')} ${join(work, 'key.pem')}`,
      SSOHUB_UPSTREAMS: `127.0.0.1:${ports.hub1} 127.0.0.1:${ports.hub2}`,
      XDG_DATA_HOME: join(work, 'caddy-data'),
      XDG_CONFIG_HOME: join(work, 'caddy-config'),
    });
    processes.push(caddy);
    await waitForHttp(caddy, `${hubUrl}/health/ready`);
  }, 900_000);

  afterAll(async () => {
    await browser?.close();
    for (const p of processes.reverse()) await p.stop(5_000).catch(() => undefined);
    await smtp?.stop();
    await database?.drop().catch(() => undefined);
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('made every secret with the CLI: a private JWKS (ES256 + RS256, unique kids) and key files, all mode 0600', async () => {
    const jwks = JSON.parse(await readFile(join(work, 'secrets/jwks.json'), 'utf8')) as { keys: { kid: string; alg: string; d?: string }[] };
    expect(jwks.keys.map((k) => k.alg).sort()).toEqual(['ES256', 'RS256']);
    expect(new Set(jwks.keys.map((k) => k.kid)).size).toBe(2);
    expect(jwks.keys.every((k) => typeof k.d === 'string')).toBe(true);
    for (const f of ['jwks.json', 'cookie_keys', 'admin_token', 'kratos_site.yml']) {
      expect(((await stat(join(work, 'secrets', f))).mode & 0o777).toString(8), f).toBe('600');
    }
    const site = parseYaml(await readFile(join(work, 'secrets/kratos_site.yml'), 'utf8')) as {
      serve: { public: { base_url: string } };
      selfservice: { allowed_return_urls: string[]; flows: Record<string, { ui_url?: string }> };
      secrets: { cipher: string[] };
    };
    expect(site.serve.public.base_url).toBe(`${hubUrl}/`);
    expect(site.selfservice.allowed_return_urls).toEqual([`${hubUrl}/`, `${appUrl}/`]);
    expect(site.selfservice.flows.login!.ui_url).toBe(`${hubUrl}/login`);
    expect(site.secrets.cipher[0]).toHaveLength(32);
  });

  it('serves through Caddy from two production hubs on Redis, each naming its store', async () => {
    const ready = (await (await fetch(`${hubUrl}/health/ready`)).json()) as { status: string; store?: string };
    expect(ready.status).toBe('ok');
    expect(JSON.stringify(ready)).toMatch(/redis:\/\/:\*\*\*@127\.0\.0\.1/);
    const issuer = (await (await fetch(`${hubUrl}/oidc/.well-known/openid-configuration`)).json()) as { issuer: string; token_endpoint: string };
    expect(issuer.issuer).toBe(`${hubUrl}/oidc`);
    // Built from X-Forwarded-Proto/Host of the one trusted proxy: https, the public host and port.
    expect(issuer.token_endpoint).toBe(`${hubUrl}/oidc/token`);
    for (const port of [ports.hub1, ports.hub2]) {
      const direct = await fetch(`http://127.0.0.1:${port}/health/ready`);
      expect(direct.status).toBe(200);
    }
  });

  it('onboards the app with the CLI, and the doctor finds nothing to fix', async () => {
    const token = (await readFile(join(work, 'secrets/admin_token'), 'utf8')).trim();
    const admin = { SSOHUB_ADMIN_URL: `http://127.0.0.1:${ports.hub1Admin}`, SSOHUB_ADMIN_TOKEN: token };
    const created = await cli.run(
      [
        'clients', 'create',
        '--id', 'external-app',
        '--name', 'External App',
        '--redirect-uri', `${appUrl}/auth/callback`,
        '--post-logout-uri', `${appUrl}/`,
        '--backchannel-logout-uri', `${appUrl}/auth/backchannel-logout`,
        '--first-party',
        '--json',
      ],
      admin,
    );
    expect(created.code, created.stderr).toBe(0);
    const secret = (JSON.parse(created.stdout) as { client_secret: string }).client_secret;
    expect(secret.length).toBeGreaterThanOrEqual(32);

    const doctor = await cli.run(['doctor', '--json'], { ...admin, DSN: '' });
    const report = JSON.parse(doctor.stdout) as { checks: { id: string; verdict: string; detail: string }[] };
    const failed = report.checks.filter((c) => c.verdict === 'fail');
    expect(failed, JSON.stringify(failed)).toEqual([]);
    const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]));
    expect(byId['kratos.base_url']?.verdict).toBe('ok');
    expect(byId['kratos.migrations']?.verdict).toBe('ok');
    expect(byId['kratos.database']?.detail ?? JSON.stringify(report)).toMatch(/PostgreSQL/);

    // The client team's app, outside the repository, on its installed @ssohub/client.
    const appRoot = join(work, 'external-app');
    const types = await exec(NODE, [join(appRoot, 'node_modules/typescript/bin/tsc'), '-p', join(appRoot, 'tsconfig.json')]).then(
      () => ({ code: 0, out: '' }),
      (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
    );
    expect(types.out).toBe('');
    expect(types.code).toBe(0);
    const app = startProcess('external-app', NODE, [join(appRoot, 'server.mjs')], {
      ISSUER: `${hubUrl}/oidc`,
      CLIENT_ID: 'external-app',
      CLIENT_SECRET: secret,
      BASE_URL: appUrl,
      PORT: String(ports.app),
      COOKIE_SECRET: 'external-app-cookie-secret-0123456789abcdef',
      REDIS_URL: (await readFile(join(work, 'secrets/redis_url'), 'utf8')).trim(),
      KEY_PREFIX: 'external-app:',
      TLS_CERT: join(work, 'cert.pem'),
      TLS_KEY: join(work, 'key.pem'),
      NODE_OPTIONS: `--import=${PRELOAD}`,
      NODE_EXTRA_CA_CERTS: join(work, 'ca.pem'),
    }, appRoot);
    processes.push(app);
    await waitForHttp(app, `${appUrl}/`);
  });

  it('signs a new user up and in from Chromium at the app on another domain', async () => {
    browser = await openBrowser();
    context = await browser.newContext();
    page = await context.newPage();
    await page.goto(`${appUrl}/`);
    await page.locator('[data-testid="sign-in"]').click();
    await page.waitForURL(new RegExp(`^${hubUrl}/login\\?flow=`));
    await page.locator('[data-testid="link/registration"]').click();
    await page.waitForURL(new RegExp(`^${hubUrl}/registration\\?flow=`));
    await node(page, 'default/traits.email').fill(email);
    await button(page, 'profile', 'method').click();
    await page.waitForSelector('[data-testid="node/code/method"]');
    const since = Date.now();
    await button(page, 'code', 'method').click();
    await page.waitForSelector('[data-testid="node/code/code"]');
    // Mailed by the separate courier process, as compose's kratos-courier service does.
    const code = await smtp.latestCode(email, { since }).catch((err: Error) => {
      // What Kratos and the courier said, so a missing mail can be told from a missing send.
      const said = (name: string) => processes.find((p) => p.name === name)?.output().split('\n').filter((l) => /courier|mail|smtp|error|warn/i.test(l) && !/health/.test(l)).slice(-8).map((l) => l.slice(0, 400)).join('\n');
      throw new Error(`${err.message}\n--- kratos:\n${said('kratos')}\n--- kratos-courier:\n${said('kratos-courier')}`, { cause: err });
    });
    await node(page, 'code/code').fill(code);
    await button(page, 'code', 'method').click();
    await page.waitForURL(`${appUrl}/`);
    expect(await page.locator('[data-testid="email"]').textContent()).toBe(email);
    await screenshot(page, 'deploy-external-app-signed-in');

    const cookies = await context.cookies();
    const appCookie = cookies.find((c) => c.domain === TEST_HOSTS.appA && c.name.startsWith('__Host-ssohub-'));
    expect(appCookie).toMatchObject({ secure: true, httpOnly: true, path: '/' });
    // Kratos' cookies are the login domain's own, Secure (production Kratos, no --dev) and host-only.
    const kratosSession = cookies.find((c) => c.name === 'ory_kratos_session');
    expect(kratosSession).toMatchObject({ domain: TEST_HOSTS.hub, secure: true, httpOnly: true });
  });

  it('keeps the user signed in at the hub when one hub instance stops: the state lives in Redis', async () => {
    const hub1 = processes.find((p) => p.name === 'hub-1')!;
    expect(await hub1.stop()).toBe(0);
    await waitFor('Caddy to mark hub-1 down', async () => ((await fetch(`${hubUrl}/health/ready`)).status === 200 ? true : undefined), { timeoutMs: 15_000 });
    // A second sign-in at the app: the hub session (Redis) and Kratos session carry it without a page.
    await context.clearCookies({ domain: TEST_HOSTS.appA });
    await page.goto(`${appUrl}/`);
    await page.locator('[data-testid="sign-in"]').click();
    await page.waitForURL(`${appUrl}/`);
    expect(await page.locator('[data-testid="email"]').textContent()).toBe(email);
  });

  it('ran only commands that docs/deploy.md documents', async () => {
    const documented = await documentedInvocations(join(REPO_ROOT, 'docs/deploy.md'));
    for (const args of ran) {
      const shape = invocationShape(args);
      expect(documented, `docs/deploy.md shows no \`ssohub ${shape}\``).toContain(shape);
    }
  });
});
