/**
 * `npm run chaos [-- --short] [-- --only <name>]`: the fault-injection suite against the
 * production path on loopback (test/chaos/stack.ts): for each fault in turn, browsers keep
 * signing in again, hopping and refreshing through the front proxy while the fault is injected
 * and healed, then the suite checks what survived. Prints one row per fault. Bounded: every
 * fault lasts seconds, every request has a deadline, nothing leaves loopback. The short form
 * also runs in the test suite (chaos.test.ts), which asserts what the table shows.
 */
import { REPO_ROOT, createTestCertificates, mapTestHostsToLoopback, TESTKIT_CACHE, trustTestCa } from '@ssohub/testkit';
import { runToEnd } from '../deploy/support/native-process.ts';
import { FAULTS, type Fault, type FaultReport, renderReport, runFault } from './run-chaos.ts';
import { startClusterRedis, startSentinelRedis } from './redis.ts';
import { type ChaosRedis, startChaosStack } from './stack.ts';

export const CHAOS_FULL = { faultMs: 15_000, settleMs: 3_000, workers: 6, users: 8, logoutWaitMs: 30_000 };
export const CHAOS_SHORT = { faultMs: 4_000, settleMs: 1_500, workers: 3, users: 4, logoutWaitMs: 20_000 };
/**
 * The back-channel retry schedule the hubs get: compressed from the default (minutes to hours) so
 * a run stays short, but still longer in total (~20 s) than the longest fault (15 s) and its heal,
 * as the default is longer than any outage it is meant to ride out. A schedule that ends inside
 * the fault gives up on the logout by design (a `bridge.backchannel.abandoned` event).
 */
export const RETRY_DELAYS_MS = [300, 600, 1_200, 2_500, 5_000, 10_000];
/** The shortest lease the hub accepts: a delivery whose hub died is taken over after 5 s. */
export const LEASE_MS = 5_000;

/**
 * Builds the hub (the stack runs the built `ssohub-hub`, as a deployment does: a stale dist/
 * would test old code), then runs the selected faults: the Sentinel ones on one stack, then the
 * Cluster ones on another, each stack started only when a selected fault needs it. Returns one
 * report per fault, in order.
 */
export async function runChaos({
  shape,
  only,
  out = (line) => process.stdout.write(`${line}\n`),
  reports = [],
}: {
  shape: typeof CHAOS_SHORT;
  only?: string;
  out?: (line: string) => void;
  /** Where the reports go as each fault ends (so a caller still has them when a later stage fails). */
  reports?: FaultReport[];
}): Promise<FaultReport[]> {
  const selected = FAULTS.filter((f) => !only || f.name.includes(only));
  const stages: { startRedis: () => Promise<ChaosRedis>; faults: Fault[] }[] = [
    { startRedis: startSentinelRedis, faults: selected.filter((f) => (f.redis ?? 'sentinel') === 'sentinel') },
    { startRedis: startClusterRedis, faults: selected.filter((f) => f.redis === 'cluster') },
  ];
  await runToEnd('build the hub', process.execPath, [`${REPO_ROOT}/node_modules/turbo/bin/turbo`, 'run', 'build', '--filter=@ssohub/hub', '--output-logs=errors-only'], { TURBO_TELEMETRY_DISABLED: '1' }, REPO_ROOT);
  mapTestHostsToLoopback();
  const certs = await createTestCertificates(TESTKIT_CACHE);
  trustTestCa(certs.caPem);
  for (const stage of stages.filter((s) => s.faults.length > 0)) {
    const redis = await stage.startRedis();
    try {
      out(`chaos: on ${redis.description}`);
      const stack = await startChaosStack({ redis, certs, users: shape.users, retryDelaysMs: RETRY_DELAYS_MS, leaseMs: LEASE_MS });
      try {
        for (const fault of stage.faults) {
          out(`chaos: ${fault.name}...`);
          const report = await runFault(stack, fault, shape);
          reports.push(report);
          if (report.samples.length) out(`  e.g. ${report.samples.join('\n       ')}`);
        }
      } finally {
        await stack.stop();
      }
    } finally {
      await redis.stop();
    }
  }
  return reports;
}

if (import.meta.main) {
  const short = process.argv.includes('--short');
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
  const reports: FaultReport[] = [];
  try {
    await runChaos({ shape: short ? CHAOS_SHORT : CHAOS_FULL, only, reports });
  } finally {
    // What ran so far, even when a later stage failed to start.
    if (reports.length > 0) process.stdout.write(`\n${renderReport(reports)}\n`);
  }
}
