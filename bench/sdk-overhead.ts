import { createSsoClient, RedisSessionStore, ssoFastify } from '@ssohub/client';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import type { SdkSpec, SdkStats } from './protocol.ts';

type Triple = [number, number, number];

function percentiles(samples: number[]): Triple {
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
  return [at(0.5), at(0.95), at(0.99)];
}

async function time(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < Math.min(500, n); i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

/**
 * The SDK's per-request cost, in this process: a tiny Fastify app with the @ssohub/client plugin
 * and a Redis session store, holding a session from a real sign-in through the hub, against the
 * same route on an app without the SDK. Requests go through app.inject() (no socket), so the
 * difference is the SDK's own work: cookie scan, SHA-256, one Redis GETEX, JSON parse, access check.
 */
export async function measureSdk(spec: SdkSpec & { follow: (url: URL) => Promise<URL> }): Promise<SdkStats> {
  const redis = new Redis(spec.redisUrl, { maxRetriesPerRequest: 1 });
  try {
    const store = new RedisSessionStore({ redis, clientId: spec.clientId, keyPrefix: spec.keyPrefix });
    const client = await createSsoClient(
      { issuer: spec.issuer, clientId: spec.clientId, clientSecret: spec.clientSecret, baseUrl: spec.baseUrl, secrets: ['bench-cookie-secret-0123456789abcdefghij'], store, warn: () => {} },
      { production: false },
    );
    const start = await client.beginSignIn({ returnTo: '/' });
    const callback = await spec.follow(start.url);
    const signedIn = await client.completeSignIn(callback, start.setCookie.split(';')[0]);
    const sessionCookie = signedIn.setCookies.map((c) => c.split(';')[0]!).find((c) => c.startsWith(`${client.sessionCookieName}=`));
    if (!sessionCookie) throw new Error('the SDK sign-in set no session cookie');
    const cookie = `_ga=GA1.1.1234567890; theme=dark; ${sessionCookie}`;

    const app = Fastify();
    await app.register(ssoFastify, { client });
    app.get('/me', { config: { sso: { required: true } } }, async (request) => ({ sub: request.ssoSession?.claims.sub }));
    await app.ready();
    const bare = Fastify();
    bare.get('/me', async () => ({ sub: 'nobody' }));
    await bare.ready();

    const check = await app.inject({ url: '/me', headers: { cookie } });
    if (check.statusCode !== 200 || !check.body.includes('"sub":"')) throw new Error(`SDK route answered ${check.statusCode}: ${check.body.slice(0, 200)}`);

    const loadSession = await time(spec.iterations, () => client.loadSession(cookie));
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const withSdk = await time(spec.iterations, () => app.inject({ url: '/me', headers: { cookie } }));
    const elapsed = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const without = await time(spec.iterations, () => bare.inject({ url: '/me', headers: { cookie } }));
    await app.close();
    await bare.close();
    const total = spec.iterations + Math.min(500, spec.iterations);
    return {
      iterations: spec.iterations,
      withSdk: percentiles(withSdk),
      bare: percentiles(without),
      loadSession: percentiles(loadSession),
      cpuPer1000: ((cpu.user + cpu.system) / 1e6 / total) * 1000,
      opsPerSecond: (total / elapsed) * 1000,
    };
  } finally {
    const keys = await redis.keys(`${spec.keyPrefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  }
}
