/**
 * @file `npm run bench:peer`: the hub against what a team would run instead, Ory Hydra v2.3.0
 * with a login/consent app on the Kratos session (the standard Ory pattern), side by side in one
 * run on one Kratos (PostgreSQL) and the same load driver (bench/peer/driver.ts). Each operation
 * runs on both stacks back to back, which goes first alternating by round, for BENCH_ROUNDS
 * rounds; the report gives each pair's ratio (the machine's speed drifts between minutes, not
 * within a pair), medians, p99, and CPU per operation of every process. docs/benchmarks.md
 * explains the rows. Everything listens on 127.0.0.1; every run is bounded in time.
 *
 *   BENCH_PEER_ROW_S         length of each timed run (default 10)
 *   BENCH_ROUNDS             rounds (default 3)
 *   BENCH_CONCURRENCY        closed-loop concurrency of SSO hops, refreshes, client_credentials (default 32)
 *   BENCH_SIGNIN_CONCURRENCY concurrency of first sign-ins (default 2: bcrypt cost 12 saturates the cores)
 *   BENCH_PEER_ONLY          comma list of operations (sso-hop,refresh,client-credentials,signin)
 */
import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, deleteKeysWithPrefix, freePort, startKratos, startSmtpCapture, startTestRedis } from '@ssohub/testkit';
import { Redis } from 'ioredis';
import { ROOT, seedUsers, stopChild, waitUntil } from './hub-process.ts';
import { describeSpeed, measureMachineSpeed } from './machine-speed.ts';
import { createHydraClient, ensureHydraBinary, startHydra } from './peer/hydra-process.ts';
import { type Measured, printReport } from './peer/report.ts';
import type { PeerMessage, PeerOperation, PeerReply, PeerSetup, Stack } from './peer/protocol.ts';
import { createServiceClient, startHub } from './peer/start-hub.ts';
import { childrenOf, ProcessGroup, postgresBackends } from './procfs.ts';
import { runBench } from './run-bench.ts';

const env = process.env;
const num = (name: string, fallback: number) => (env[name] ? Number(env[name]) : fallback);
const ROW_MS = num('BENCH_PEER_ROW_S', 10) * 1000;
const ROUNDS = num('BENCH_ROUNDS', 3);
const CONCURRENCY = num('BENCH_CONCURRENCY', 32);
const SIGNIN_CONCURRENCY = num('BENCH_SIGNIN_CONCURRENCY', 2);
const OPERATIONS: PeerOperation[] = ['sso-hop', 'refresh', 'client-credentials', 'signin'];
const ONLY = env.BENCH_PEER_ONLY ? new Set(env.BENCH_PEER_ONLY.split(',')) : undefined;
for (const o of ONLY ?? []) if (!OPERATIONS.includes(o as PeerOperation)) throw new Error(`BENCH_PEER_ONLY: unknown operation "${o}" (one of ${OPERATIONS.join(', ')})`);
const RESOURCE = 'https://api.bench.test';

const cleanups: (() => Promise<unknown>)[] = [];
const log = (s: string) => process.stderr.write(`bench:peer: ${s}\n`);

/** Go's database/sql keeps 2 idle connections by default; under load Hydra and Kratos would fork a backend per query. */
function withPool(dsn: string): string {
  const url = new URL(dsn);
  url.searchParams.set('max_conns', '40');
  url.searchParams.set('max_idle_conns', '40');
  return url.toString();
}

