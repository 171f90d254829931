/**
 * @file `npm run bench:tracing`: what the hub's OpenTelemetry tracing (packages/hub/src/tracing/)
 * costs. One Redis and one OTLP sink serve THREE hubs (one worker each, own ports, Redis prefix
 * and Kratos on SQLite) that differ only in tracing: off (no OTEL_* at all), sampled at 100%
 * (always_on) and at 10% (parentbased_traceidratio 0.1). Rounds interleave the hubs row by row
 * (the order rotates each round), so the machine's drift (docs/benchmarks.md) hits all three
 * alike; the summary gives medians and per-round ratios against off. Everything listens on
 * 127.0.0.1. Knobs:
 *
 *   BENCH_ROW_S        length of every timed row (default 10)
 *   BENCH_ROUNDS       interleaved rounds (default 3)
 *   BENCH_CONCURRENCY  closed-loop concurrency of the load driver (default 32)
 *   BENCH_USERS        users signed in per hub (default: the concurrency)
 *   BENCH_ONLY         comma list of rows (sso,refresh; default both)
 *   BENCH_SETTLE_MS    pause after each row, counted in its CPU, so the spans it made are exported
 *                      and paid for before the next hub runs (default 5500: the hub's default
 *                      OTEL_BSP_SCHEDULE_DELAY of 5 s, plus margin)
 *   BENCH_LOG_LEVEL    hub log level (default warn)
 *   BENCH_HUB_SOURCE   1: run the hubs from their TypeScript sources instead of the build
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { deleteKeysWithPrefix, freePort, startKratos, startSmtpCapture, startTestRedis } from '@ssohub/testkit';
import { Redis } from 'ioredis';
import { BENCH_CLIENTS, buildHub, keepOutputTail, ROOT, seedUsers, stopChild, waitUntil, writeBenchClientFiles } from './hub-process.ts';
import { describeSpeed, measureMachineSpeed } from './machine-speed.ts';
import { type SinkCount, startOtlpSink } from './otlp-sink.ts';
import { childrenOf, ProcessGroup } from './procfs.ts';
import type { DriverMessage, DriverReply, RunSpec, RunStats, Setup } from './protocol.ts';
import { runBench } from './run-bench.ts';

const env = process.env;
const num = (name: string, fallback: number) => (env[name] ? Number(env[name]) : fallback);
const ROW_MS = num('BENCH_ROW_S', 10) * 1000;
const ROUNDS = num('BENCH_ROUNDS', 3);
const CONCURRENCY = num('BENCH_CONCURRENCY', 32);
const SETTLE_MS = num('BENCH_SETTLE_MS', 5500);
const LOG_LEVEL = env.BENCH_LOG_LEVEL ?? 'warn';
const HUB_FROM_SOURCE = env.BENCH_HUB_SOURCE === '1';
const ONLY = env.BENCH_ONLY ? new Set(env.BENCH_ONLY.split(',')) : undefined;

/** The three hubs: the same configuration but for these variables. */
const VARIANTS = [
  { name: 'off', otel: {} as Record<string, string> },
  { name: '100%', otel: { OTEL_TRACES_SAMPLER: 'always_on' } },
  { name: '10%', otel: { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' } },
] as const;
type VariantName = (typeof VARIANTS)[number]['name'];

const ROWS = [
  { key: 'sso', name: 'SSO hop (authorize → code → token)', scenario: 'sso-hop' },
  { key: 'refresh', name: 'Refresh-token grant (rotation)', scenario: 'refresh' },
] as const satisfies readonly { key: string; name: string; scenario: RunSpec['scenario'] }[];

interface Hub {
  variant: VariantName;
  issuer: string;
  group: ProcessGroup;
  kratosGroup: ProcessGroup;
  output: string[];
  /** The path its spans arrive on at the sink ('' when tracing is off). */
  sinkPath: string;
  ask(m: DriverMessage): Promise<DriverReply>;
  driver: ChildProcess;
}

interface Measurement {
  round: number;
  row: (typeof ROWS)[number];
  variant: VariantName;
  stats: RunStats;
  /** CPU ms per operation (= CPU s per 1,000 operations), over the row and its settle pause. */
  hubCpu: number;
  kratosCpu: number;
  /** This process: the OTLP sink, and the little the bench itself does meanwhile. */
  sinkCpu: number;
  sink: SinkCount;
}

const cleanups: (() => Promise<unknown>)[] = [];
const kratosErrors: string[] = [];
const log = (s: string) => process.stderr.write(`bench: ${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const started = new Date();
  const speedBefore = measureMachineSpeed();
  log(`machine speed: ${describeSpeed(speedBefore)}`);
  const dir = await mkdtemp(join(tmpdir(), 'ssohub-bench-tracing-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));

  const ports = await Promise.all(VARIANTS.map(async () => ({ hub: await freePort(), admin: await freePort() })));
  const hubUrls = ports.map((p) => `http://127.0.0.1:${p.hub}`);

  log('starting Redis, SMTP capture and the OTLP sink');
  const redisInfo = await startTestRedis();
  cleanups.push(() => redisInfo.stop());
  const redis = new Redis(redisInfo.url, { maxRetriesPerRequest: 2 });
  cleanups.push(async () => redis.disconnect());
  const runId = Date.now().toString(36);
  const prefixes = VARIANTS.map((_, i) => `ssohub-bench:tracing-${runId}-${i}:`);
  for (const prefix of prefixes) cleanups.unshift(async () => void (await deleteKeysWithPrefix(redis, prefix)));

  const sink = await startOtlpSink();
  cleanups.push(() => sink.stop());
  const smtp = await startSmtpCapture();
  cleanups.push(() => smtp.stop());
  const clients = BENCH_CLIENTS;
  const { clientFile, keysFile } = await writeBenchClientFiles(dir);
  // Every request comes from 127.0.0.1 and the guard throttles per IP: its buckets are opened wide, as in bench/run.ts.
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

  if (!HUB_FROM_SOURCE) await buildHub(log);
  const entry = HUB_FROM_SOURCE ? ['--import', join(ROOT, 'scripts/from-source.ts'), join(ROOT, 'packages/hub/src/cluster.ts')] : [join(ROOT, 'packages/hub/dist/cluster.js')];
  const userCount = num('BENCH_USERS', CONCURRENCY);

  const hubs: Hub[] = [];
  const kratosPids: number[] = [];
  for (const [i, variant] of VARIANTS.entries()) {
    const hubUrl = hubUrls[i]!;
    // A Kratos per hub: Kratos sends browsers to the one hub its base URL names (its login UI and
    // form actions), so a second hub in front of the same Kratos cannot sign anyone in. Only the
    // hub under load makes its Kratos work; the other two sit idle meanwhile.
    log(`starting Kratos (SQLite) for hub "${variant.name}"`);
    const kratos = await startKratos({
      hubUrl,
      smtpPort: smtp.port,
      dev: true,
      overrides: { log: { level: 'warning' } },
      log: (line) => {
        if (!/level=(error|fatal|panic)|"level":"(error|fatal|panic)"/.test(line)) return;
        kratosErrors.push(line.slice(0, 600));
        if (kratosErrors.length > 5) kratosErrors.shift();
      },
    });
    cleanups.unshift(() => kratos.stop());
    const kratosPid = childrenOf(process.pid, 'kratos').find((pid) => !kratosPids.includes(pid));
    if (!kratosPid) throw new Error(`the Kratos of hub "${variant.name}" is not among this process' children`);
    kratosPids.push(kratosPid);
    const kratosGroup = new ProcessGroup(`kratos ${variant.name}`, () => [kratosPid]);
    log(`seeding ${userCount} users through Kratos' admin API`);
    const users = await seedUsers(kratos.adminUrl, userCount);
    const sinkBase = `/${i}-${variant.name === '100%' ? 'all' : variant.name === '10%' ? 'tenth' : 'off'}`;
    const tracingEnv: Record<string, string> = Object.keys(variant.otel).length ? { ...variant.otel, OTEL_EXPORTER_OTLP_ENDPOINT: `${sink.url}${sinkBase}` } : {};
    log(`starting hub "${variant.name}" on ${hubUrl}${Object.keys(tracingEnv).length ? ` (${Object.entries(tracingEnv).map(([k, v]) => `${k}=${v}`).join(' ')})` : ' (no OTEL_*)'}`);
    const hub = spawn(process.execPath, entry, {
      env: {
        PATH: env.PATH,
        HOME: env.HOME,
        SSOHUB_WORKERS: '1',
        SSOHUB_CONFIG: configFile,
        SSOHUB_MODE: 'development',
        SSOHUB_PUBLIC_URL: hubUrl,
        SSOHUB_LISTEN_HOST: '127.0.0.1',
        SSOHUB_LISTEN_PORT: String(ports[i]!.hub),
        SSOHUB_ADMIN_PORT: String(ports[i]!.admin),
        SSOHUB_ADMIN_TOKEN: 'bench-admin-token-0123456789abcdef',
        SSOHUB_KRATOS_PUBLIC_URL: kratos.publicUrl,
        SSOHUB_KRATOS_ADMIN_URL: kratos.adminUrl,
        SSOHUB_REDIS_URL: redisInfo.url,
        SSOHUB_REDIS_PREFIX: prefixes[i],
        SSOHUB_LOG_LEVEL: LOG_LEVEL,
        SSOHUB_COOKIE_KEYS: 'bench-cookie-key-0123456789abcdefghijklmnop',
        SSOHUB_SIGNING_KEYS_FILE: keysFile,
        SSOHUB_CLIENTS_FILE: clientFile,
        ...tracingEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = keepOutputTail(hub);
    cleanups.unshift(() => stopChild(hub, 15_000));
    const issuer = `${hubUrl}/oidc`;
    const group = new ProcessGroup(`hub ${variant.name}`, () => [hub.pid!, ...childrenOf(hub.pid!)]);
    await waitUntil(`hub "${variant.name}"`, async () => {
      if (hub.exitCode !== null) throw new Error(`hub "${variant.name}" exited (${hub.exitCode}):\n${output.slice(-20).join('\n')}`);
      return fetch(`${issuer}/.well-known/openid-configuration`).then((r) => r.ok, () => false);
    });

    // One load driver per hub: a driver keeps its users' cookie jars and tokens for one issuer.
    const driver = fork(join(ROOT, 'bench/load-driver.ts'), [], { execArgv: ['--import', join(ROOT, 'scripts/from-source.ts')], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    cleanups.unshift(() => stopChild(driver, 5_000));
    const ask = (m: DriverMessage) =>
      new Promise<DriverReply>((resolvePromise, reject) => {
        const onExit = () => reject(new Error(`the load driver of hub "${variant.name}" exited`));
        driver.once('exit', onExit);
        driver.once('message', (r: DriverReply) => {
          driver.off('exit', onExit);
          if (r.type === 'error') reject(new Error(`load driver (hub "${variant.name}"): ${r.message}`));
          else resolvePromise(r);
        });
        driver.send(m);
      });
    log(`hub "${variant.name}": signing every user in once (password) and one SSO hop each`);
    const setup: Setup = { issuer, kratosPublicUrl: kratos.publicUrl, clients, users };
    await ask({ type: 'setup', setup });
    hubs.push({ variant: variant.name, issuer, group, output, sinkPath: tracingEnv.OTEL_EXPORTER_OTLP_ENDPOINT ? `${sinkBase}/v1/traces` : '', ask, driver, kratosGroup });
  }

  const rows = ROWS.filter((r) => !ONLY || ONLY.has(r.key));
  const spec = (scenario: RunSpec['scenario'], durationMs: number): RunSpec => ({ scenario, concurrency: CONCURRENCY, durationMs, maxOps: 10_000_000 });
  log('warming up every hub on every row (3 s each)');
  for (const row of rows) for (const hub of hubs) await hub.ask({ type: 'run', spec: spec(row.scenario, Math.min(3_000, ROW_MS)) });
  await sleep(SETTLE_MS);

  const measurements: Measurement[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    // Rotate who goes first: a hub measured right after another's burst would otherwise always
    // share the cores with the same tail of work.
    const order = hubs.map((_, i) => hubs[(i + round - 1) % hubs.length]!);
    for (const row of rows) {
      for (const hub of order) {
        const hubBefore = hub.group.cpu();
        const kratosBefore = hub.kratosGroup.cpu();
        const selfBefore = process.cpuUsage();
        const sinkBefore = sink.counts(hub.sinkPath);
        const reply = (await hub.ask({ type: 'run', spec: spec(row.scenario, ROW_MS) })) as Extract<DriverReply, { type: 'result' }>;
        // The batch processor exports up to OTEL_BSP_SCHEDULE_DELAY later: that work belongs to this row.
        await sleep(SETTLE_MS);
        const self = process.cpuUsage(selfBefore);
        const sinkAfter = sink.counts(hub.sinkPath);
        const ops = reply.stats.ops;
        const perOp = (cpuSeconds: number) => (ops ? (cpuSeconds / ops) * 1000 : Number.NaN);
        const m: Measurement = {
          round,
          row,
          variant: hub.variant,
          stats: reply.stats,
          hubCpu: perOp(hub.group.cpu() - hubBefore),
          kratosCpu: perOp(hub.kratosGroup.cpu() - kratosBefore),
          sinkCpu: perOp((self.user + self.system) / 1e6),
          sink: hub.sinkPath ? { requests: sinkAfter.requests - sinkBefore.requests, bytes: sinkAfter.bytes - sinkBefore.bytes } : { requests: 0, bytes: 0 },
        };
        measurements.push(m);
        log(`round ${round}, ${row.key}, tracing ${hub.variant}: ${rate(m.stats).toFixed(0)} ops/s, p99 ${fmt(m.stats.p99)} ms, hub CPU ${fmt(m.hubCpu)} ms/op, ${m.sink.requests} exports, errors ${m.stats.errors}`);
      }
    }
  }

  for (const hub of hubs) await hub.ask({ type: 'exit' }).catch(() => {});
  print({ started, measurements, rows, hubs, speed: { before: speedBefore, after: measureMachineSpeed() } });
}

const rate = (s: RunStats) => (s.ops / s.elapsedMs) * 1000;
const fmt = (x: number) => (Number.isFinite(x) ? (x < 1 ? x.toFixed(3) : x < 10 ? x.toFixed(2) : x.toFixed(1)) : '–');
const ratio = (x: number) => (Number.isFinite(x) ? `${x.toFixed(3)}x` : '–');
function median(xs: number[]): number {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (!s.length) return Number.NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function print({
  started,
  measurements,
  rows,
  hubs,
  speed,
}: {
  started: Date;
  measurements: Measurement[];
  rows: readonly (typeof ROWS)[number][];
  hubs: Hub[];
  speed: { before: ReturnType<typeof measureMachineSpeed>; after: ReturnType<typeof measureMachineSpeed> };
}) {
  const out: string[] = [];
  out.push(`SSO Hub tracing cost, ${started.toISOString()}`);
  out.push(
    `machine: ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}; three hubs (1 worker each, ${HUB_FROM_SOURCE ? 'from TypeScript sources' : 'built JavaScript'}), a Kratos (SQLite) each, driver concurrency ${CONCURRENCY}, rows of ${ROW_MS / 1000} s + ${SETTLE_MS / 1000} s settle, ${ROUNDS} rounds`,
  );
  out.push(`machine speed (compare runs only when these agree): before ${describeSpeed(speed.before)}; after ${describeSpeed(speed.after)}`);
  out.push('CPU is ms per operation (= CPU s per 1,000 operations) over the row and its settle pause; "sink" is this process (the OTLP sink, which counts and discards).');
  for (let round = 1; round <= ROUNDS; round++) {
    out.push('');
    out.push(`Round ${round}:`);
    out.push('');
    out.push('| Row | tracing | ops/s | p50 ms | p99 ms | hub CPU ms/op | Kratos CPU ms/op | sink CPU ms/op | OTLP exports | OTLP KB | errors |');
    out.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const m of measurements.filter((x) => x.round === round)) {
      out.push(
        `| ${m.row.name} | ${m.variant} | ${rate(m.stats).toFixed(0)} | ${fmt(m.stats.p50)} | ${fmt(m.stats.p99)} | ${fmt(m.hubCpu)} | ${fmt(m.kratosCpu)} | ${fmt(m.sinkCpu)} | ${m.sink.requests} | ${(m.sink.bytes / 1024).toFixed(0)} | ${m.stats.errors} |`,
      );
    }
  }
  out.push('');
  out.push(`Summary: medians over ${ROUNDS} rounds; ratios against off are taken within each round (same minute of the machine), then the median:`);
  out.push('');
  out.push('| Row | tracing | ops/s | p99 ms | hub CPU ms/op | hub CPU / off | ops/s / off | OTLP exports (total) | OTLP bytes / op |');
  out.push('|---|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const row of rows) {
    for (const v of VARIANTS) {
      const mine = measurements.filter((m) => m.row.key === row.key && m.variant === v.name);
      const offOf = (round: number) => measurements.find((m) => m.row.key === row.key && m.variant === 'off' && m.round === round)!;
      const cpuRatios = mine.map((m) => m.hubCpu / offOf(m.round).hubCpu);
      const rateRatios = mine.map((m) => rate(m.stats) / rate(offOf(m.round).stats));
      const exports = mine.reduce((n, m) => n + m.sink.requests, 0);
      const bytes = mine.reduce((n, m) => n + m.sink.bytes, 0);
      const ops = mine.reduce((n, m) => n + m.stats.ops, 0);
      const spread = (xs: number[]) => `${ratio(median(xs))} (${ratio(Math.min(...xs))}–${ratio(Math.max(...xs))})`;
      out.push(
        `| ${row.name} | ${v.name} | ${median(mine.map((m) => rate(m.stats))).toFixed(0)} | ${fmt(median(mine.map((m) => m.stats.p99)))} | ${fmt(median(mine.map((m) => m.hubCpu)))} | ${v.name === 'off' ? '1' : spread(cpuRatios)} | ${v.name === 'off' ? '1' : spread(rateRatios)} | ${exports} | ${ops ? (bytes / ops).toFixed(0) : '–'} |`,
      );
    }
  }
  for (const hub of hubs) {
    const warnings = hub.output.filter((l) => /"level":(40|50|60)/.test(l) && !/WARNING: bridge/.test(l));
    if (warnings.length) out.push(`\nhub "${hub.variant}" warnings/errors (last ${Math.min(5, warnings.length)}):\n${warnings.slice(-5).join('\n')}`);
  }
  for (const m of measurements) if (m.stats.errors > 0) out.push(`\nerrors in round ${m.round}, ${m.row.key}, tracing ${m.variant} (${m.stats.errors}): ${m.stats.errorSamples.join(' | ') || '(no message)'}`);
  if (kratosErrors.length) out.push(`\nKratos errors during the run (last ${kratosErrors.length}):\n${kratosErrors.join('\n')}`);
  const totalErrors = measurements.reduce((n, m) => n + m.stats.errors, 0);
  out.push(`\ntotal errors: ${totalErrors}`);
  process.stdout.write(`${out.join('\n')}\n`);
  if (totalErrors > 0) process.exitCode = 1;
}

runBench(main, cleanups, log);
