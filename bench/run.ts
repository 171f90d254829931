/**
 * @file `npm run bench`: starts Kratos (SQLite), Redis and the hub (one process per core through
 * packages/hub/src/cluster.ts), seeds users and clients, drives load from a separate process
 * (bench/load-driver.ts) and prints one table. Everything listens on 127.0.0.1; every run is
 * bounded in time and count. docs/benchmarks.md explains each row and the knobs:
 *
 *   BENCH_SUSTAINED_S  length of the sustained SSO-hop run (default 60)
 *   BENCH_ROW_S        length of every other timed row (default 10)
 *   BENCH_PAIRS_S      length of the paired first sign-ins (straight at Kratos and through the hub, default 30)
 *   BENCH_CONCURRENCY  closed-loop concurrency of the load driver (default 32)
 *   BENCH_HUB_WORKERS  hub processes (default 1; see docs/benchmarks.md)
 *   BENCH_SCALE        live provider sessions seeded for the scale rows (default 10000,100000)
 *   BENCH_KRATOS_DB    sqlite (default) or postgres (a fresh database on 127.0.0.1:5432)
 *   BENCH_ONLY         comma list of rows to run (sso,refresh,signin,sdk,introspection,static,es256,scale,sustained)
 *   BENCH_LOG_LEVEL    hub log level (default warn; Kratos logs at warning too)
 *   BENCH_CPU_PROF     directory: run the hub with --cpu-prof and write its profiles there
 *   BENCH_HUB_NODE_ARGS extra node flags for the hub processes (e.g. --max-semi-space-size=16)
 *   BENCH_HUB_SOURCE   1: run the hub from its TypeScript sources (as the demo does) instead of
 *                      the build a production deployment runs (dist/, built first)
 */
