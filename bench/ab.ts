/**
 * @file `node --import ./scripts/from-source.ts bench/ab.ts`: hub CPU per operation of two builds
 * of the hub, side by side in one run. BENCH_AB_BASE names another checkout of the repository
 * (a `git worktree` of the commit to compare with, `npm ci` done there); this checkout is "new".
 * One Redis serves two hubs (built JavaScript, one worker each, own ports, Redis prefix and
 * Kratos on SQLite; same clients, keys and configuration). Rounds interleave the hubs row by row
 * (who goes first alternates), so the drift of a shared machine (docs/benchmarks.md) hits both
 * alike, and the summary gives each round's new/base ratio of hub CPU per operation and their
 * median: on a busy machine two whole `npm run bench` runs minutes apart differed by ±25% in CPU
 * per operation for the same build, far more than the changes measured. Knobs:
 *
 *   BENCH_AB_BASE      the other checkout (required), e.g. /tmp/bench-base
 *   BENCH_ROW_S        length of every timed row (default 8)
 *   BENCH_ROUNDS       interleaved rounds (default 4)
 *   BENCH_CONCURRENCY  closed-loop concurrency of each load driver (default 32)
 *   BENCH_ONLY         comma list of rows (sso,refresh,sso-es256,refresh-es256; default all)
 *   BENCH_LOG_LEVEL    hub log level (default warn)
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { deleteKeysWithPrefix, freePort, startKratos, startSmtpCapture, startTestRedis } from '@ssohub/testkit';
import { Redis } from 'ioredis';
import { BENCH_CLIENTS, buildHub, keepOutputTail, ROOT, seedUsers, stopChild, waitUntil, writeBenchClientFiles } from './hub-process.ts';
import { describeSpeed, measureMachineSpeed } from './machine-speed.ts';
import { childrenOf, ProcessGroup } from './procfs.ts';
import type { DriverMessage, DriverReply, RunSpec, RunStats, Setup } from './protocol.ts';
import { runBench } from './run-bench.ts';

const env = process.env;
const num = (name: string, fallback: number) => (env[name] ? Number(env[name]) : fallback);
const ROW_MS = num('BENCH_ROW_S', 8) * 1000;
const ROUNDS = num('BENCH_ROUNDS', 4);
const CONCURRENCY = num('BENCH_CONCURRENCY', 32);
const LOG_LEVEL = env.BENCH_LOG_LEVEL ?? 'warn';
const ONLY = env.BENCH_ONLY ? new Set(env.BENCH_ONLY.split(',')) : undefined;
const BASE = env.BENCH_AB_BASE ? resolve(env.BENCH_AB_BASE) : undefined;

const ROWS = [
  { key: 'sso', name: 'SSO hop, RS256 client', spec: { scenario: 'sso-hop', client: 'b' } },
  // A refresh uses the client whose hop last gave the user its tokens: each refresh row follows its hop row.
  { key: 'refresh', name: 'Refresh, RS256 client', spec: { scenario: 'refresh' } },
  { key: 'sso-es256', name: 'SSO hop, ES256 client', spec: { scenario: 'sso-hop', client: 'es' } },
  { key: 'refresh-es256', name: 'Refresh, ES256 client', spec: { scenario: 'refresh' } },
] as const satisfies readonly { key: string; name: string; spec: Pick<RunSpec, 'scenario' | 'client'> }[];
type Row = (typeof ROWS)[number];

interface Hub {
  variant: 'base' | 'new';
  group: ProcessGroup;
  kratos: ProcessGroup;
  output: string[];
  ask(m: DriverMessage): Promise<DriverReply>;
  driver: ChildProcess;
}

interface Measurement {
  round: number;
  row: Row;
  variant: Hub['variant'];
  stats: RunStats;
  /** CPU ms per operation (= CPU s per 1,000 operations). */
  hubCpu: number;
  kratosCpu: number;
}

const cleanups: (() => Promise<unknown>)[] = [];
const log = (s: string) => process.stderr.write(`bench: ${s}\n`);

