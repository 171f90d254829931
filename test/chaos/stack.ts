import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:https';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { main as ssohub } from '@ssohub/cli';
import { demoClientRegistration } from '@ssohub/demo-app';
import { createTestDatabase, ensureKratosBinary, freePort, KRATOS_DIR, REPO_ROOT, TEST_HOSTS, type TestDatabase, waitFor } from '@ssohub/testkit';
import { type NativeProcess, runToEnd, startProcess, waitForHttp } from '../deploy/support/native-process.ts';

const exec = promisify(execFile);
const PRELOAD = join(REPO_ROOT, 'packages/testkit/src/map-test-hosts-preload.ts');
const HUB_BIN = join(REPO_ROOT, 'packages/hub/bin/ssohub-hub.js');

/** The Redis the hubs use, and how the suite hurts it. */
export interface ChaosRedis {
  /** SSOHUB_* variables that point the hub at it (URL, or Sentinel/Cluster options). */
  hubEnv: Record<string, string>;
  description: string;
  /** Kill the node that holds the hub's keys (the primary, or the Cluster master of the hash tag). */
  killPrimary(): Promise<void>;
  freeze(): Promise<void>;
  thaw(): Promise<void>;
  /** Brings the topology back to full strength (restarts what was killed). */
  heal(): Promise<void>;
  stop(): Promise<void>;
}

/** The client app's back-channel logout endpoint: records every logout token, can be told to fail or hang. */
export interface AppEndpoint {
  url: string;
  received: { sid?: string; sub?: string; jti: string }[];
  mode: 'ok' | 'fail' | 'hang';
  stop(): Promise<void>;
}