import { fork, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { createTestDatabase, deleteKeysWithPrefix, freePort, startKratos, startSmtpCapture, startTestRedis } from '@ssohub/testkit';
import { Redis } from 'ioredis';
import { BENCH_CLIENTS, buildHub, clientMetadata, keepOutputTail, ROOT, seedUsers, stopChild, waitUntil, writeBenchClientFiles } from './hub-process.ts';
import { describeSpeed, type MachineSpeed, measureMachineSpeed } from './machine-speed.ts';
import { childrenOf, ProcessGroup, postgresBackends, sampleRss } from './procfs.ts';
import type { DriverMessage, DriverReply, PairStats, RunSpec, RunStats, SdkStats, Setup } from './protocol.ts';
import { runBench } from './run-bench.ts';

const env = process.env;
const num = (name: string, fallback: number) => (env[name] ? Number(env[name]) : fallback);
const SUSTAINED_MS = num('BENCH_SUSTAINED_S', 60) * 1000;
const ROW_MS = num('BENCH_ROW_S', 10) * 1000;
const CONCURRENCY = num('BENCH_CONCURRENCY', 32);
// One worker by default: on a machine shared with Kratos and Redis a second worker costs a heap
// for little throughput (docs/benchmarks.md). Set BENCH_HUB_WORKERS to the cores otherwise.
const WORKERS = num('BENCH_HUB_WORKERS', 1);
const SCALE = (env.BENCH_SCALE ?? '10000,100000').split(',').map(Number).filter((n) => n > 0);
/** The SSO-hop throughput target (issue #9); its p99 target is stated at half this rate. */
const SSO_HOP_TARGET = 500;
const ONLY = env.BENCH_ONLY ? new Set(env.BENCH_ONLY.split(',')) : undefined;
const LOG_LEVEL = env.BENCH_LOG_LEVEL ?? 'warn';
const CPU_PROF = env.BENCH_CPU_PROF ? resolve(env.BENCH_CPU_PROF) : undefined;
const HUB_NODE_ARGS = (env.BENCH_HUB_NODE_ARGS ?? '').split(' ').filter(Boolean);
// Production runs the built JavaScript. From sources, Node strips types at load time with a
// WebAssembly compiler that stays resident: ~29 MB more RSS for the same work.
const HUB_FROM_SOURCE = env.BENCH_HUB_SOURCE === '1';
const KRATOS_DB = env.BENCH_KRATOS_DB ?? 'sqlite';
if (KRATOS_DB !== 'sqlite' && KRATOS_DB !== 'postgres') throw new Error(`BENCH_KRATOS_DB must be sqlite or postgres (got "${KRATOS_DB}")`);
const wants = (row: string) => !ONLY || ONLY.has(row);

interface Row {
  name: string;
  stats: RunStats;
  /** CPU seconds per 1,000 operations: hub, Kratos, Redis, load driver. */
  cpu: { hub: number; kratos: number; redis: number; driver: number };
  peakRssMb: number;
  /** The same peak as PSS: shared pages (node binary, libraries) counted once across processes. */
  peakPssMb: number;
  /** Per operation, from Redis' INFO: commands run, and socket reads (one per batch a client sent). */
  redisOps: { commands: number; reads: number };
  note?: string;
}

const rows: Row[] = [];
/** Kratos' last error-level log lines (see startKratos' log option below). */
const kratosErrors: string[] = [];
const cleanups: (() => Promise<unknown>)[] = [];
const log = (s: string) => process.stderr.write(`bench: ${s}\n`);

async function main() {
  const started = new Date();
  const speedBefore = measureMachineSpeed();
  log(`machine speed: ${describeSpeed(speedBefore)}`);
  const dir = await mkdtemp(join(tmpdir(), 'ssohub-bench-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));

  const hubPort = await freePort();
  const adminPort = await freePort();
  const hubUrl = `http://127.0.0.1:${hubPort}`;
  const issuer = `${hubUrl}/oidc`;

  log(`starting Redis, SMTP capture and Kratos (${KRATOS_DB === 'postgres' ? 'PostgreSQL' : 'SQLite'})`);
  const redisInfo = await startTestRedis();
  cleanups.push(() => redisInfo.stop());
  const redis = new Redis(redisInfo.url, { maxRetriesPerRequest: 2 });
  cleanups.push(async () => redis.disconnect());
  const prefix = `ssohub-bench:${Date.now().toString(36)}:`;
  cleanups.unshift(async () => void (await deleteKeysWithPrefix(redis, prefix)));
  const redisPid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1] ?? 0);

  const smtp = await startSmtpCapture();
  cleanups.push(() => smtp.stop());
  // PostgreSQL: a fresh database on the local server; its backends serving Kratos count as Kratos.
  const database = KRATOS_DB === 'postgres' ? await createTestDatabase() : undefined;
  if (database) cleanups.push(() => database.drop());
  const kratos = await startKratos({
    hubUrl,
    smtpPort: smtp.port,
    dev: true,
    overrides: { log: { level: 'warning' } },
    // Kept for the report: a failed operation's cause is often only in Kratos' log (e.g. SQLite busy).
    log: (line) => {
      if (!/level=(error|fatal|panic)|"level":"(error|fatal|panic)"/.test(line)) return;
      kratosErrors.push(line.slice(0, 600));
      if (kratosErrors.length > 5) kratosErrors.shift();
    },
    // Go's database/sql keeps 2 idle connections by default: under load Kratos would open and
    // close a PostgreSQL connection (a forked backend) for most queries. Keep a pool instead.
    ...(database ? { database: { kind: 'postgres' as const, dsn: withPool(database.dsn) } } : {}),
  });
  cleanups.unshift(() => kratos.stop());
  const kratosGroup = new ProcessGroup('kratos', () => [...childrenOf(process.pid, 'kratos'), ...(database ? postgresBackends(database.name) : [])]);

  const clients = BENCH_CLIENTS;
  const sdkClient = { id: 'app-sdk', secret: 'bench-app-sdk-secret-0123456789abcdefgh', baseUrl: 'http://app-sdk.localhost' };
  const { clientFile, keysFile } = await writeBenchClientFiles(dir, [clientMetadata(sdkClient.id, sdkClient.secret, `${sdkClient.baseUrl}/auth/callback`)]);
  // The guard throttles per IP; every request of the bench comes from 127.0.0.1, so its buckets
  // are opened wide (lockout on failures stays as configured: the bench has none).
  const wide = 1_000_000;
  const configFile = join(dir, 'hub.json');
  await writeFile(
    configFile,
    JSON.stringify({
      guard: {
        ip: { burst: wide, perMinute: wide, failureThreshold: wide },
        token: { ipBurst: wide, ipPerMinute: wide, clientBurst: wide, clientPerMinute: wide },
      },
    }),
  );

  log(`starting the hub: ${WORKERS} worker process(es) on ${hubUrl}`);
  if (CPU_PROF) await mkdir(CPU_PROF, { recursive: true });
  if (!HUB_FROM_SOURCE) await buildHub(log);
  const entry = HUB_FROM_SOURCE ? ['--import', join(ROOT, 'scripts/from-source.ts'), join(ROOT, 'packages/hub/src/cluster.ts')] : [join(ROOT, 'packages/hub/dist/cluster.js')];
  const hub = spawn(
    process.execPath,
    [...HUB_NODE_ARGS, ...(CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`] : []), ...entry],
    {
      env: {
        PATH: env.PATH,
        HOME: env.HOME,
        SSOHUB_WORKERS: String(WORKERS),
        SSOHUB_CONFIG: configFile,
        SSOHUB_MODE: 'development',
        SSOHUB_PUBLIC_URL: hubUrl,
        SSOHUB_LISTEN_HOST: '127.0.0.1',
        SSOHUB_LISTEN_PORT: String(hubPort),
        SSOHUB_ADMIN_PORT: String(adminPort),
        SSOHUB_ADMIN_TOKEN: 'bench-admin-token-0123456789abcdef',
        SSOHUB_KRATOS_PUBLIC_URL: kratos.publicUrl,
        SSOHUB_KRATOS_ADMIN_URL: kratos.adminUrl,
        SSOHUB_REDIS_URL: redisInfo.url,
        SSOHUB_REDIS_PREFIX: prefix,
        SSOHUB_LOG_LEVEL: LOG_LEVEL,
        SSOHUB_COOKIE_KEYS: 'bench-cookie-key-0123456789abcdefghijklmnop',
        SSOHUB_SIGNING_KEYS_FILE: keysFile,
        SSOHUB_CLIENTS_FILE: clientFile,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const hubOutput = keepOutputTail(hub);
  cleanups.unshift(() => stopChild(hub, 15_000));
  const hubGroup = new ProcessGroup('hub', () => [hub.pid!, ...childrenOf(hub.pid!)]);
  await waitUntil('hub', async () => {
    if (hub.exitCode !== null) throw new Error(`the hub exited (${hub.exitCode}):\n${hubOutput.slice(-20).join('\n')}`);
    const ok = await Promise.all(Array.from({ length: WORKERS * 2 }, () => fetch(`${issuer}/.well-known/openid-configuration`).then((r) => r.ok, () => false)));
    // One worker serves from the started process itself; more run under a cluster primary.
    return ok.every(Boolean) && hubGroup.list().length >= (WORKERS === 1 ? 1 : WORKERS + 1);
  });

  const userCount = num('BENCH_USERS', CONCURRENCY);
  log(`seeding ${userCount} users through Kratos' admin API (bcrypt cost 12: a few seconds)`);
  const users = await seedUsers(kratos.adminUrl, userCount);

  const driver = fork(join(ROOT, 'bench/load-driver.ts'), [], { execArgv: ['--import', join(ROOT, 'scripts/from-source.ts')], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  cleanups.unshift(() => stopChild(driver, 5_000));
  const ask = (m: DriverMessage) =>
    new Promise<DriverReply>((resolvePromise, reject) => {
      const onExit = () => reject(new Error('the load driver exited'));
      driver.once('exit', onExit);
      driver.once('message', (r: DriverReply) => {
        driver.off('exit', onExit);
        if (r.type === 'error') reject(new Error(`load driver: ${r.message}`));
        else resolvePromise(r);
      });
      driver.send(m);
    });
  const setup: Setup = { issuer, kratosPublicUrl: kratos.publicUrl, clients, users };
  log('signing every user in once through the hub (password) and one SSO hop each');
  await ask({ type: 'setup', setup });

  const measure = async (name: string, spec: RunSpec, note?: string): Promise<Row> => {
    const groups = { hub: hubGroup, kratos: kratosGroup, redis: new ProcessGroup('redis', () => (redisPid ? [redisPid] : [])), driver: new ProcessGroup('driver', () => [driver.pid!]) };
    const before = Object.fromEntries(Object.entries(groups).map(([k, g]) => [k, g.cpu()])) as Record<keyof typeof groups, number>;
    const redisBefore = await redisCounters(redis);
    const rss = sampleRss(hubGroup);
    const reply = (await ask({ type: 'run', spec })) as Extract<DriverReply, { type: 'result' }>;
    const peak = rss.stop();
    const redisAfter = await redisCounters(redis);
    const perOp = (n: number) => (reply.stats.ops ? n / reply.stats.ops : Number.NaN);
    const per1000 = (k: keyof typeof groups) => (reply.stats.ops ? ((groups[k].cpu() - before[k]) / reply.stats.ops) * 1000 : Number.NaN);
    const row: Row = {
      name,
      stats: reply.stats,
      cpu: { hub: per1000('hub'), kratos: per1000('kratos'), redis: per1000('redis'), driver: per1000('driver') },
      peakRssMb: peak.rss / 2 ** 20,
      peakPssMb: peak.pss / 2 ** 20,
      redisOps: { commands: perOp(redisAfter.commands - redisBefore.commands), reads: perOp(redisAfter.reads - redisBefore.reads) },
      ...(note ? { note } : {}),
    };
    log(`${name}: ${fmtRate(row)} ops/s, p50 ${fmt(row.stats.p50)} p99 ${fmt(row.stats.p99)} ms, errors ${row.stats.errors}${row.stats.errorSamples.length ? ` (${row.stats.errorSamples.join(' | ')})` : ''}`);
    return row;
  };
  const warm = (spec: RunSpec) => ask({ type: 'run', spec: { ...spec, durationMs: Math.min(3_000, spec.durationMs), rate: undefined } });
  const closed = (scenario: RunSpec['scenario'], concurrency = CONCURRENCY, durationMs = ROW_MS): RunSpec => ({ scenario, concurrency, durationMs, maxOps: 10_000_000 });

  let ssoRate = 0;
  if (wants('sso') || wants('scale')) {
    await warm(closed('sso-hop'));
    const max = await measure('SSO hop (authorize → code → token), max', closed('sso-hop'));
    rows.push(max);
    ssoRate = (max.stats.ops / max.stats.elapsedMs) * 1000;
    const half = Math.max(1, Math.floor(ssoRate / 2));
    rows.push(await measure(`SSO hop at ${half}/s (half of max), 0 extra sessions`, { ...closed('sso-hop', CONCURRENCY * 4), rate: half }));
    // The issue's latency target is stated at half of its throughput target, whatever this
    // machine's max is; only measured when the machine can serve that rate at all.
    const targetHalf = SSO_HOP_TARGET / 2;
    if (half !== targetHalf && ssoRate > targetHalf) {
      rows.push(await measure(`SSO hop at ${targetHalf}/s (half of the ${SSO_HOP_TARGET}/s target)`, { ...closed('sso-hop', CONCURRENCY * 4), rate: targetHalf }));
    }
  }
  if (wants('refresh')) {
    await warm(closed('refresh'));
    rows.push(await measure('Refresh-token grant (rotation)', closed('refresh')));
  }
  let pairs: PairStats | undefined;
  if (wants('signin')) {
    const spec = { ...closed('signin-kratos', 2, Math.max(ROW_MS, 10_000)), maxOps: 60 };
    await ask({ type: 'run', spec: { ...spec, maxOps: 4 } });
    const direct = await measure('First sign-in, password, straight to Kratos', spec);
    await ask({ type: 'run', spec: { ...spec, scenario: 'signin-hub', maxOps: 4 } });
    const viaHub = await measure('First sign-in, password, through the hub (OIDC code flow)', { ...spec, scenario: 'signin-hub' });
    viaHub.note = `hub overhead: p50 ${pct(viaHub.stats.p50 / direct.stats.p50 - 1)}, mean ${pct(direct.stats.ops / direct.stats.elapsedMs / (viaHub.stats.ops / viaHub.stats.elapsedMs) - 1)} of Kratos' time`;
    rows.push(direct, viaHub);
    // The two rows above run one after the other, two sign-ins at a time; pairs (PairSpec) take the
    // machine's drift out and show what the hub adds to one sign-in with no other sign-in running.
    const paired = (await ask({ type: 'pairs', spec: { durationMs: num('BENCH_PAIRS_S', 30) * 1000, maxPairs: 1_000 } })) as Extract<DriverReply, { type: 'pairs' }>;
    const p = paired.stats;
    pairs = p;
    viaHub.note +=
      `; in ${p.pairs} pairs, one sign-in at a time, each straight at Kratos and through the hub back to back: ` +
      `the hub adds ${fmt(p.added[0])} ms p50 (${fmt(p.added[1])} p95) to Kratos' ${fmt(p.direct[0])} ms p50, ` +
      `${pct(p.added[0] / p.direct[0])} (through the hub ${fmt(p.hub[0])} ms p50); errors ${p.errors}${p.errorSamples.length ? ` (${p.errorSamples.join('; ')})` : ''}`;
  }
  let sdk: SdkStats | undefined;
  if (wants('sdk')) {
    const r = (await ask({
      type: 'sdk',
      sdk: {
        issuer,
        clientId: sdkClient.id,
        clientSecret: sdkClient.secret,
        baseUrl: sdkClient.baseUrl,
        redirectUri: `${sdkClient.baseUrl}/auth/callback`,
        redisUrl: redisInfo.url,
        keyPrefix: `${prefix}client:`,
        iterations: num('BENCH_SDK_N', 20_000),
      },
    })) as Extract<DriverReply, { type: 'sdk' }>;
    sdk = r.stats;
    log(`SDK: with ${sdk.withSdk.map(fmt).join('/')} bare ${sdk.bare.map(fmt).join('/')} loadSession ${sdk.loadSession.map(fmt).join('/')}`);
  }
  if (wants('introspection')) {
    await warm(closed('introspection'));
    rows.push(await measure('Token introspection', closed('introspection')));
  }
  if (wants('static')) {
    await warm(closed('discovery', 16, 2_000));
    rows.push(await measure('Discovery document', closed('discovery', 16, Math.min(ROW_MS, 5_000))));
    rows.push(await measure('JWKS', closed('jwks', 16, Math.min(ROW_MS, 5_000))));
  }
  if (wants('es256')) {
    // The same paths for a client with ES256 ID tokens: what onboarding gives new clients (decision
    // 0008). The rows above use RS256, the default of static clients and of clients onboarded before.
    await warm({ ...closed('sso-hop'), client: 'es' });
    rows.push(await measure('SSO hop, client with ES256 ID tokens, max', { ...closed('sso-hop'), client: 'es' }));
    await warm(closed('refresh'));
    rows.push(await measure('Refresh-token grant, client with ES256 ID tokens', closed('refresh')));
  }
  const scaleRows: { sessions: number; row: Row; redisMb: number }[] = [];
  if (wants('scale') && ssoRate > 0) {
    const half = Math.max(1, Math.floor(ssoRate / 2));
    const spec: RunSpec = { ...closed('sso-hop', CONCURRENCY * 4), rate: half };
    const redisMb = async () => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? 0) / 2 ** 20;
    scaleRows.push({ sessions: 0, row: await measure('scale: 0 seeded sessions', spec), redisMb: await redisMb() });
    let seeded = 0;
    for (const target of SCALE) {
      log(`seeding ${target - seeded} provider sessions into Redis (total ${target})`);
      await seedProviderSessions(redis, prefix, seeded, target, users.length);
      seeded = target;
      scaleRows.push({ sessions: target, row: await measure(`scale: ${target} seeded sessions`, spec), redisMb: await redisMb() });
    }
  }
  if (wants('sustained')) {
    rows.push(await measure(`SSO hop sustained ${SUSTAINED_MS / 1000} s (closed loop, ${CONCURRENCY} browsers)`, closed('sso-hop', CONCURRENCY, SUSTAINED_MS)));
  }

  await ask({ type: 'exit' }).catch(() => {});
  const memory = await hubMemory(`http://127.0.0.1:${adminPort}/metrics`);
  const speed = { before: speedBefore, after: measureMachineSpeed() };
  print({ started, sdk, pairs, scaleRows, hubOutput, memory, speed });
}

/** Redis' own counters: commands processed, and read events on client sockets (Redis >= 6). */
async function redisCounters(redis: Redis): Promise<{ commands: number; reads: number }> {
  const info = await redis.info('stats');
  const field = (name: string) => Number(new RegExp(`${name}:(\\d+)`).exec(info)?.[1] ?? Number.NaN);
  return { commands: field('total_commands_processed'), reads: field('total_reads_processed') };
}

/**
 * Where the hub's resident memory is at the end of the run, from its own /metrics (worker 1):
 * V8 heap (committed and used, by space) and memory outside the heap (the rest of RSS is the
 * node binary, code and allocator slack); and the pauses that make latency tails: event-loop
 * delay and GC time.
 */
async function hubMemory(url: string): Promise<string | undefined> {
  const text = await fetch(url).then((r) => r.text(), () => '');
  const mb = (name: string, label = '') => {
    // Label order differs between metrics (service first or last): match the label anywhere.
    const m = new RegExp(`^${name}\\{(?=[^}]*${label})[^}]*\\} (\\S+)$`, 'm').exec(text);
    return m ? Number(m[1]) / 2 ** 20 : Number.NaN;
  };
  const ms = (name: string) => (mb(name) * 2 ** 20 * 1000).toFixed(1);
  const seconds = (name: string, label: string) => (mb(name, label) * 2 ** 20).toFixed(2);
  const rss = mb('process_resident_memory_bytes');
  if (!Number.isFinite(rss)) return undefined;
  const heapTotal = mb('nodejs_heap_size_total_bytes');
  const spaces = ['new', 'old', 'code', 'large_object'].map((s) => `${s} ${mb('nodejs_heap_space_size_total_bytes', `space="${s}"`).toFixed(0)}`);
  return (
    `hub memory at the end (worker 1, MB): RSS ${rss.toFixed(0)} = V8 heap ${heapTotal.toFixed(0)} committed ` +
    `(${mb('nodejs_heap_size_used_bytes').toFixed(0)} used; ${spaces.join(', ')}) + external ${mb('nodejs_external_memory_bytes').toFixed(0)} ` +
    `+ ${(rss - heapTotal - mb('nodejs_external_memory_bytes')).toFixed(0)} binary, code, allocator and stacks` +
    `\nhub pauses over the whole run (worker 1): event-loop delay p99 ${ms('nodejs_eventloop_lag_p99_seconds')} ms, max ${ms('nodejs_eventloop_lag_max_seconds')} ms ` +
    `(10 ms sampling resolution included); GC ${seconds('nodejs_gc_duration_seconds_sum', 'kind="minor"')} s minor, ` +
    `${seconds('nodejs_gc_duration_seconds_sum', 'kind="major"')} s major, ${seconds('nodejs_gc_duration_seconds_sum', 'kind="incremental"')} s incremental`
  );
}

function withPool(dsn: string): string {
  const url = new URL(dsn);
  url.searchParams.set('max_conns', '40');
  url.searchParams.set('max_idle_conns', '40');
  return url.toString();
}

/**
 * Live provider sessions written straight into Redis in the bridge's key layout
 * (bridge/adapter/redis-model-store.ts, bridge/sessions/session-bindings.ts): the Session hash,
 * its uid index and its Kratos binding, each with a TTL, shaped like what the provider saves.
 */
async function seedProviderSessions(redis: Redis, prefix: string, from: number, to: number, identities: number) {
  const now = Math.floor(Date.now() / 1000);
  const ttl = 3600;
  for (let start = from; start < to; start += 1000) {
    const multi = redis.pipeline();
    for (let i = start; i < Math.min(to, start + 1000); i++) {
      const jti = `bench${i.toString(36).padStart(8, '0')}${Math.random().toString(36).slice(2, 12)}`;
      const uid = `benchuid${i}${Math.random().toString(36).slice(2, 12)}`;
      const accountId = `00000000-0000-4000-8000-${String(i % Math.max(identities, 1)).padStart(12, '0')}`;
      const kratosSessionId = `00000000-0000-4000-9000-${String(i).padStart(12, '0')}`;
      const payload = {
        iat: now,
        exp: now + ttl,
        uid,
        jti,
        kind: 'Session',
        accountId,
        loginTs: now - 60,
        acr: 'aal1',
        amr: ['pwd'],
        authorizations: { 'app-a': { sid: `sid${i}`, grantId: `grant${i}`, persistsLogout: true } },
      };
      const key = `${prefix}oidc:Session:${jti}`;
      multi.hset(key, 'payload', JSON.stringify(payload));
      multi.expire(key, ttl);
      multi.set(`${prefix}oidc:Session:uid:${uid}`, jti, 'EX', ttl);
      multi.hset(`${prefix}bridge:binding:uid:${uid}`, 'k', kratosSessionId, 'a', accountId);
      multi.expire(`${prefix}bridge:binding:uid:${uid}`, ttl);
    }
    await multi.exec();
  }
}

const fmt = (ms: number) => (Number.isFinite(ms) ? (ms < 1 ? ms.toFixed(3) : ms < 10 ? ms.toFixed(2) : ms.toFixed(1)) : '–');
const fmtRate = (r: Row) => ((r.stats.ops / r.stats.elapsedMs) * 1000).toFixed(r.stats.ops / r.stats.elapsedMs < 0.1 ? 1 : 0);
const fmtCpu = (s: number) => (Number.isFinite(s) ? s.toFixed(s < 1 ? 3 : 2) : '–');
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

function print({
  started,
  sdk,
  pairs,
  scaleRows,
  hubOutput,
  memory,
  speed,
}: {
  started: Date;
  sdk: SdkStats | undefined;
  pairs: PairStats | undefined;
  scaleRows: { sessions: number; row: Row; redisMb: number }[];
  hubOutput: string[];
  memory: string | undefined;
  speed: { before: MachineSpeed; after: MachineSpeed };
}) {
  const out: string[] = [];
  out.push(`SSO Hub benchmark, ${started.toISOString()}`);
  out.push(`machine: ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, hub workers ${WORKERS} (${HUB_FROM_SOURCE ? 'from TypeScript sources' : 'built JavaScript'}), driver concurrency ${CONCURRENCY}, Kratos on ${KRATOS_DB === 'postgres' ? 'PostgreSQL (its backends counted as Kratos)' : 'SQLite'}`);
  out.push(`machine speed (compare runs only when these agree): before ${describeSpeed(speed.before)}; after ${describeSpeed(speed.after)}`);
  out.push('');
  out.push('| Row | ops/s | p50 ms | p95 ms | p99 ms | hub CPU s / 1k ops | hub peak RSS MB (PSS) | errors |');
  out.push('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    out.push(`| ${r.name} | ${fmtRate(r)} | ${fmt(r.stats.p50)} | ${fmt(r.stats.p95)} | ${fmt(r.stats.p99)} | ${fmtCpu(r.cpu.hub)} | ${r.peakRssMb.toFixed(0)} (${r.peakPssMb.toFixed(0)}) | ${r.stats.errors} |`);
  }
  if (sdk) {
    const overhead = sdk.withSdk.map((v, i) => v - sdk.bare[i]!);
    out.push(`| SDK request with a valid session (Fastify + @ssohub/client + Redis store, in-process) | ${sdk.opsPerSecond.toFixed(0)} | ${fmt(sdk.withSdk[0])} | ${fmt(sdk.withSdk[1])} | ${fmt(sdk.withSdk[2])} | app ${fmtCpu(sdk.cpuPer1000)} | – | 0 |`);
    out.push(`| same route without the SDK | – | ${fmt(sdk.bare[0])} | ${fmt(sdk.bare[1])} | ${fmt(sdk.bare[2])} | – | – | 0 |`);
    out.push(`| **SDK per-request overhead** (difference) | – | **${fmt(overhead[0]!)}** | ${fmt(overhead[1]!)} | ${fmt(overhead[2]!)} | – | – | – |`);
  }
  for (const r of rows) if (r.note) out.push(`\n${r.name}: ${r.note}`);
  if (pairs?.steps.length) {
    out.push('');
    out.push('The paired sign-ins request by request (p50 ms per sign-in; a redirect followed is its own request):');
    out.push('');
    out.push('| sign-in | request | p50 ms |');
    out.push('|---|---|---:|');
    for (const s of pairs.steps) {
      const [side, ...rest] = s.name.split(' ');
      out.push(`| ${side === 'hub' ? 'through the hub' : 'straight at Kratos'} | ${rest.join(' ')} | ${fmt(s.p50)} |`);
    }
  }
  out.push('');
  out.push('CPU seconds per 1,000 operations, by process (all on the same cores), and Redis work per operation: the');
  out.push("commands Redis ran (those inside the hub's Lua scripts included) and its socket reads, one per batch the hub");
  out.push('sent (one per round trip with one request at a time; concurrent requests share batches, so fewer under load):');
  out.push('');
  out.push('| Row | hub | Kratos | Redis | load driver | Redis commands / op | Redis reads / op |');
  out.push('|---|---:|---:|---:|---:|---:|---:|');
  for (const r of [...rows, ...scaleRows.map((s) => s.row)]) {
    out.push(`| ${r.name} | ${fmtCpu(r.cpu.hub)} | ${fmtCpu(r.cpu.kratos)} | ${fmtCpu(r.cpu.redis)} | ${fmtCpu(r.cpu.driver)} | ${r.redisOps.commands.toFixed(1)} | ${r.redisOps.reads.toFixed(2)} |`);
  }
  if (scaleRows.length) {
    out.push('');
    out.push('Scale: SSO hop at a fixed rate with live provider sessions seeded in Redis:');
    out.push('');
    out.push('| live provider sessions | ops/s | p50 ms | p99 ms | hub peak RSS MB (PSS) | Redis used MB | errors |');
    out.push('|---:|---:|---:|---:|---:|---:|---:|');
    for (const s of scaleRows) out.push(`| ${s.sessions} | ${fmtRate(s.row)} | ${fmt(s.row.stats.p50)} | ${fmt(s.row.stats.p99)} | ${s.row.peakRssMb.toFixed(0)} (${s.row.peakPssMb.toFixed(0)}) | ${s.redisMb.toFixed(0)} | ${s.row.stats.errors} |`);
  }
  if (memory) out.push(`\n${memory}`);
  const warnings = hubOutput.filter((l) => /"level":(40|50|60)/.test(l) && !/WARNING: bridge/.test(l));
  if (warnings.length) out.push(`\nhub warnings/errors during the run (last ${Math.min(5, warnings.length)}):\n${warnings.slice(-5).join('\n')}`);
  if (env.BENCH_DUMP_HUB) out.push(`\nlast hub output:\n${hubOutput.join('\n')}`);
  for (const r of [...rows, ...scaleRows.map((x) => x.row)]) {
    if (r.stats.errors > 0) out.push(`\nerrors in "${r.name}" (${r.stats.errors}), first ones: ${r.stats.errorSamples.join(' | ') || '(no message)'}`);
  }
  if (kratosErrors.length) out.push(`\nKratos errors during the run (last ${kratosErrors.length}):\n${kratosErrors.join('\n')}`);
  const totalErrors = [...rows, ...scaleRows.map((s) => s.row)].reduce((n, r) => n + r.stats.errors, 0);
  out.push(`\ntotal errors: ${totalErrors}`);
  process.stdout.write(`${out.join('\n')}\n`);
  if (totalErrors > 0) process.exitCode = 1;
}

runBench(main, cleanups, log);
