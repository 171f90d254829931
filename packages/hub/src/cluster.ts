import cluster from 'node:cluster';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSigningKey } from './bridge/provider/signing-keys.ts';
import { loadConfig } from './config/load-config.ts';
import { ConfigError } from './errors/ssohub-error.ts';
import { createLogger } from './http/create-logger.ts';
import { shutDownOnSignals } from './http/graceful-shutdown.ts';
import { serveClusterMetrics } from './metrics/cluster-metrics.ts';
import { tracingSettingsFromEnv } from './tracing/tracing-settings.ts';

/**
 * Multi-process entry of the hub: the primary forks SSOHUB_WORKERS workers (default: one per
 * core) with node:cluster. Every worker builds a full hub from the same SSOHUB_* environment and
 * listens on the same public port (the primary hands connections out round-robin); the hub keeps
 * no state in process memory that another worker would need (provider artefacts, guard counters
 * and bindings live in Redis), so this is the same as several instances behind a load balancer.
 *
 * The admin listener (admin API, /metrics) runs in worker 1 only, so admin actions are not spread
 * over workers; its /metrics asks the primary for the sum of every worker's (metrics/cluster-metrics.ts). A worker that dies is replaced.
 * SSOHUB_WORKERS=1 serves from this process (no primary); a supervisor restarts it.
 *
 * Each worker's V8 heap is capped (--max-old-space-size=128 --max-semi-space-size=8, unless
 * NODE_OPTIONS or the node flags already set them): the live heap is about 40 MB and an uncapped
 * heap grows lazily to 300+ MB per worker under load.
 *
 * Workers must share cookie keys and signing keys. With none configured (development only), the
 * primary generates one ephemeral set and hands it to every worker (with the usual warning).
 *
 * Installed, the `ssohub-hub` bin runs it (bin/ssohub-hub.js); in this repository, from the sources:
 *   SSOHUB_WORKERS=2 node --import ./scripts/from-source.ts packages/hub/src/cluster.ts
 */
const WORKER_INDEX = 'SSOHUB_WORKER_INDEX';
const REEXEC = 'SSOHUB_REEXECUTED';
// Workers enforce shutdown.timeoutMs themselves; the primary waits this much longer for their exit
// before giving up on them.
const PRIMARY_GRACE_MS = 2_000;
// About three times the live heap (~40 MB): 160 measured no faster and 10–20 MB larger (docs/benchmarks.md).
const WORKER_OLD_SPACE_MB = 128;
// 8 MB semi-spaces (16 MB young generation): with 4 MB, scavenges took ~14% of the hub's CPU on
// the SSO hop; 16 MB was no faster on the SSO hop than 8 and kept 12–20 MB more RSS, over the
// 200 MB target under refresh load (docs/benchmarks.md).
const WORKER_SEMI_SPACE_MB = 8;