export interface ChaosStack {
  hubUrl: string;
  issuer: string;
  client: { id: string; secret: string; redirectUri: string };
  adminUrl: string;
  adminToken: string;
  redis: ChaosRedis;
  database: TestDatabase;
  hubs: NativeProcess[];
  /** Each hub's own listener (plain http on loopback), for requests that bypass the front proxy. */
  hubUrls: string[];
  /** The front proxy (Caddy). */
  front: NativeProcess;
  kratos: NativeProcess[];
  app: AppEndpoint;
  users: { email: string; password: string }[];
  /** Restarts a stopped hub with the same environment (what a supervisor does). */
  restartHub(index: number): Promise<void>;
  restartKratos(index: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The production path of docs/deploy.md on loopback, sized for fault injection: Caddy (the compose
 * Caddyfile) in front of two production hubs (the built `ssohub-hub`), two Kratos on PostgreSQL
 * behind a second Caddy, one courier, the Redis `redis` gives, and an app's back-channel endpoint.
 * Secrets and Kratos' site file come from the CLI, as the guide makes them.
 */
export async function startChaosStack(o: { redis: ChaosRedis; certs: { caPem: string; certPem: string; keyPem: string }; users: number; retryDelaysMs: number[]; leaseMs?: number }): Promise<ChaosStack> {
  const work = await mkdtemp(join(tmpdir(), 'ssohub-chaos-'));
  const processes: NativeProcess[] = [];
  const closers: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const p of [...processes].reverse()) await p.stop(3_000).catch(() => undefined);
    for (const c of closers.reverse()) await c().catch(() => undefined);
    await rm(work, { recursive: true, force: true });
  };
  try {
    const port = async () => freePort();
    const ports = {
      https: await port(), http: await port(), hubs: [await port(), await port()], admins: [await port(), await port()],
      kratosLbPublic: await port(), kratosLbAdmin: await port(), kratosPublic: [await port(), await port()], kratosAdmin: [await port(), await port()], app: await port(),
    };
    const hubUrl = `https://${TEST_HOSTS.hub}:${ports.https}`;
    const appUrl = `https://${TEST_HOSTS.appA}:${ports.app}`;
    await writeFile(join(work, 'ca.pem'), o.certs.caPem);
    await writeFile(join(work, 'cert.pem'), o.certs.certPem);
    await writeFile(join(work, 'key.pem'), o.certs.keyPem, { mode: 0o600 });

    const app = await startAppEndpoint(ports.app, o.certs);
    closers.push(() => app.stop());

    // Secrets and the site file by the CLI (docs/deploy.md, sections 3 and 4).
    const secrets = join(work, 'secrets');
    await mkdir(secrets, { mode: 0o700 });
    const cli = async (args: string[], env: Record<string, string> = {}) => {
      let err = '';
      const code = await ssohub(args, { stdout: () => {}, stderr: (t) => { err += t; }, env, user: 'chaos' });
      if (code !== 0) throw new Error(`ssohub ${args.slice(0, 2).join(' ')}: ${err}`);
    };
    await cli(['keys', 'generate', '--out', join(secrets, 'jwks.json'), '--cookie-keys-file', join(secrets, 'cookie_keys'), '--admin-token-file', join(secrets, 'admin_token')]);
    const adminToken = (await readFile(join(secrets, 'admin_token'), 'utf8')).trim();
    const client = { id: 'chaos-app', secret: 'chaos-app-secret-0123456789abcdefghijklmnop', redirectUri: `${appUrl}/auth/callback` };
    // Registered as the demo apps are: first-party, back-channel logout with sid, refresh tokens.
    const registration = demoClientRegistration({ clientId: client.id, name: 'Chaos App', url: appUrl, secret: client.secret });
    await writeFile(join(work, 'clients.json'), JSON.stringify([registration]));
    // The suite's browsers all come from 127.0.0.1 and run far above one person's pace: the
    // throttles would answer 429 to the load itself, and they are not what is being tested here.
    const unthrottled = { burst: 1_000_000, perMinute: 1_000_000 };
    await writeFile(
      join(work, 'hub.json'),
      JSON.stringify({
        bridge: { backchannel: { retryDelaysMs: o.retryDelaysMs, pollIntervalMs: 200, ...(o.leaseMs ? { leaseMs: o.leaseMs } : {}) } },
        guard: { ip: unthrottled, token: { ipBurst: unthrottled.burst, ipPerMinute: unthrottled.perMinute, clientBurst: unthrottled.burst, clientPerMinute: unthrottled.perMinute } },
      }),
    );
    const hubEnv: Record<string, string> = {
      SSOHUB_MODE: 'production',
      SSOHUB_PUBLIC_URL: hubUrl,
      SSOHUB_TRUST_PROXY: '1',
      SSOHUB_LISTEN_HOST: '127.0.0.1',
      SSOHUB_ADMIN_HOST: '127.0.0.1',
      SSOHUB_KRATOS_PUBLIC_URL: `http://127.0.0.1:${ports.kratosLbPublic}`,
      SSOHUB_KRATOS_ADMIN_URL: `http://127.0.0.1:${ports.kratosLbAdmin}`,
      SSOHUB_ALLOWED_RETURN_ORIGINS: appUrl,
      SSOHUB_ADMIN_TOKEN_FILE: join(secrets, 'admin_token'),
      SSOHUB_COOKIE_KEYS_FILE: join(secrets, 'cookie_keys'),
      SSOHUB_SIGNING_KEYS_FILE: join(secrets, 'jwks.json'),
      SSOHUB_CLIENTS_FILE: join(work, 'clients.json'),
      SSOHUB_CONFIG: join(work, 'hub.json'),
      SSOHUB_WORKERS: '1',
      SSOHUB_LOG_LEVEL: 'warn',
      ...o.redis.hubEnv,
    };
    const smtpPort = await freePort();
    const database = await createTestDatabase();
    closers.push(() => database.drop());
    await cli(
      ['kratos', 'config', '--dsn', `${database.dsn}&max_conns=10&max_idle_conns=10`, '--smtp-uri', `smtp://127.0.0.1:${smtpPort}/?disable_starttls=true`, '--identity-schema', join(KRATOS_DIR, 'identity.schema.json'), '--courier-templates', join(KRATOS_DIR, 'courier-templates'), '--out', join(secrets, 'kratos_site.yml')],
      hubEnv,
    );
    const kratosBin = await ensureKratosBinary();
    const base = ['-c', join(KRATOS_DIR, 'kratos.yml'), '-c', join(secrets, 'kratos_site.yml')];
    await runToEnd('kratos migrate', kratosBin, ['migrate', 'sql', '-e', '--yes', ...base], { SQA_OPT_OUT: 'true' });
    // Two Kratos processes on one database; each gets its own ports through a third file.
    const kratosArgs: string[][] = [];
    for (const i of [0, 1]) {
      const own = join(work, `kratos-${i}.yml`);
      await writeFile(own, JSON.stringify({ serve: { public: { port: ports.kratosPublic[i] }, admin: { port: ports.kratosAdmin[i] } } }));
      kratosArgs.push(['serve', ...base, '-c', own, '--sqa-opt-out']);
    }
    // One Kratos first: on a fresh database each Kratos process creates the "network" its rows
    // belong to when none exists, without a lock, so processes starting together can end up in
    // different networks (sessions one makes invisible to the other, mail the courier never sees).
    const kratos: NativeProcess[] = [];
    for (const [i, args] of kratosArgs.entries()) {
      kratos.push(startProcess(`kratos-${i + 1}`, kratosBin, args, { SQA_OPT_OUT: 'true' }));
      processes.push(kratos[i]!);
      await waitForHttp(kratos[i]!, `http://127.0.0.1:${ports.kratosAdmin[i]}/admin/health/ready`);
    }
    processes.push(startProcess('kratos-courier', kratosBin, ['courier', 'watch', ...base], { SQA_OPT_OUT: 'true' }));

    // Kratos behind a load balancer of its own, as two Kratos replicas sit behind a Service.
    const kratosLb = join(work, 'kratos-lb.caddy');
    const lb = (listen: number, upstreams: number[], health: string) =>
      `http://:${listen} {\n\tbind 127.0.0.1\n\treverse_proxy ${upstreams.map((p) => `127.0.0.1:${p}`).join(' ')} {\n\t\thealth_uri ${health}\n\t\thealth_interval 1s\n\t\tlb_try_duration 3s\n\t\tfail_duration 5s\n\t}\n}\n`;
    await writeFile(kratosLb, `{\n\tadmin off\n\tauto_https off\n}\n${lb(ports.kratosLbPublic, ports.kratosPublic, '/health/ready')}${lb(ports.kratosLbAdmin, ports.kratosAdmin, '/admin/health/ready')}`);
    const caddyEnv = (name: string) => ({ XDG_DATA_HOME: join(work, `${name}-data`), XDG_CONFIG_HOME: join(work, `${name}-config`) });
    const kratosFront = startProcess('kratos-lb', 'caddy', ['run', '--config', kratosLb, '--adapter', 'caddyfile'], caddyEnv('kratos-lb'));
    processes.push(kratosFront);
    await waitForHttp(kratosFront, `http://127.0.0.1:${ports.kratosLbAdmin}/admin/health/ready`);

    // Users, made through Kratos' admin API (what an import or the admin console would do).
    const users = Array.from({ length: o.users }, (_, i) => ({ email: `chaos.${Date.now().toString(36)}.${i}@example.test`, password: `chaos-Password-${i}-${Date.now()}` }));
    for (const u of users) {
      const res = await fetch(`http://127.0.0.1:${ports.kratosLbAdmin}/admin/identities`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        // Imported with verified addresses, so sign-ins reach the app (bridge.requireVerifiedEmail).
        body: JSON.stringify({
          schema_id: 'person',
          traits: { email: u.email },
          credentials: { password: { config: { password: u.password } } },
          verifiable_addresses: [{ value: u.email, via: 'email', verified: true, status: 'completed' }],
        }),
      });
      if (res.status !== 201) throw new Error(`creating ${u.email}: ${res.status} ${await res.text()}`);
    }

