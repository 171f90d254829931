/**
 * @file Measures the per-request cost of the SDK's hot path, `client.loadSession(cookieHeader)`
 * (cookie scan + SHA-256 + one store round trip), against Redis on 127.0.0.1:6379 and against
 * the memory store, and the overhead the Fastify plugin adds to a request (inject, with vs
 * without a session). Run: `npm exec -- node packages/client/bench/load-session.ts`.
 */
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import { MemorySessionStore, RedisSessionStore, type SsoClient, ssoFastify } from '../src/index.ts';
import { makeClient, signIn } from '../test/helpers/test-client.ts';
import { startTestHub } from '../test/helpers/test-hub.ts';

const N = Number(process.env.BENCH_N ?? 5000);

function stats(samples: number[]): string {
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!.toFixed(3);
  return `p50 ${at(0.5)} ms  p90 ${at(0.9)} ms  p99 ${at(0.99)} ms  (n=${samples.length})`;
}

async function time(fn: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 200; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < N; i++) {
    const t = process.hrtime.bigint();
    await fn();
    samples.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return samples;
}

const hub = await startTestHub();
const redis = new Redis({ host: '127.0.0.1', port: 6379, maxRetriesPerRequest: 1 });
const prefix = `ssohub:bench:${randomUUID()}:client:`;
try {
  const clients: [string, SsoClient][] = [
    ['memory', await makeClient(hub, { store: new MemorySessionStore({ clientId: 'app-a', warn: () => {} }) })],
    ['redis ', await makeClient(hub, { store: new RedisSessionStore({ redis, clientId: 'app-a', keyPrefix: prefix }) })],
  ];
  for (const [name, client] of clients) {
    const { cookie } = await signIn(hub, client);
    const header = `_ga=GA1.1.123; theme=dark; ${cookie}`;
    if (!(await client.loadSession(header))) throw new Error('bench session did not load');
    console.log(`loadSession ${name}: ${stats(await time(() => client.loadSession(header)))}`);

    const app = Fastify();
    await app.register(ssoFastify, { client });
    app.get('/', async (request) => ({ ok: request.ssoSession !== null }));
    await app.ready();
    const bare = Fastify();
    bare.get('/', async () => ({ ok: false }));
    await bare.ready();
    const withSession = await time(() => app.inject({ url: '/', headers: { cookie: header } }));
    const withoutCookie = await time(() => app.inject({ url: '/' }));
    const baseline = await time(() => bare.inject({ url: '/' }));
    console.log(`fastify ${name} inject, session cookie: ${stats(withSession)}`);
    console.log(`fastify ${name} inject, no cookie:      ${stats(withoutCookie)}`);
    console.log(`fastify        inject, no plugin:      ${stats(baseline)}`);
    await app.close();
    await bare.close();
  }
} finally {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
  await hub.close();
}