async function runPrimary(): Promise<void> {
  const count = Number(process.env.SSOHUB_WORKERS ?? availableParallelism());
  if (!Number.isInteger(count) || count < 1 || count > 64) {
    process.stderr.write(`ssohub: SSOHUB_WORKERS must be an integer from 1 to 64 (got ${process.env.SSOHUB_WORKERS})\n`);
    process.exit(78);
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    // Each worker logs what it would warn about (unknown SSOHUB_* variables); the primary not again.
    config = loadConfig(process.env, { warn: () => {} });
    // Checked once here, so a wrong OTEL_* value stops the hub before any worker starts.
    tracingSettingsFromEnv(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nSee docs/configuration.md for every option.\n`);
      process.exit(78);
    }
    throw err;
  }
  // The hub's live heap is ~40 MB; left alone, V8 lets each worker's heap grow to several hundred
  // MB before collecting. Cap it unless the operator chose (NODE_OPTIONS or node flags).
  const chosen = `${process.env.NODE_OPTIONS ?? ''} ${process.execArgv.join(' ')}`;
  const heapFlags = [
    ...(/max[-_]old[-_]space[-_]size/.test(chosen) ? [] : [`--max-old-space-size=${WORKER_OLD_SPACE_MB}`]),
    ...(/max[-_]semi[-_]space[-_]size/.test(chosen) ? [] : [`--max-semi-space-size=${WORKER_SEMI_SPACE_MB}`]),
  ];
  if (count === 1) {
    // One worker needs no primary: a primary that only forwards connections costs a second
    // process' memory (~50 MB RSS). Replace this process with itself plus the heap flags (same
    // pid, so supervisors and signals are unaffected), then serve from it.
    // The marker stops a loop where execPath does not take node flags (a wrapper, a single
    // executable application): there the flags would not show up in execArgv.
    if (heapFlags.length > 0 && typeof process.execve === 'function' && !process.env[REEXEC]) {
      process.execve(process.execPath, [process.execPath, ...process.execArgv, ...heapFlags, ...process.argv.slice(1)], { ...process.env, [REEXEC]: '1' });
    }
    return runWorker();
  }
  const log = createLogger(config.logLevel);
  const shared: Record<string, string> = {};
  let keyDir: string | undefined;
  if (count > 1 && config.bridge.cookieKeys.length === 0) {
    log.warn('ssohub WARNING: bridge.cookieKeys is empty; the cluster primary generated one ephemeral key shared by its workers. Configure SSOHUB_COOKIE_KEYS.');
    shared.SSOHUB_COOKIE_KEYS = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
  }
  if (count > 1 && config.bridge.signingKeys.length === 0) {
    log.warn('ssohub WARNING: bridge.signingKeys is empty; the cluster primary generated ephemeral keys shared by its workers. Configure SSOHUB_SIGNING_KEYS_FILE.');
    keyDir = mkdtempSync(join(tmpdir(), 'ssohub-cluster-'));
    const file = join(keyDir, 'signing-keys.json');
    const keys = [await generateSigningKey('RS256', `ephemeral-rs256-${process.pid}`), await generateSigningKey('ES256', `ephemeral-es256-${process.pid}`)];
    writeFileSync(file, JSON.stringify(keys), { mode: 0o600 });
    shared.SSOHUB_SIGNING_KEYS_FILE = file;
  }

  cluster.setupPrimary({ execArgv: [...process.execArgv, ...heapFlags] });

  let stopping = false;
  let failedStop = false;
  const indexOf = new Map<number, number>();
  // Workers that have opened a listener. A worker installs its graceful shutdown once it serves;
  // before that, the SIGTERM passed on by stop() ends it at once, which is a clean stop: it has
  // served nothing and holds nothing to drain (a rollout that stops a pod while a worker is still
  // starting must not report a failed shutdown).
  const listening = new Set<number>();
  const fork = (index: number) => {
    const worker = cluster.fork({ ...shared, [WORKER_INDEX]: String(index) });
    indexOf.set(worker.id, index);
  };
  cluster.on('listening', (worker) => listening.add(worker.id));
  cluster.on('exit', (worker, code, signal) => {
    const index = indexOf.get(worker.id) ?? 0;
    indexOf.delete(worker.id);
    const served = listening.delete(worker.id);
    if (stopping) {
      // A worker that missed its deadline exits 1; the primary says so to its supervisor too.
      const stoppedWhileStarting = !served && signal === 'SIGTERM';
      if (stoppedWhileStarting) log.info({ worker: index }, 'hub worker stopped before it served');
      else if (code !== 0) failedStop = true;
      if (indexOf.size === 0) {
        if (keyDir) rmSync(keyDir, { recursive: true, force: true });
        process.exit(failedStop ? 1 : 0);
      }
      return;
    }
    log.error({ worker: index, code, signal }, 'hub worker exited; starting a new one');
    setTimeout(() => fork(index), 1_000).unref();
  });
  serveClusterMetrics();
  for (let i = 1; i <= count; i++) fork(i);
  log.info({ workers: count, pid: process.pid }, 'hub cluster started');

  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping hub workers');
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    setTimeout(() => {
      log.error({ timeoutMs: config.shutdown.timeoutMs + PRIMARY_GRACE_MS }, 'hub workers did not exit in time; exiting with status 1');
      process.exit(1);
    }, config.shutdown.timeoutMs + PRIMARY_GRACE_MS).unref();
  };
  // `on`, not `once`: a second signal (a process-group kill after ours) must not kill the
  // primary before its workers have drained.
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

async function runWorker(): Promise<void> {
  const index = Number(process.env[WORKER_INDEX] ?? 1);
  const warnings: string[] = [];
  const config = loadConfig(process.env, { warn: (message) => warnings.push(message) });
  const log = createLogger(config.logLevel).child({ worker: index });
  for (const message of warnings) log.warn(message);
  // Loaded here only: the primary never serves requests, so it stays small.
  const { buildApp } = await import('./app.ts');
  const { processMetrics } = await import('./metrics/hub-metrics.ts');
  const { shareClusterMetrics } = await import('./metrics/cluster-metrics.ts');
  const { startWorkerTracing } = await import('./tracing/start-worker-tracing.ts');
  const hub = await buildApp(config, { log, tracing: startWorkerTracing(process.env, log) });
  // Under a primary, /metrics (worker 1's admin listener) answers for every worker.
  if (cluster.isWorker) shareClusterMetrics([hub.ctx.metrics.registry, processMetrics(hub.ctx.metrics.registry.contentType)]);
  // Admin first: once this worker serves the public port, its admin API answers too (with more
  // workers, another worker may serve the public port before worker 1 is up).
  if (index === 1) await hub.admin.listen({ host: config.admin.host, port: config.admin.port });
  await hub.app.listen({ host: config.listen.host, port: config.listen.port });
  shutDownOnSignals(hub, { log, shutdown: config.shutdown });
}

/**
 * Runs this process as what node:cluster made it: the primary (which forks the workers, or with
 * one worker serves itself) or a worker. A worker is forked with the same entry script, so the
 * `ssohub-hub` bin and this module both end up here.
 */
export function runCluster(): void {
  const run = cluster.isPrimary ? runPrimary : runWorker;
  run().catch((err) => {
    process.stderr.write(`ssohub: failed to start${cluster.isPrimary ? '' : ' a worker'}: ${(err as Error).message}\n`);
    process.exit(1);
  });
}

if (import.meta.main) runCluster();