    const hubProcessEnv = (i: number) => ({
      ...hubEnv,
      SSOHUB_LISTEN_PORT: String(ports.hubs[i]),
      SSOHUB_ADMIN_PORT: String(ports.admins[i]),
      NODE_OPTIONS: `--import=${PRELOAD}`,
      NODE_EXTRA_CA_CERTS: join(work, 'ca.pem'),
    });
    const hubs: NativeProcess[] = [];
    const startHub = async (i: number) => {
      const hub = startProcess(`hub-${i + 1}`, process.execPath, [HUB_BIN], hubProcessEnv(i));
      hubs[i] = hub;
      processes.push(hub);
      await waitForHttp(hub, `http://127.0.0.1:${ports.hubs[i]}/health/ready`);
    };
    await Promise.all([startHub(0), startHub(1)]);

    const front = startProcess('caddy', 'caddy', ['run', '--config', join(REPO_ROOT, 'deploy/compose/Caddyfile'), '--adapter', 'caddyfile'], {
      SSOHUB_DOMAIN: TEST_HOSTS.hub,
      CADDY_HTTPS_PORT: String(ports.https),
      CADDY_HTTP_PORT: String(ports.http),
      CADDY_ADMIN: 'off',
      CADDY_TLS: `${join(work, 'cert.pem')} ${join(work, 'key.pem')}`,
      SSOHUB_UPSTREAMS: ports.hubs.map((p) => `127.0.0.1:${p}`).join(' '),
      ...caddyEnv('front'),
    });
    processes.push(front);
    await waitForHttp(front, `${hubUrl}/health/ready`);

