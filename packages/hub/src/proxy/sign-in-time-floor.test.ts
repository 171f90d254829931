import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerErrorHandler } from '../errors/register-error-handler.ts';
import { registerKratosProxy } from './register-kratos-proxy.ts';
import { createSignInTimeFloor, FLOOR_CAP_MS, INITIAL_FLOOR_MS } from './sign-in-time-floor.ts';
import { allowAllSubmissions } from './submission-guard.ts';

describe('createSignInTimeFloor', () => {
  it('holds failures to the initial floor until a sign-in succeeded, then to the 90th percentile of recent successes', () => {
    const floor = createSignInTimeFloor();
    expect(floor.waitBeforeFailure(30)).toBe(INITIAL_FLOOR_MS - 30);
    for (const ms of [600, 620, 640, 610, 630, 650, 600, 615, 625, 900]) floor.succeeded(ms);
    expect(floor.waitBeforeFailure(30)).toBe(900 - 30);
    expect(floor.waitBeforeFailure(950)).toBe(0);
  });

  it('forgets old successes (32 kept) and never holds an answer past the cap', () => {
    const floor = createSignInTimeFloor();
    floor.succeeded(60_000);
    expect(floor.waitBeforeFailure(0)).toBe(FLOOR_CAP_MS);
    for (let i = 0; i < 32; i++) floor.succeeded(200);
    expect(floor.waitBeforeFailure(0)).toBe(200);
  });
});

// The proxy in front of a stand-in Kratos that, like the real one, answers a wrong password for
// an unknown identifier at once and one for a known identifier only after checking a hash.
describe('a failed password sign-in through the proxy', () => {
  let kratos: Server;
  let app: FastifyInstance;
  const HASH_MS = 250;

  beforeAll(async () => {
    kratos = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const form = new URLSearchParams(Buffer.concat(chunks).toString());
        const known = form.get('identifier') === 'known@x.test';
        const answer = () => {
          if (known && form.get('password') === 'right') res.writeHead(303, { location: '/', 'set-cookie': 'acme_session=s; Path=/; HttpOnly' }).end();
          else res.writeHead(200, { 'content-type': 'application/json' }).end('{"ui":{"messages":[{"id":4000006}]}}');
        };
        if (known) setTimeout(answer, HASH_MS);
        else answer();
      });
    });
    await new Promise<void>((r) => kratos.listen(0, '127.0.0.1', () => r()));
    app = Fastify();
    registerErrorHandler(app);
    await registerKratosProxy(app, {
      kratosPublicUrl: `http://127.0.0.1:${(kratos.address() as AddressInfo).port}`,
      publicUrl: 'https://login.example.test',
      sessionCookieName: 'acme_session',
      guard: allowAllSubmissions,
      signInFloor: createSignInTimeFloor({ initialMs: 100 }),
    });
  });
  afterAll(async () => {
    await app.close();
    await new Promise((r) => kratos.close(r));
  });

  const signIn = async (identifier: string, password: string) => {
    const started = performance.now();
    const res = await app.inject({
      method: 'POST',
      url: '/self-service/login?flow=f',
      payload: new URLSearchParams({ method: 'password', identifier, password }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    return { status: res.statusCode, ms: performance.now() - started };
  };

  it('answers an unknown identifier no sooner than a successful sign-in of a known one', async () => {
    // Before any success: the initial floor.
    expect((await signIn('nobody@x.test', 'wrong')).ms).toBeGreaterThanOrEqual(95);
    const ok = await signIn('known@x.test', 'right');
    expect(ok.status).toBe(303);
    const unknown = await signIn('nobody@x.test', 'wrong');
    const known = await signIn('known@x.test', 'wrong');
    console.info(`success ${Math.round(ok.ms)} ms; failure for an unknown identifier ${Math.round(unknown.ms)} ms, for a known one ${Math.round(known.ms)} ms`);
    expect(unknown.status).toBe(200);
    expect(unknown.ms).toBeGreaterThanOrEqual(HASH_MS - 5);
    expect(Math.abs(unknown.ms - known.ms)).toBeLessThan(150);
  });

  it('does not hold other submissions', async () => {
    const started = performance.now();
    const res = await app.inject({ method: 'POST', url: '/self-service/registration?flow=r', payload: 'method=code&traits.email=a%40x.test', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.statusCode).toBe(200);
    expect(performance.now() - started).toBeLessThan(80);
  });
});