async function main() {
  if (!BASE) throw new Error('BENCH_AB_BASE is not set. Point it at a checkout of the commit to compare with (git worktree add /tmp/bench-base HEAD && (cd /tmp/bench-base && npm ci)).');
  const started = new Date();
  const speedBefore = measureMachineSpeed();
  log(`machine speed: ${describeSpeed(speedBefore)}`);
  const dir = await mkdtemp(join(tmpdir(), 'ssohub-bench-ab-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));

  const redisInfo = await startTestRedis();
  cleanups.push(() => redisInfo.stop());
  const redis = new Redis(redisInfo.url, { maxRetriesPerRequest: 2 });
  cleanups.push(async () => redis.disconnect());
  const runId = Date.now().toString(36);
  const smtp = await startSmtpCapture();
  cleanups.push(() => smtp.stop());
  const clients = BENCH_CLIENTS;
  const { clientFile, keysFile } = await writeBenchClientFiles(dir);
  // Every request comes from 127.0.0.1: the guard's buckets are opened wide, as in bench/run.ts.
  const wide = 1_000_000;
  const configFile = join(dir, 'hub.json');
  await writeFile(
    configFile,
    JSON.stringify({ guard: { ip: { burst: wide, perMinute: wide, failureThreshold: wide }, token: { ipBurst: wide, ipPerMinute: wide, clientBurst: wide, clientPerMinute: wide } } }),
  );

  await buildHub(log, BASE);
  await buildHub(log);

  const hubs: Hub[] = [];
  const kratosPids: number[] = [];
  for (const [variant, root] of [
    ['base', BASE],
    ['new', ROOT],
  ] as const) {
    const port = await freePort();
    const hubUrl = `http://127.0.0.1:${port}`;
    // A Kratos per hub: Kratos sends browsers to the one hub its base URL names.
    log(`starting Kratos (SQLite) for hub "${variant}"`);
    const kratos = await startKratos({ hubUrl, smtpPort: smtp.port, dev: true, overrides: { log: { level: 'warning' } } });
    cleanups.unshift(() => kratos.stop());
    const kratosPid = childrenOf(process.pid, 'kratos').find((pid) => !kratosPids.includes(pid));
    if (!kratosPid) throw new Error(`the Kratos of hub "${variant}" is not among this process' children`);
    kratosPids.push(kratosPid);
    const users = await seedUsers(kratos.adminUrl, CONCURRENCY);
    const prefix = `ssohub-bench:ab-${runId}-${variant}:`;
    cleanups.unshift(async () => void (await deleteKeysWithPrefix(redis, prefix)));
    log(`starting hub "${variant}" (${root}) on ${hubUrl}`);
    const hub = spawn(process.execPath, [join(root, 'packages/hub/dist/cluster.js')], {
      env: {
        PATH: env.PATH,
        HOME: env.HOME,
        SSOHUB_WORKERS: '1',
        SSOHUB_CONFIG: configFile,
        SSOHUB_MODE: 'development',
        SSOHUB_PUBLIC_URL: hubUrl,
        SSOHUB_LISTEN_HOST: '127.0.0.1',
        SSOHUB_LISTEN_PORT: String(port),
        SSOHUB_ADMIN_PORT: String(await freePort()),
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
    });
    const output = keepOutputTail(hub);
    cleanups.unshift(() => stopChild(hub, 15_000));
    const issuer = `${hubUrl}/oidc`;
    await waitUntil(`hub "${variant}"`, async () => {
      if (hub.exitCode !== null) throw new Error(`hub "${variant}" exited (${hub.exitCode}):\n${output.slice(-20).join('\n')}`);
      return fetch(`${issuer}/.well-known/openid-configuration`).then((r) => r.ok, () => false);
    });
    const driver = fork(join(ROOT, 'bench/load-driver.ts'), [], { execArgv: ['--import', join(ROOT, 'scripts/from-source.ts')], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    cleanups.unshift(() => stopChild(driver, 5_000));
    const ask = (m: DriverMessage) =>
      new Promise<DriverReply>((resolvePromise, reject) => {
        const onExit = () => reject(new Error(`the load driver of hub "${variant}" exited`));
        driver.once('exit', onExit);
        driver.once('message', (r: DriverReply) => {
          driver.off('exit', onExit);
          if (r.type === 'error') reject(new Error(`load driver (hub "${variant}"): ${r.message}`));
          else resolvePromise(r);
        });
        driver.send(m);
      });
    log(`hub "${variant}": signing every user in once (password) and one SSO hop each`);
    const setup: Setup = { issuer, kratosPublicUrl: kratos.publicUrl, clients, users };
    await ask({ type: 'setup', setup });
    hubs.push({ variant, group: new ProcessGroup(`hub ${variant}`, () => [hub.pid!, ...childrenOf(hub.pid!)]), kratos: new ProcessGroup(`kratos ${variant}`, () => [kratosPid]), output, ask, driver });
  }

  const rows = ROWS.filter((r) => !ONLY || ONLY.has(r.key));
  const spec = (row: Row, durationMs: number): RunSpec => ({ ...row.spec, concurrency: CONCURRENCY, durationMs, maxOps: 10_000_000 });
  log('warming up both hubs on every row (3 s each)');
  for (const row of rows) for (const hub of hubs) await hub.ask({ type: 'run', spec: spec(row, 3_000) });

  const measurements: Measurement[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const order = round % 2 ? hubs : [...hubs].reverse();
    for (const row of rows) {
      for (const hub of order) {
        const hubBefore = hub.group.cpu();
        const kratosBefore = hub.kratos.cpu();
        const reply = (await hub.ask({ type: 'run', spec: spec(row, ROW_MS) })) as Extract<DriverReply, { type: 'result' }>;
        const ops = reply.stats.ops;
        const perOp = (cpuSeconds: number) => (ops ? (cpuSeconds / ops) * 1000 : Number.NaN);
        const m: Measurement = { round, row, variant: hub.variant, stats: reply.stats, hubCpu: perOp(hub.group.cpu() - hubBefore), kratosCpu: perOp(hub.kratos.cpu() - kratosBefore) };
        measurements.push(m);
        log(`round ${round}, ${row.key}, ${hub.variant}: ${rate(m.stats).toFixed(0)} ops/s, hub CPU ${fmt(m.hubCpu)} ms/op, errors ${m.stats.errors}`);
      }
    }
  }
  for (const hub of hubs) await hub.ask({ type: 'exit' }).catch(() => {});
  print(started, measurements, rows, hubs, { before: speedBefore, after: measureMachineSpeed() });
}

const rate = (s: RunStats) => (s.ops / s.elapsedMs) * 1000;
const fmt = (x: number) => (Number.isFinite(x) ? (x < 1 ? x.toFixed(3) : x.toFixed(2)) : '–');
function median(xs: number[]): number {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (!s.length) return Number.NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function print(started: Date, measurements: Measurement[], rows: readonly Row[], hubs: Hub[], speed: { before: ReturnType<typeof measureMachineSpeed>; after: ReturnType<typeof measureMachineSpeed> }) {
  const out: string[] = [];
  out.push(`SSO Hub A/B, ${started.toISOString()}: base ${BASE}, new ${ROOT}`);
  out.push(`machine: ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}; two hubs (1 worker each, built JavaScript), a Kratos (SQLite) each, driver concurrency ${CONCURRENCY}, rows of ${ROW_MS / 1000} s, ${ROUNDS} rounds`);
  out.push(`machine speed: before ${describeSpeed(speed.before)}; after ${describeSpeed(speed.after)}`);
  out.push('');
  out.push('| Row | hub CPU ms/op, base (per round) | new (per round) | new/base per round | median new/base | ops/s base → new (median) | Kratos CPU ms/op base → new (median) | errors |');
  out.push('|---|---|---|---|---:|---|---|---:|');
  for (const row of rows) {
    const of = (v: Hub['variant']) => measurements.filter((m) => m.row.key === row.key && m.variant === v);
    const base = of('base');
    const next = of('new');
    const ratios = next.map((m) => m.hubCpu / base.find((b) => b.round === m.round)!.hubCpu);
    const errors = [...base, ...next].reduce((n, m) => n + m.stats.errors, 0);
    out.push(
      `| ${row.name} | ${base.map((m) => fmt(m.hubCpu)).join(', ')} | ${next.map((m) => fmt(m.hubCpu)).join(', ')} | ${ratios.map((r) => r.toFixed(2)).join(', ')} | **${median(ratios).toFixed(3)}** | ${median(base.map((m) => rate(m.stats))).toFixed(0)} → ${median(next.map((m) => rate(m.stats))).toFixed(0)} | ${fmt(median(base.map((m) => m.kratosCpu)))} → ${fmt(median(next.map((m) => m.kratosCpu)))} | ${errors} |`,
    );
  }
  for (const hub of hubs) {
    const warnings = hub.output.filter((l) => /"level":(40|50|60)/.test(l) && !/WARNING: bridge/.test(l));
    if (warnings.length) out.push(`\nhub "${hub.variant}" warnings/errors (last ${Math.min(5, warnings.length)}):\n${warnings.slice(-5).join('\n')}`);
  }
  for (const m of measurements) if (m.stats.errors > 0) out.push(`\nerrors in round ${m.round}, ${m.row.key}, ${m.variant} (${m.stats.errors}): ${m.stats.errorSamples.join(' | ') || '(no message)'}`);
  const totalErrors = measurements.reduce((n, m) => n + m.stats.errors, 0);
  out.push(`\ntotal errors: ${totalErrors}`);
  process.stdout.write(`${out.join('\n')}\n`);
  if (totalErrors > 0) process.exitCode = 1;
}

runBench(main, cleanups, log);