    return {
      hubUrl,
      issuer: `${hubUrl}/oidc`,
      client,
      adminUrl: `http://127.0.0.1:${ports.admins[0]}`,
      adminToken,
      redis: o.redis,
      database,
      hubs,
      hubUrls: ports.hubs.map((p) => `http://127.0.0.1:${p}`),
      front,
      kratos,
      app,
      users,
      restartHub: startHub,
      async restartKratos(i) {
        const k = startProcess(`kratos-${i + 1}`, kratosBin, kratosArgs[i]!, { SQA_OPT_OUT: 'true' });
        kratos[i] = k;
        processes.push(k);
        await waitForHttp(k, `http://127.0.0.1:${ports.kratosAdmin[i]}/admin/health/ready`);
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Terminates every PostgreSQL backend of the database (what a failover or an admin does to Kratos). */
export async function terminateBackends(database: TestDatabase): Promise<number> {
  const { stdout } = await exec('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-d', 'postgres', '-tAc', `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '${database.name}'`]);
  return Number(stdout.trim());
}

async function startAppEndpoint(port: number, certs: { certPem: string; keyPem: string }): Promise<AppEndpoint> {
  const endpoint: AppEndpoint = { url: `https://${TEST_HOSTS.appA}:${port}/auth/backchannel-logout`, received: [], mode: 'ok', stop: async () => {} };
  const server: Server = createServer({ cert: certs.certPem, key: certs.keyPem }, (req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      if (endpoint.mode === 'hang') return; // never answers: the hub's attempt times out
      if (endpoint.mode === 'fail') {
        res.writeHead(503).end();
        return;
      }
      const token = new URLSearchParams(body).get('logout_token') ?? '';
      try {
        const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { sid?: string; sub?: string; jti: string };
        endpoint.received.push({ sid: payload.sid, sub: payload.sub, jti: payload.jti });
        res.writeHead(200, { 'cache-control': 'no-store' }).end();
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  endpoint.stop = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  await waitFor('app endpoint', async () => true);
  return endpoint;
}
