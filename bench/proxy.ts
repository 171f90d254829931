/**
 * `npm run bench:proxy`: what the production path's front proxy costs, and that nothing breaks
 * behind it. The same signed-in browsers make SSO hops (authorize → code → token) in interleaved
 * rounds:
 *   direct  one hub instance, reached on its own listener (plain http on loopback, the
 *           X-Forwarded-* headers the proxy would add written by the browser itself);
 *   proxy   two hub instances behind Caddy with the compose Caddyfile (TLS, round robin).
 * Everything else (Kratos ×2 on PostgreSQL, Redis, the driver) is the chaos suite's stack, on this
 * machine's two cores. Prints per round and the medians: hops/s, p50/p99, errors, and the CPU per
 * hop of the hubs, Caddy and the rest, so the proxy's cost reads as CPU, not as one noisy rate.
 *
 *   BENCH_PROXY_ROUNDS (3)   BENCH_PROXY_SECONDS (8)   BENCH_PROXY_BROWSERS (16)
 */
import { createTestCertificates, mapTestHostsToLoopback, processStat, TESTKIT_CACHE, trustTestCa } from '@ssohub/testkit';
import { ChaosBrowser } from '../test/chaos/browser.ts';
import { startPersistentRedis } from '../test/chaos/redis.ts';
import { startChaosStack } from '../test/chaos/stack.ts';
import { childrenOf } from './procfs.ts';

const num = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const ROUNDS = num('BENCH_PROXY_ROUNDS', 3);
const SECONDS = num('BENCH_PROXY_SECONDS', 8);
const BROWSERS = num('BENCH_PROXY_BROWSERS', 16);

interface Phase {
  mode: 'direct' | 'proxy';
  round: number;
  ops: number;
  errors: number;
  errorSamples: string[];
  rate: number;
  p50: number;
  p99: number;
  /** CPU milliseconds per hop. */
  cpu: { hubs: number; caddy: number; rest: number };
}

const cpuOf = (pids: number[]) => pids.reduce((sum, pid) => sum + (processStat(pid)?.cpu ?? 0), 0);
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
const median = (xs: number[]) => quantile([...xs].sort((a, b) => a - b), 0.5);

mapTestHostsToLoopback();
const certs = await createTestCertificates(TESTKIT_CACHE);
trustTestCa(certs.caPem);
process.stdout.write(`bench:proxy: starting the stack (${BROWSERS} browsers, ${ROUNDS} rounds of ${SECONDS} s per mode)\n`);
const redis = await startPersistentRedis();
const stack = await startChaosStack({ redis, certs, users: BROWSERS, retryDelaysMs: [1_000] });
const phases: Phase[] = [];
try {
  const browsers = await Promise.all(
    stack.users.map(async (u) => {
      const b = new ChaosBrowser(stack.issuer, stack.client, () => {});
      await b.signIn(u.email, u.password);
      return b;
    }),
  );
  const hubPids = () => stack.hubs.flatMap((h) => [h.child.pid!, ...childrenOf(h.child.pid!)]);
  const restPids = () => [...stack.kratos.map((k) => k.child.pid!), process.pid];
  const run = async (mode: Phase['mode'], round: number): Promise<Phase> => {
    for (const b of browsers) b.direct = mode === 'direct' ? stack.hubUrls[0] : undefined;
    const latencies: number[] = [];
    const errorSamples: string[] = [];
    let errors = 0;
    const before = { hubs: cpuOf(hubPids()), caddy: cpuOf([stack.front.child.pid!]), rest: cpuOf(restPids()) };
    const started = performance.now();
    const until = started + SECONDS * 1000;
    await Promise.all(
      browsers.map(async (b) => {
        while (performance.now() < until) {
          const t = performance.now();
          try {
            await b.ssoHop();
            latencies.push(performance.now() - t);
          } catch (err) {
            errors++;
            if (errorSamples.length < 3) errorSamples.push((err as Error).message.slice(0, 160));
          }
        }
      }),
    );
    const elapsed = performance.now() - started;
    const ops = latencies.length;
    const perHop = (after: number, b: number) => ((after - b) * 1000) / Math.max(1, ops);
    latencies.sort((a, b) => a - b);
    return {
      mode,
      round,
      ops,
      errors,
      errorSamples,
      rate: (ops / elapsed) * 1000,
      p50: quantile(latencies, 0.5),
      p99: quantile(latencies, 0.99),
      cpu: { hubs: perHop(cpuOf(hubPids()), before.hubs), caddy: perHop(cpuOf([stack.front.child.pid!]), before.caddy), rest: perHop(cpuOf(restPids()), before.rest) },
    };
  };
  // One unrecorded round of each path warms them up; then the rounds alternate which goes first.
  process.stdout.write('bench:proxy: warming up\n');
  await run('direct', 0);
  await run('proxy', 0);
  for (let round = 1; round <= ROUNDS; round++) {
    const order: Phase['mode'][] = round % 2 ? ['direct', 'proxy'] : ['proxy', 'direct'];
    for (const mode of order) {
      const p = await run(mode, round);
      phases.push(p);
      process.stdout.write(
        `  round ${round} ${mode.padEnd(6)} ${p.rate.toFixed(0).padStart(5)} hops/s  p50 ${p.p50.toFixed(1)} ms  p99 ${p.p99.toFixed(1)} ms  errors ${p.errors}` +
          `  CPU ms/hop: hubs ${p.cpu.hubs.toFixed(2)} caddy ${p.cpu.caddy.toFixed(2)} kratos+driver ${p.cpu.rest.toFixed(2)}${p.errorSamples.length ? `  (${p.errorSamples.join(' | ')})` : ''}\n`,
      );
    }
  }
} finally {
  await stack.stop();
  await redis.stop();
}

const of = (mode: Phase['mode']) => phases.filter((p) => p.mode === mode);
const ratios = phases.filter((p) => p.mode === 'proxy').map((p) => p.rate / (phases.find((d) => d.mode === 'direct' && d.round === p.round)?.rate ?? Number.NaN));
const row = (mode: Phase['mode']) => {
  const ps = of(mode);
  return `${mode === 'direct' ? 'SSO hop, one hub, no proxy (http)    ' : 'SSO hop, two hubs behind Caddy (TLS) '} ${median(ps.map((p) => p.rate)).toFixed(0).padStart(5)} hops/s  p50 ${median(ps.map((p) => p.p50)).toFixed(1)} ms  p99 ${median(ps.map((p) => p.p99)).toFixed(1)} ms  errors ${ps.reduce((s, p) => s + p.errors, 0)}  CPU ms/hop: hubs ${median(ps.map((p) => p.cpu.hubs)).toFixed(2)} caddy ${median(ps.map((p) => p.cpu.caddy)).toFixed(2)}`;
};
process.stdout.write(`\nmedians over ${ROUNDS} interleaved rounds:\n${row('direct')}\n${row('proxy')}\nproxy/direct rate per round: ${ratios.map((r) => r.toFixed(2)).join(', ')} (median ${median(ratios).toFixed(2)})\n`);
