/**
 * `npm run chaos [-- --short] [-- --only <name>]`: the fault-injection suite against the
 * production path on loopback (test/chaos/stack.ts): for each fault in turn, browsers keep
 * signing in again, hopping and refreshing through the front proxy while the fault is injected
 * and healed, then the suite checks what survived. Prints one row per fault. Bounded: every
 * fault lasts seconds, every request has a deadline, nothing leaves loopback.
 */
import { createTestCertificates, mapTestHostsToLoopback, TESTKIT_CACHE, trustTestCa } from '@ssohub/testkit';
import { FAULTS, type FaultReport, renderReport, runFault } from './run-chaos.ts';
import { startChaosRedis } from './redis.ts';
import { startChaosStack } from './stack.ts';

export const CHAOS_FULL = { faultMs: 15_000, settleMs: 3_000, workers: 6, users: 8, logoutWaitMs: 30_000 };
export const CHAOS_SHORT = { faultMs: 4_000, settleMs: 1_500, workers: 3, users: 4, logoutWaitMs: 20_000 };
export const RETRY_DELAYS_MS = [300, 600, 1_200, 2_500, 5_000];
/** The shortest lease the hub accepts: a delivery whose hub died is taken over after 5 s. */
export const LEASE_MS = 5_000;

if (import.meta.main) {
  const short = process.argv.includes('--short');
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
  const shape = short ? CHAOS_SHORT : CHAOS_FULL;
  mapTestHostsToLoopback();
  const certs = await createTestCertificates(TESTKIT_CACHE);
  trustTestCa(certs.caPem);
  const redis = await startChaosRedis();
  const stack = await startChaosStack({ redis, certs, users: shape.users, retryDelaysMs: RETRY_DELAYS_MS, leaseMs: LEASE_MS });
  const reports: FaultReport[] = [];
  try {
    for (const fault of FAULTS.filter((f) => !only || f.name.includes(only))) {
      process.stdout.write(`chaos: ${fault.name}...\n`);
      const report = await runFault(stack, fault, shape);
      reports.push(report);
      if (report.samples.length) process.stdout.write(`  e.g. ${report.samples.join('\n       ')}\n`);
    }
  } finally {
    await stack.stop();
    await redis.stop();
  }
  process.stdout.write(`\n${renderReport(reports)}\n`);
}
