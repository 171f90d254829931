/**
 * @file `node --import ./scripts/from-source.ts bench/floor.ts`: the floor of the hub's CPU per
 * operation (issue 25), and where the hub's CPU above it goes. Three sides answer the same SSO
 * hops and refreshes:
 * - hub: the hub itself (built JavaScript, one worker);
 * - provider: the hub's own OIDC bridge (createBridge from the hub's configuration: oidc-provider,
 *   the adapters, the provider hooks and events) served from node:http with none of the hub's
 *   layers around it (bench/floor/provider-server.ts); hub − provider is what Fastify, the mount
 *   and the hub's hooks cost, provider − floor what oidc-provider, Koa and the bridge cost;
 * - floor: a hand-written node:http server (bench/floor/floor-server.ts) with the same Redis
 *   commands and round trips, the same Kratos calls, the same signature algorithm and payloads of
 *   the same size, without a framework.
 * One private Redis, one Kratos (SQLite) that all use, one load driver each (bench/load-driver.ts
 * unchanged; the provider's and the floor's sign the same users in through the hub, which both
 * borrow for first sign-ins). All three run with the heap flags the hub's cluster gives its
 * worker. Rows interleave the sides (the order rotates by round), so the drift of a shared
 * machine hits them alike.
 *
 * Before the timed rounds, a probe of 40 operations per row at concurrency 1 counts, per
 * operation and per side, the Redis commands (MONITOR, the hub's background queue left out) and
 * Redis' read events (`total_reads_processed`: with one client in flight, its round trips).
 *
 *   BENCH_ROW_S        length of every timed row (default 8)
 *   BENCH_ROUNDS       interleaved rounds (default 3)
 *   BENCH_CONCURRENCY  closed-loop concurrency of each load driver (default 32)
 *   BENCH_RATE         operations per second of every timed row, open loop (default: closed loop),
 *                      to compare CPU per operation at the same throughput
 *   BENCH_ONLY         comma list of rows (sso,refresh,sso-es256,refresh-es256; default all)
 *   BENCH_LOG_LEVEL    hub log level (default warn)
 *   BENCH_FLOOR_PROF   directory: run the floor with --cpu-prof and write its profile there
 *                      (bench/summarize-profile.ts reads it)
 *   BENCH_PROVIDER_PROF  the same for the provider side
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startKratos, startSmtpCapture } from '@ssohub/testkit';
import { Redis } from 'ioredis';
import { BENCH_CLIENTS, buildHub, clientMetadata, keepOutputTail, ROOT, seedUsers, stopChild, waitUntil, writeBenchClientFiles } from './hub-process.ts';
import { describeSpeed, measureMachineSpeed } from './machine-speed.ts';
import { childrenOf, ProcessGroup } from './procfs.ts';
import type { DriverMessage, DriverReply, RunSpec, RunStats, Setup } from './protocol.ts';
import { runBench } from './run-bench.ts';

const env = process.env;
const num = (name: string, fallback: number) => (env[name] ? Number(env[name]) : fallback);
const ROW_MS = num('BENCH_ROW_S', 8) * 1000;
const ROUNDS = num('BENCH_ROUNDS', 3);
const CONCURRENCY = num('BENCH_CONCURRENCY', 32);
const LOG_LEVEL = env.BENCH_LOG_LEVEL ?? 'warn';
const ONLY = env.BENCH_ONLY ? new Set(env.BENCH_ONLY.split(',')) : undefined;
const PROBE_OPS = 40;
const RATE = env.BENCH_RATE ? Number(env.BENCH_RATE) : undefined;
const FLOOR_PROF = env.BENCH_FLOOR_PROF;
const PROVIDER_PROF = env.BENCH_PROVIDER_PROF;
// What packages/hub/src/cluster.ts adds to its worker's node flags (WORKER_OLD_SPACE_MB,
// WORKER_SEMI_SPACE_MB): the other two sides get them too, so young-generation collections cost
// all three alike.
const HEAP_FLAGS = ['--max-old-space-size=128', '--max-semi-space-size=8'];

// ES256 first: the issue's targets are for it. A refresh row uses the client of the hop row before it.
const ROWS = [
  { key: 'sso-es256', name: 'SSO hop, ES256 client', target: 1.6, spec: { scenario: 'sso-hop', client: 'es' } },
  { key: 'refresh-es256', name: 'Refresh, ES256 client', target: 0.6, spec: { scenario: 'refresh' } },
  { key: 'sso', name: 'SSO hop, RS256 client', target: 2.0, spec: { scenario: 'sso-hop', client: 'b' } },
  { key: 'refresh', name: 'Refresh, RS256 client', target: 0.9, spec: { scenario: 'refresh' } },
] as const satisfies readonly { key: string; name: string; target: number; spec: Pick<RunSpec, 'scenario' | 'client'> }[];
type Row = (typeof ROWS)[number];

type Variant = 'hub' | 'provider' | 'floor';
const VARIANTS: readonly Variant[] = ['hub', 'provider', 'floor'];
interface Side {
  variant: Variant;
  group: ProcessGroup;
  prefix: string;
  ask(m: DriverMessage): Promise<DriverReply>;
}

interface Measurement {
  round: number;
  row: Row;
  variant: Variant;
  stats: RunStats;
  /** CPU ms per operation (= CPU s per 1,000 operations). */
  cpu: number;
  kratosCpu: number;
  redisCpu: number;
  redisCommands: number;
  redisReads: number;
}

