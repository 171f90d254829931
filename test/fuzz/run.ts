/**
 * `npm run fuzz`: the malformed-request suite of issue 19, long form. Starts the hub (real Kratos,
 * Redis, SMTP capture) with its admin listener, the demo app (Fastify adapter) and an Express app
 * (Express adapter), all on loopback, then sends FUZZ_REQUESTS (default 200,000) generated cases
 * over raw sockets, FUZZ_CONCURRENCY (16) at a time, from FUZZ_SEED (random if unset; printed
 * first). FUZZ_ONLY=3,17 replays only those cases of the seed. Fails (exit 1) on any 5xx, hang,
 * dropped well-framed request or error-level log line. FUZZ_DEBUG=1 adds the caller's stack to
 * each console.error line. The short form (20,000 requests) runs in the test suite:
 * test/fuzz/fuzz.test.ts.
 */
import { createTestCertificates, ensureKratosBinary, mapTestHostsToLoopback, startTestRedis, TESTKIT_CACHE, trustTestCa } from '@ssohub/testkit';
import { fuzzPassed, renderFuzzReport, runFuzz } from './run-fuzz.ts';
import { startFuzzStack } from './stack.ts';

export const FUZZ_FULL = { requests: 200_000, concurrency: 16, deadlineMs: 5_000 };
export const FUZZ_SHORT = { requests: 20_000, concurrency: 16, deadlineMs: 5_000 };

/** The run's seed: FUZZ_SEED, else a fresh one (printed, so a failing run can be replayed). */
export function fuzzSeed(env = process.env): number {
  const given = env.FUZZ_SEED;
  if (given !== undefined && given !== '') {
    const n = Number(given);
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`FUZZ_SEED must be an integer in [0, 2^32), got ${given}`);
    return n;
  }
  return Math.floor(Math.random() * 0x100000000);
}

if (import.meta.main) {
  const seed = fuzzSeed();
  const requests = Number(process.env.FUZZ_REQUESTS ?? FUZZ_FULL.requests);
  const concurrency = Number(process.env.FUZZ_CONCURRENCY ?? FUZZ_FULL.concurrency);
  const only = process.env.FUZZ_ONLY ? process.env.FUZZ_ONLY.split(',').map((s) => Number(s.trim())) : undefined;
  process.stdout.write(`fuzz: seed ${seed} (replay: FUZZ_SEED=${seed} npm run fuzz), ${only ? `cases ${only.join(',')}` : `${requests} requests`}, concurrency ${concurrency}\n`);
  mapTestHostsToLoopback();
  await ensureKratosBinary();
  const certs = await createTestCertificates(TESTKIT_CACHE);
  trustTestCa(certs.caPem);
  const redis = await startTestRedis();
  let passed = false;
  try {
    const stack = await startFuzzStack({ certs, redisUrl: redis.url });
    try {
      const report = await runFuzz(stack.targets, stack.logs, {
        seed,
        requests,
        concurrency,
        deadlineMs: FUZZ_FULL.deadlineMs,
        ...(only ? { only } : {}),
        out: (line) => process.stdout.write(`${line}\n`),
      });
      process.stdout.write(`\n${renderFuzzReport(report)}\n`);
      passed = fuzzPassed(report);
    } finally {
      await stack.stop();
    }
  } finally {
    await redis.stop();
  }
  process.stdout.write(passed ? 'fuzz: passed\n' : 'fuzz: FAILED\n');
  process.exit(passed ? 0 : 1);
}