async function main() {
  const started = new Date();
  const speedBefore = measureMachineSpeed();
  log(`machine speed: ${describeSpeed(speedBefore)}`);
  const hydraBinary = await ensureHydraBinary(log);
  const dir = await mkdtemp(join(tmpdir(), 'ssohub-bench-peer-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const [hubPort, hubAdminPort, hydraPublicPort, hydraAdminPort, appPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  const hubUrl = `http://127.0.0.1:${hubPort}`;
  const appUrl = `http://127.0.0.1:${appPort}`;

  log('starting Redis, SMTP capture, PostgreSQL databases and Kratos (PostgreSQL)');
  const redisInfo = await startTestRedis();
  cleanups.push(() => redisInfo.stop());
  const redis = new Redis(redisInfo.url, { maxRetriesPerRequest: 2 });
  cleanups.push(async () => redis.disconnect());
  const prefix = `ssohub-benchpeer:${Date.now().toString(36)}:`;
  cleanups.unshift(async () => void (await deleteKeysWithPrefix(redis, prefix)));
  const redisPid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1] ?? 0);
  const smtp = await startSmtpCapture();
  cleanups.push(() => smtp.stop());
  const kratosDb = await createTestDatabase();
  cleanups.push(() => kratosDb.drop());
  const hydraDb = await createTestDatabase();
  cleanups.push(() => hydraDb.drop());

  // One Kratos serves both stacks: its UI is the hub's /login; return_to may also name the
  // login/consent app, where Hydra's login challenge waits for the Kratos session.
  const kratos = await startKratos({
    hubUrl,
    allowedReturnUrls: [appUrl],
    smtpPort: smtp.port,
    dev: true,
    overrides: { log: { level: 'warning' } },
    database: { kind: 'postgres', dsn: withPool(kratosDb.dsn) },
  });
  cleanups.unshift(() => kratos.stop());

  log(`starting Hydra on PostgreSQL (${hydraBinary})`);
  const hydra = await startHydra({ binary: hydraBinary, dir, dsn: withPool(hydraDb.dsn), publicPort: hydraPublicPort, adminPort: hydraAdminPort, loginAppUrl: appUrl });
  cleanups.unshift(() => stopChild(hydra.child, 10_000));

  const app = fork(join(ROOT, 'bench/peer/login-consent.ts'), [], {
    execArgv: ['--import', join(ROOT, 'scripts/from-source.ts')],
    env: { PATH: env.PATH, PEER_APP_PORT: String(appPort), PEER_HYDRA_ADMIN_URL: hydra.adminUrl, PEER_KRATOS_PUBLIC_URL: kratos.publicUrl },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  cleanups.unshift(() => stopChild(app, 5_000));
  await waitUntil('the login/consent app', async () => {
    if (app.exitCode !== null) throw new Error(`the login/consent app exited (${app.exitCode})`);
    return fetch(`${appUrl}/health`).then(() => true, () => false);
  });

  log(`starting the hub on ${hubUrl}`);
  const hubClient = { id: 'app-a', secret: 'bench-app-a-secret-0123456789abcdefghij', redirectUri: 'http://app-a.localhost/callback' };
  const hub = await startHub({ dir, port: hubPort, adminPort: hubAdminPort, kratos, redisUrl: redisInfo.url, prefix, client: hubClient, log });
  cleanups.unshift(() => stopChild(hub.child, 15_000));
  const hubService = await createServiceClient(hub.adminUrl, 'svc-bench', RESOURCE);

  const hydraScope = 'openid offline_access email profile';
  const hydraUserSecret = 'bench-app-h-secret-0123456789abcdefghij';
  const hydraUser = await createHydraClient(hydra.adminUrl, {
    client_name: 'app-h',
    client_secret: hydraUserSecret,
    redirect_uris: ['http://app-h.localhost/callback'],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    scope: hydraScope,
    token_endpoint_auth_method: 'client_secret_basic',
  });
  const hydraServiceSecret = 'bench-svc-h-secret-0123456789abcdefghij';
  const hydraService = await createHydraClient(hydra.adminUrl, {
    client_name: 'svc-bench',
    client_secret: hydraServiceSecret,
    grant_types: ['client_credentials'],
    audience: [RESOURCE],
    token_endpoint_auth_method: 'client_secret_basic',
  });

  const userCount = num('BENCH_USERS', CONCURRENCY);
  log(`seeding ${userCount} users through Kratos' admin API`);
  const users = await seedUsers(kratos.adminUrl, userCount);

  const setup: PeerSetup = {
    kratosPublicUrl: kratos.publicUrl,
    users,
    stacks: {
      hub: {
        issuer: hub.issuer,
        authorizationEndpoint: `${hub.issuer}/auth`,
        tokenEndpoint: `${hub.issuer}/token`,
        scope: 'openid email profile',
        user: hubClient,
        service: hubService,
        audienceParam: 'resource',
        audience: RESOURCE,
      },
      hydra: {
        issuer: `${hydra.publicUrl}/`,
        authorizationEndpoint: `${hydra.publicUrl}/oauth2/auth`,
        tokenEndpoint: `${hydra.publicUrl}/oauth2/token`,
        scope: hydraScope,
        user: { id: hydraUser.id, secret: hydraUserSecret, redirectUri: 'http://app-h.localhost/callback' },
        service: { id: hydraService.id, secret: hydraServiceSecret },
        audienceParam: 'audience',
        audience: RESOURCE,
      },
    },
  };

  const driver = fork(join(ROOT, 'bench/peer/driver.ts'), [], { execArgv: ['--import', join(ROOT, 'scripts/from-source.ts')], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  cleanups.unshift(() => stopChild(driver, 5_000));
  const ask = (m: PeerMessage) =>
    new Promise<PeerReply>((resolvePromise, reject) => {
      const onExit = () => reject(new Error('the load driver exited'));
      driver.once('exit', onExit);
      driver.once('message', (r: PeerReply) => {
        driver.off('exit', onExit);
        if (r.type === 'error') reject(new Error(`load driver: ${r.message}`));
        else resolvePromise(r);
      });
      driver.send(m);
    });
  log('signing every user in once on each stack (password) and one SSO hop each');
  await ask({ type: 'setup', setup });

  const groups = {
    hub: new ProcessGroup('hub', () => [hub.child.pid!, ...childrenOf(hub.child.pid!)]),
    redis: new ProcessGroup('redis', () => (redisPid ? [redisPid] : [])),
    hydra: new ProcessGroup('hydra', () => [hydra.child.pid!]),
    app: new ProcessGroup('login/consent app', () => [app.pid!]),
    kratos: new ProcessGroup('kratos', () => childrenOf(process.pid, 'kratos')),
    kratosPg: new ProcessGroup('PostgreSQL (Kratos)', () => postgresBackends(kratosDb.name)),
    hydraPg: new ProcessGroup('PostgreSQL (Hydra)', () => postgresBackends(hydraDb.name)),
    driver: new ProcessGroup('load driver', () => [driver.pid!]),
  };
  type GroupName = keyof typeof groups;
  const measure = async (round: number, stack: Stack, operation: PeerOperation): Promise<Measured> => {
    const concurrency = operation === 'signin' ? SIGNIN_CONCURRENCY : CONCURRENCY;
    const before = Object.fromEntries(Object.entries(groups).map(([k, g]) => [k, g.cpu()])) as Record<GroupName, number>;
    const reply = (await ask({ type: 'run', spec: { stack, operation, concurrency, durationMs: ROW_MS } })) as Extract<PeerReply, { type: 'result' }>;
    const s = reply.stats;
    const cpuMs = Object.fromEntries(Object.entries(groups).map(([k, g]) => [k, s.ops ? ((g.cpu() - before[k as GroupName]) / s.ops) * 1000 : Number.NaN])) as Record<GroupName, number>;
    const rate = (s.ops / s.elapsedMs) * 1000;
    log(`round ${round} ${stack} ${operation}: ${rate.toFixed(0)}/s p50 ${s.p50.toFixed(1)} p99 ${s.p99.toFixed(1)} ms, errors ${s.errors}${s.errorSamples.length ? ` (${s.errorSamples.join(' | ')})` : ''}`);
    return { round, stack, operation, stats: s, rate, cpuMs };
  };

  const operations = OPERATIONS.filter((o) => !ONLY || ONLY.has(o));
  log('warming both stacks up (2 s each operation, not counted)');
  for (const operation of operations) {
    for (const stack of ['hub', 'hydra'] as const) {
      await ask({ type: 'run', spec: { stack, operation, concurrency: operation === 'signin' ? SIGNIN_CONCURRENCY : CONCURRENCY, durationMs: Math.min(2_000, ROW_MS) } });
    }
  }
  const results: Measured[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    for (const operation of operations) {
      const order: Stack[] = round % 2 === 1 ? ['hub', 'hydra'] : ['hydra', 'hub'];
      for (const stack of order) results.push(await measure(round, stack, operation));
    }
  }
  await ask({ type: 'exit' }).catch(() => {});
  const errors = printReport({
    started,
    machine: `${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}`,
    speed: `before ${describeSpeed(speedBefore)}; after ${describeSpeed(measureMachineSpeed())}`,
    settings: { rowSeconds: ROW_MS / 1000, rounds: ROUNDS, concurrency: CONCURRENCY, signinConcurrency: SIGNIN_CONCURRENCY },
    results,
    warnings: [...hub.output.filter((l) => /"level":(50|60)/.test(l)).slice(-5), ...hydra.output.filter((l) => /level=(error|fatal)|"level":"(error|fatal)"/.test(l)).slice(-5)],
  });
  if (errors > 0) process.exitCode = 1;
}

runBench(main, cleanups, log);