interface Probe {
  row: Row;
  variant: Variant;
  ops: number;
  commands: Map<string, number>;
  /** Bytes of the values written, by artefact (the key without prefix and id): [count, total]. */
  values: Map<string, [number, number]>;
  reads: number;
}

const cleanups: (() => Promise<unknown>)[] = [];
const log = (s: string) => process.stderr.write(`bench: ${s}\n`);

async function main() {
  const started = new Date();
  const speedBefore = measureMachineSpeed();
  log(`machine speed: ${describeSpeed(speedBefore)}`);
  const dir = await mkdtemp(join(tmpdir(), 'ssohub-bench-floor-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));

  // A Redis of its own: its CPU and counters are then the hub's and the floor's alone.
  const redisPort = await freePort();
  const redisServer = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  cleanups.push(() => stopChild(redisServer, 5_000));
  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2, retryStrategy: (n) => (n > 40 ? null : 100) });
  cleanups.unshift(async () => redis.disconnect());
  redis.on('error', () => {}); // refused until redis-server listens: waitUntil retries
  await waitUntil('redis-server', () => redis.ping().then(() => true, () => false));
  const redisGroup = new ProcessGroup('redis', () => [redisServer.pid!]);

  const smtp = await startSmtpCapture();
  cleanups.push(() => smtp.stop());
  const floorPort = await freePort();
  const floorUrl = `http://127.0.0.1:${floorPort}`;
  const floorIssuer = `${floorUrl}/oidc`;
  const providerPort = await freePort();
  const providerUrl = `http://127.0.0.1:${providerPort}`;
  const providerIssuer = `${providerUrl}/oidc`;
  // The clients through which the floor and the provider side borrow the hub's first sign-in
  // (bench/floor/floor-server.ts, bench/floor/provider-server.ts).
  const bridge = { id: 'floor-bridge', secret: 'bench-floor-bridge-secret-0123456789abcdef', redirectUri: `http://localhost:${floorPort}/cb` };
  const providerBridge = { id: 'provider-bridge', secret: 'bench-provider-bridge-secret-0123456789ab', redirectUri: `http://localhost:${providerPort}/cb` };
  // (localhost: the hub accepts http redirect URIs only there; it resolves to 127.0.0.1 here.)
  const { clientFile, keysFile } = await writeBenchClientFiles(dir, [
    clientMetadata(bridge.id, bridge.secret, bridge.redirectUri),
    clientMetadata(providerBridge.id, providerBridge.secret, providerBridge.redirectUri),
  ]);
  const wide = 1_000_000;
  const configFile = join(dir, 'hub.json');
  await writeFile(
    configFile,
    JSON.stringify({ guard: { ip: { burst: wide, perMinute: wide, failureThreshold: wide }, token: { ipBurst: wide, ipPerMinute: wide, clientBurst: wide, clientPerMinute: wide } } }),
  );
  await buildHub(log);

  const hubPort = await freePort();
  const hubUrl = `http://127.0.0.1:${hubPort}`;
  const hubIssuer = `${hubUrl}/oidc`;
  log('starting Kratos (SQLite)');
  const kratos = await startKratos({ hubUrl, smtpPort: smtp.port, dev: true, overrides: { log: { level: 'warning' } } });
  cleanups.unshift(() => kratos.stop());
  const kratosPid = childrenOf(process.pid, 'kratos')[0];
  if (!kratosPid) throw new Error('Kratos is not among this process children');
  const kratosGroup = new ProcessGroup('kratos', () => [kratosPid]);
  const users = await seedUsers(kratos.adminUrl, CONCURRENCY);
  const runId = Date.now().toString(36);
  const hubPrefix = `ssohub-bench:floor-${runId}-hub:`;
  const floorPrefix = `ssohub-bench:floor-${runId}-floor:`;
  const providerPrefix = `ssohub-bench:floor-${runId}-provider:`;
  // The hub's environment; the provider side gets the same but for its address and Redis prefix,
  // so its configuration (clients, keys, cookie keys, TTLs, guard limits) is the hub's.
  const hubEnv = async (publicUrl: string, port: number, prefix: string) => ({
    PATH: env.PATH,
    HOME: env.HOME,
    SSOHUB_WORKERS: '1',
    SSOHUB_CONFIG: configFile,
    SSOHUB_MODE: 'development',
    SSOHUB_PUBLIC_URL: publicUrl,
    SSOHUB_LISTEN_HOST: '127.0.0.1',
    SSOHUB_LISTEN_PORT: String(port),
    SSOHUB_ADMIN_PORT: String(await freePort()),
    SSOHUB_ADMIN_TOKEN: 'bench-admin-token-0123456789abcdef',
    SSOHUB_KRATOS_PUBLIC_URL: kratos.publicUrl,
    SSOHUB_KRATOS_ADMIN_URL: kratos.adminUrl,
    SSOHUB_REDIS_URL: redisUrl,
    SSOHUB_REDIS_PREFIX: prefix,
    SSOHUB_LOG_LEVEL: LOG_LEVEL,
    SSOHUB_COOKIE_KEYS: 'bench-cookie-key-0123456789abcdefghijklmnop',
    SSOHUB_SIGNING_KEYS_FILE: keysFile,
    SSOHUB_CLIENTS_FILE: clientFile,
  });

  log(`starting the hub on ${hubUrl}`);
  const hub = spawn(process.execPath, [join(ROOT, 'packages/hub/dist/cluster.js')], {
    env: await hubEnv(hubUrl, hubPort, hubPrefix),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const hubOutput = keepOutputTail(hub);
  cleanups.unshift(() => stopChild(hub, 15_000));
  await waitUntil('the hub', async () => {
    if (hub.exitCode !== null) throw new Error(`the hub exited (${hub.exitCode}):\n${hubOutput.slice(-20).join('\n')}`);
    return fetch(`${hubIssuer}/.well-known/openid-configuration`).then((r) => r.ok, () => false);
  });

  log(`starting the floor on ${floorUrl}`);
  const c = BENCH_CLIENTS;
  const floor = spawn(process.execPath, [...HEAP_FLAGS, ...(FLOOR_PROF ? ['--cpu-prof', '--cpu-prof-dir', FLOOR_PROF] : []), join(ROOT, 'bench/floor/floor-server.ts')], {
    env: {
      PATH: env.PATH,
      HOME: env.HOME,
      FLOOR_PORT: String(floorPort),
      FLOOR_ISSUER: floorIssuer,
      FLOOR_PREFIX: floorPrefix,
      FLOOR_HUB_ISSUER: hubIssuer,
      FLOOR_BRIDGE_CLIENT: JSON.stringify(bridge),
      FLOOR_CLIENTS: JSON.stringify([
        { ...c.a, alg: 'RS256' },
        { ...c.b, alg: 'RS256' },
        { ...c.es, alg: 'ES256' },
      ]),
      FLOOR_KEYS_FILE: keysFile,
      FLOOR_COOKIE_KEY: 'bench-floor-cookie-key-0123456789abcdefghij',
      FLOOR_REDIS_URL: redisUrl,
      FLOOR_KRATOS_PUBLIC: kratos.publicUrl,
      FLOOR_KRATOS_ADMIN: kratos.adminUrl,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const floorOutput = keepOutputTail(floor);
  cleanups.unshift(() => stopChild(floor, 5_000));
  await waitUntil('the floor', async () => {
    if (floor.exitCode !== null) throw new Error(`the floor exited (${floor.exitCode}):\n${floorOutput.slice(-20).join('\n')}`);
    return fetch(`${floorUrl}/ready`).then((r) => r.ok, () => false);
  });

  log(`starting the provider side on ${providerUrl}`);
  const provider = spawn(
    process.execPath,
    [...HEAP_FLAGS, ...(PROVIDER_PROF ? ['--cpu-prof', '--cpu-prof-dir', PROVIDER_PROF] : []), join(ROOT, 'bench/floor/provider-server.ts')],
    {
      env: { ...(await hubEnv(providerUrl, providerPort, providerPrefix)), PROVIDER_HUB_ISSUER: hubIssuer, PROVIDER_BRIDGE_CLIENT: JSON.stringify(providerBridge) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const providerOutput = keepOutputTail(provider);
  cleanups.unshift(() => stopChild(provider, 5_000));
  await waitUntil('the provider side', async () => {
    if (provider.exitCode !== null) throw new Error(`the provider side exited (${provider.exitCode}):\n${providerOutput.slice(-20).join('\n')}`);
    return fetch(`${providerIssuer}/.well-known/openid-configuration`).then((r) => r.ok, () => false);
  });

  const sides: Side[] = [];
  for (const [variant, issuer, prefix, group] of [
    ['hub', hubIssuer, hubPrefix, new ProcessGroup('hub', () => [hub.pid!, ...childrenOf(hub.pid!)])],
    ['provider', providerIssuer, providerPrefix, new ProcessGroup('provider', () => [provider.pid!])],
    ['floor', floorIssuer, floorPrefix, new ProcessGroup('floor', () => [floor.pid!])],
  ] as const) {
    const driver = fork(join(ROOT, 'bench/load-driver.ts'), [], { execArgv: ['--import', join(ROOT, 'scripts/from-source.ts')], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    cleanups.unshift(() => stopChild(driver, 5_000));
    const ask = askOf(driver, variant);
    log(`${variant}: signing every user in once (password, through the hub) and one SSO hop each`);
    const setup: Setup = { issuer, kratosPublicUrl: kratos.publicUrl, clients: c, users };
    await ask({ type: 'setup', setup });
    sides.push({ variant, group, prefix, ask });
  }

  const rows = ROWS.filter((r) => !ONLY || ONLY.has(r.key));
  const spec = (row: Row, durationMs: number, concurrency = CONCURRENCY, maxOps = 10_000_000, rate?: number): RunSpec => ({
    ...row.spec,
    concurrency,
    durationMs,
    maxOps,
    ...(rate ? { rate } : {}),
  });

  log(`probing the Redis commands of each row (${PROBE_OPS} operations at concurrency 1, MONITOR)`);
  const probes: Probe[] = [];
  for (const row of rows) for (const side of sides) probes.push(await probe(redisUrl, redis, side, row, spec(row, 30_000, 1, PROBE_OPS)));

  log('warming up every side on every row (3 s each)');
  for (const row of rows) for (const side of sides) await side.ask({ type: 'run', spec: spec(row, 3_000) });

  // What each side spends with no load (timers, background work): at a fixed rate it is spread over few operations.
  const idleBefore = sides.map((side) => side.group.cpu());
  await new Promise((r) => setTimeout(r, 3_000));
  const idle = sides.map((side, i) => ({ variant: side.variant, msPerS: ((side.group.cpu() - idleBefore[i]!) * 1000) / 3 }));
  log(`idle CPU: ${idle.map((x) => `${x.variant} ${x.msPerS.toFixed(1)} ms/s`).join(', ')}`);

  const measurements: Measurement[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    // Each side goes first, last and in the middle in turn (3 rounds: every position once).
    const shift = (round - 1) % sides.length;
    const order = [...sides.slice(shift), ...sides.slice(0, shift)];
    for (const row of rows) {
      for (const side of order) {
        const before = { cpu: side.group.cpu(), kratos: kratosGroup.cpu(), redis: redisGroup.cpu(), counters: await redisCounters(redis) };
        const reply = (await side.ask({ type: 'run', spec: spec(row, ROW_MS, CONCURRENCY, 10_000_000, RATE) })) as Extract<DriverReply, { type: 'result' }>;
        const after = { cpu: side.group.cpu(), kratos: kratosGroup.cpu(), redis: redisGroup.cpu(), counters: await redisCounters(redis) };
        const ops = reply.stats.ops;
        const perOp = (x: number) => (ops ? x / ops : Number.NaN);
        const m: Measurement = {
          round,
          row,
          variant: side.variant,
          stats: reply.stats,
          cpu: perOp((after.cpu - before.cpu) * 1000),
          kratosCpu: perOp((after.kratos - before.kratos) * 1000),
          redisCpu: perOp((after.redis - before.redis) * 1000),
          redisCommands: perOp(after.counters.commands - before.counters.commands),
          redisReads: perOp(after.counters.reads - before.counters.reads),
        };
        measurements.push(m);
        log(`round ${round}, ${row.key}, ${side.variant}: ${rate(m.stats).toFixed(0)} ops/s, CPU ${fmt(m.cpu)} ms/op, Kratos ${fmt(m.kratosCpu)}, Redis ${fmt(m.redisCpu)}, errors ${m.stats.errors}`);
      }
    }
  }
  for (const side of sides) await side.ask({ type: 'exit' }).catch(() => {});
  print(started, measurements, probes, idle, rows, { before: speedBefore, after: measureMachineSpeed() }, { hub: hubOutput, provider: providerOutput, floor: floorOutput });
}

function askOf(driver: ChildProcess, variant: Variant) {
  return (m: DriverMessage) =>
    new Promise<DriverReply>((resolvePromise, reject) => {
      const onExit = () => reject(new Error(`the load driver of the ${variant} exited`));
      driver.once('exit', onExit);
      driver.once('message', (r: DriverReply) => {
        driver.off('exit', onExit);
        if (r.type === 'error') reject(new Error(`load driver (${variant}): ${r.message}`));
        else resolvePromise(r);
      });
      driver.send(m);
    });
}

/**
 * One short row at concurrency 1 with MONITOR on: the commands the side's prefix received, by
 * name (not those scripts run; the hub's back-channel queue poll left out), and Redis' read events
 * per operation (one client in flight: its round trips, plus the rare poll).
 */
async function probe(url: string, redis: Redis, side: Side, row: Row, spec: RunSpec): Promise<Probe> {
  const monitorClient = new Redis(url, { maxRetriesPerRequest: 2 });
  const monitor = await monitorClient.monitor();
  const commands = new Map<string, number>();
  const values = new Map<string, [number, number]>();
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (source === 'lua' || !args.some((a) => a.startsWith(side.prefix)) || args.some((a) => a.includes('backchannel'))) return;
    const name = args[0]!.toLowerCase();
    commands.set(name, (commands.get(name) ?? 0) + 1);
    // upsert script: EVALSHA sha n key… payload …; SET key value EX ttl; XADD key … value
    const written: [string, string] | undefined = name === 'evalsha' && args.length > 10 ? [args[3]!, args[3 + Number(args[2])]!] : name === 'set' ? [args[1]!, args[2]!] : name === 'xadd' ? [args[1]!, args.at(-1)!] : undefined;
    if (!written) return;
    const artefact = written[0].slice(side.prefix.length).split(':').filter((part) => part.length < 20).join(':');
    const v = values.get(artefact) ?? [0, 0];
    values.set(artefact, [v[0] + 1, v[1] + Buffer.byteLength(written[1])]);
  });
  const before = await redisCounters(redis);
  const reply = (await side.ask({ type: 'run', spec })) as Extract<DriverReply, { type: 'result' }>;
  await new Promise((r) => setTimeout(r, 200));
  const after = await redisCounters(redis);
  monitor.disconnect();
  monitorClient.disconnect();
  if (reply.stats.errors) throw new Error(`probe ${row.key} (${side.variant}): ${reply.stats.errorSamples.join(' | ')}`);
  const ops = reply.stats.ops;
  // The two INFO calls are reads too.
  return { row, variant: side.variant, ops, commands, values, reads: (after.reads - before.reads - 2) / ops };
}

/** Redis' own counters: commands processed, and read events on client sockets (Redis >= 6). */
async function redisCounters(redis: Redis): Promise<{ commands: number; reads: number }> {
  const info = await redis.info('stats');
  const field = (name: string) => Number(new RegExp(`${name}:(\\d+)`).exec(info)?.[1] ?? Number.NaN);
  return { commands: field('total_commands_processed'), reads: field('total_reads_processed') };
}

const rate = (s: RunStats) => (s.ops / s.elapsedMs) * 1000;
const fmt = (x: number) => (Number.isFinite(x) ? (x < 1 ? x.toFixed(3) : x.toFixed(2)) : '–');
function median(xs: number[]): number {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (!s.length) return Number.NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function print(
  started: Date,
  measurements: Measurement[],
  probes: Probe[],
  idle: { variant: Variant; msPerS: number }[],
  rows: readonly Row[],
  speed: { before: ReturnType<typeof measureMachineSpeed>; after: ReturnType<typeof measureMachineSpeed> },
  outputs: Record<Variant, string[]>,
) {
  const out: string[] = [];
  out.push(`SSO Hub against its floor, ${started.toISOString()}`);
  out.push(
    `machine: ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}; hub (1 worker, built JavaScript), provider (the hub's bridge on node:http, bench/floor/provider-server.ts) and floor (bench/floor/floor-server.ts), each with node ${HEAP_FLAGS.join(' ')}; one Kratos (SQLite) and one private Redis for all three, a load driver each at concurrency ${CONCURRENCY}${RATE ? `, open loop at ${RATE} operations/s` : ', closed loop'}, rows of ${ROW_MS / 1000} s, ${ROUNDS} rounds`,
  );
  out.push(`machine speed: before ${describeSpeed(speed.before)}; after ${describeSpeed(speed.after)}`);
  out.push(
    `CPU with no load (3 s, counted in 10 ms ticks: ±3.3 ms/s; the figures below include it, spread over each row's operations): ${idle.map((x) => `${x.variant} ${x.msPerS.toFixed(1)} ms/s`).join(', ')}`,
  );
  out.push('');
  out.push('Redis per operation at concurrency 1 (MONITOR: commands sent with the side\'s prefix, a script counting as one; read events = round trips):');
  out.push('');
  out.push('| Row | side | commands | by name | read events | values written, mean bytes |');
  out.push('|---|---|---:|---|---:|---|');
  for (const p of probes) {
    const total = [...p.commands.values()].reduce((a, b) => a + b, 0) / p.ops;
    const names = [...p.commands].sort((a, b) => b[1] - a[1]).map(([n, k]) => `${n} ${(k / p.ops).toFixed(2)}`).join(', ');
    const sizes = [...p.values].sort((a, b) => a[0].localeCompare(b[0])).map(([k, [n, bytes]]) => `${k} ${(bytes / n).toFixed(0)}`).join(', ');
    out.push(`| ${p.row.name} | ${p.variant} | ${total.toFixed(2)} | ${names} | ${p.reads.toFixed(2)} | ${sizes} |`);
  }
  out.push('');
  out.push('Hub against floor: CPU ms per operation (= CPU s per 1,000 operations), per round, and medians (Kratos and Redis: their processes\' CPU while the side ran, per operation; commands and read events: Redis\' counters per operation, background work included, and the calls scripts make counted one by one, so they exceed the probe\'s figures):');
  out.push('');
  out.push('| Row | hub (per round) | floor (per round) | floor/hub per round | **median of floor/hub** | median hub → floor | target (hub) | ops/s hub → floor | p50 / p99 ms hub → floor | Kratos ms/op hub → floor | Redis ms/op hub → floor | Redis commands processed (read events) per op under load, hub → floor | errors hub + floor |');
  out.push('|---|---|---|---|---:|---|---:|---|---|---|---|---|---:|');
  for (const row of rows) {
    const of = (v: Variant) => measurements.filter((m) => m.row.key === row.key && m.variant === v);
    const hub = of('hub');
    const floor = of('floor');
    const ratios = floor.map((m) => m.cpu / hub.find((h) => h.round === m.round)!.cpu);
    const med = (xs: Measurement[], f: (m: Measurement) => number) => median(xs.map(f));
    const errors = [...hub, ...floor].reduce((n, m) => n + m.stats.errors, 0);
    if (!hub.length || !floor.length) continue;
    out.push(
      `| ${row.name} | ${hub.map((m) => fmt(m.cpu)).join(', ')} | ${floor.map((m) => fmt(m.cpu)).join(', ')} | ${ratios.map((r) => r.toFixed(2)).join(', ')} | **${median(ratios).toFixed(3)}** | ${fmt(med(hub, (m) => m.cpu))} → ${fmt(med(floor, (m) => m.cpu))} | ≤ ${row.target} | ${med(hub, (m) => rate(m.stats)).toFixed(0)} → ${med(floor, (m) => rate(m.stats)).toFixed(0)} | ${fmt(med(hub, (m) => m.stats.p50))} / ${fmt(med(hub, (m) => m.stats.p99))} → ${fmt(med(floor, (m) => m.stats.p50))} / ${fmt(med(floor, (m) => m.stats.p99))} | ${fmt(med(hub, (m) => m.kratosCpu))} → ${fmt(med(floor, (m) => m.kratosCpu))} | ${fmt(med(hub, (m) => m.redisCpu))} → ${fmt(med(floor, (m) => m.redisCpu))} | ${med(hub, (m) => m.redisCommands).toFixed(1)} (${med(hub, (m) => m.redisReads).toFixed(2)}) → ${med(floor, (m) => m.redisCommands).toFixed(1)} (${med(floor, (m) => m.redisReads).toFixed(2)}) | ${errors} |`,
    );
  }
  printSides(out, measurements, rows);
  for (const [variant, output] of Object.entries(outputs)) {
    const warnings = output.filter((l) => /"level":(40|50|60)/.test(l) && !/WARNING: bridge/.test(l));
    if (warnings.length) out.push(`\n${variant} warnings/errors (last ${Math.min(5, warnings.length)}):\n${warnings.slice(-5).join('\n')}`);
  }
  for (const m of measurements) if (m.stats.errors > 0) out.push(`\nerrors in round ${m.round}, ${m.row.key}, ${m.variant} (${m.stats.errors}): ${m.stats.errorSamples.join(' | ') || '(no message)'}`);
  const totalErrors = measurements.reduce((n, m) => n + m.stats.errors, 0);
  out.push(`\ntotal errors: ${totalErrors}`);
  process.stdout.write(`${out.join('\n')}\n`);
  if (totalErrors > 0) process.exitCode = 1;
}

/**
 * The three sides per row, then the decomposition: hub − provider is what the hub's layers around
 * oidc-provider cost (Fastify, the mount, the hub's hooks and plugins), provider − floor what
 * oidc-provider, Koa and the bridge's internals cost over hand-written code doing the same I/O.
 * Differences are the median of the per-round differences (each round runs the sides back to
 * back, so the machine's drift cancels in them), next to the difference of the medians.
 */
function printSides(out: string[], measurements: Measurement[], rows: readonly Row[]) {
  const of = (row: Row, v: Variant) => measurements.filter((m) => m.row.key === row.key && m.variant === v);
  const med = (xs: Measurement[], f: (m: Measurement) => number) => median(xs.map(f));
  out.push('');
  out.push('All three sides: CPU ms per operation, per round and median; the other columns are medians:');
  out.push('');
  out.push('| Row | side | CPU ms/op per round | **median CPU ms/op** | ops/s | p50 / p99 ms | Kratos ms/op | Redis ms/op | Redis commands processed (read events) per op under load | errors |');
  out.push('|---|---|---|---:|---:|---|---:|---:|---|---:|');
  for (const row of rows) {
    for (const v of VARIANTS) {
      const xs = of(row, v);
      if (!xs.length) continue;
      out.push(
        `| ${row.name} | ${v} | ${xs.map((m) => fmt(m.cpu)).join(', ')} | **${fmt(med(xs, (m) => m.cpu))}** | ${med(xs, (m) => rate(m.stats)).toFixed(0)} | ${fmt(med(xs, (m) => m.stats.p50))} / ${fmt(med(xs, (m) => m.stats.p99))} | ${fmt(med(xs, (m) => m.kratosCpu))} | ${fmt(med(xs, (m) => m.redisCpu))} | ${med(xs, (m) => m.redisCommands).toFixed(1)} (${med(xs, (m) => m.redisReads).toFixed(2)}) | ${xs.reduce((n, m) => n + m.stats.errors, 0)} |`,
      );
    }
  }
  out.push('');
  out.push('Decomposition of the hub\'s CPU over the floor (ms/op; median of the per-round differences, in brackets the difference of the medians). "outer" = hub − provider: Fastify, the mount, the hub\'s request hooks, metrics, logging; "provider" = provider − floor: oidc-provider, Koa and the bridge\'s internals; "margin" = target − provider median: what the hub\'s outer layers may cost at most for the hub to meet the target (negative: oidc-provider alone, serving these requests, is over it):');
  out.push('');
  out.push('| Row | hub | provider | floor | outer (hub − provider) | provider − floor | outer share of hub − floor | target (hub) | margin (target − provider) |');
  out.push('|---|---:|---:|---:|---|---|---:|---:|---:|');
  for (const row of rows) {
    const [hub, provider, floor] = VARIANTS.map((v) => of(row, v));
    if (!hub!.length || !provider!.length || !floor!.length) continue;
    const paired = (a: Measurement[], b: Measurement[]) => median(a.map((m) => m.cpu - (b.find((x) => x.round === m.round)?.cpu ?? Number.NaN)));
    const [h, p, f] = [hub!, provider!, floor!].map((xs) => med(xs, (m) => m.cpu)) as [number, number, number];
    const outer = paired(hub!, provider!);
    const inner = paired(provider!, floor!);
    const margin = row.target - p;
    out.push(
      `| ${row.name} | ${fmt(h)} | ${fmt(p)} | ${fmt(f)} | ${signed(outer)} (${signed(h - p)}) | ${signed(inner)} (${signed(p - f)}) | ${percent((h - p) / (h - f))} | ≤ ${row.target} | ${signed(margin)} |`,
    );
  }
}

const percent = (x: number) => (Number.isFinite(x) ? `${x < 0 ? '−' : ''}${Math.abs(x * 100).toFixed(0)} %` : '–');
const signed = (x: number) => (Number.isFinite(x) ? `${x >= 0 ? '+' : '−'}${fmt(Math.abs(x))}` : '–');

runBench(main, cleanups, log);
