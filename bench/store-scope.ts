/**
 * @file `npm run bench:store-scope`: what the hub's wrapper around its Redis client costs
 * (storage/store-scope.ts: a deadline on every command, the request's store scope). The same
 * Redis commands (a GET, a HGETALL and a script, as a refresh mixes them) run through the bare
 * ioredis client and through the wrapped one inside a request scope, in interleaved rounds, from
 * closed loops; printed: commands per second and this process' CPU per command for each, and the
 * ratio. Redis runs on 127.0.0.1:6379 (or BENCH_REDIS_URL).
 *
 *   BENCH_ROUNDS (6)   BENCH_ROUND_MS (2000)   BENCH_CONCURRENCY (64)
 */
import { Redis } from 'ioredis';
import { RedisScript } from '../packages/hub/src/storage/redis-script.ts';
import { runInStoreScope, scopedStoreClient } from '../packages/hub/src/storage/store-scope.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const KEY = 'ssohub-bench:{scope}:k';
const SCRIPT = new RedisScript(`return redis.call('get', KEYS[1])`);

async function main() {
  const bare = new Redis(process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379', { enableAutoPipelining: true, commandTimeout: 1500 });
  const wrapped = scopedStoreClient(bare, 1500, { deadlineMs: 1500 }) as Redis;
  await bare.set(KEY, 'v');
  await bare.hset(`${KEY}:h`, { payload: '{"a":1}' });
  const one = async (redis: typeof bare, scoped: boolean) => {
    const work = async () => {
      await redis.get(KEY);
      await redis.hgetall(`${KEY}:h`);
      await SCRIPT.run(redis, [KEY], []);
    };
    await (scoped ? runInStoreScope(work) : work());
  };
  const round = async (name: 'bare' | 'wrapped') => {
    const redis = name === 'bare' ? bare : wrapped;
    const until = performance.now() + ROUND_MS;
    const cpu = process.cpuUsage();
    let ops = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (performance.now() < until) {
          await one(redis, name === 'wrapped');
          ops += 3;
        }
      }),
    );
    const used = process.cpuUsage(cpu);
    return { ops, rate: ops / (ROUND_MS / 1000), cpuUsPerOp: (used.user + used.system) / ops };
  };
  const rows: { bare: Awaited<ReturnType<typeof round>>; wrapped: Awaited<ReturnType<typeof round>> }[] = [];
  await round('bare');
  await round('wrapped');
  for (let i = 0; i < ROUNDS; i++) {
    // Interleaved, the order alternating: the machine is shared and noisy.
    const first = i % 2 === 0 ? 'bare' : 'wrapped';
    const a = await round(first);
    const b = await round(first === 'bare' ? 'wrapped' : 'bare');
    rows.push(first === 'bare' ? { bare: a, wrapped: b } : { bare: b, wrapped: a });
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  for (const [i, r] of rows.entries()) {
    console.log(`round ${i + 1}: bare ${Math.round(r.bare.rate)}/s ${r.bare.cpuUsPerOp.toFixed(2)} µs CPU/command; wrapped ${Math.round(r.wrapped.rate)}/s ${r.wrapped.cpuUsPerOp.toFixed(2)} µs CPU/command`);
  }
  const cpuBare = median(rows.map((r) => r.bare.cpuUsPerOp));
  const cpuWrapped = median(rows.map((r) => r.wrapped.cpuUsPerOp));
  console.log(`median CPU per command: bare ${cpuBare.toFixed(2)} µs, wrapped ${cpuWrapped.toFixed(2)} µs (+${(cpuWrapped - cpuBare).toFixed(2)} µs, ×${(cpuWrapped / cpuBare).toFixed(3)}); rate ratio wrapped/bare ${(median(rows.map((r) => r.wrapped.rate)) / median(rows.map((r) => r.bare.rate))).toFixed(3)}`);
  await bare.del(KEY, `${KEY}:h`);
  bare.disconnect();
}

await main();
