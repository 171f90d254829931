import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import type { HubContext } from '../hub-context.ts';
import { registerHealth } from './register-health.ts';

describe('/health/serving, the probe of load balancers and readiness', () => {
  it('answers 200 while the hub takes traffic and 503 from the moment it shuts down, without asking Redis or Kratos', async () => {
    let stopping = false;
    const asked: string[] = [];
    // Any use of a dependency would show here: /health/serving must not depend on shared parts.
    const ctx = new Proxy({}, { get: (_t, key) => asked.push(String(key)) && undefined }) as unknown as HubContext;
    const app = Fastify();
    registerHealth(app, ctx, { shuttingDown: () => stopping });
    const serving = await app.inject('/health/serving');
    expect(serving.statusCode).toBe(200);
    expect(serving.json()).toEqual({ status: 'serving' });
    expect(serving.headers['cache-control']).toBe('no-store');
    stopping = true;
    const draining = await app.inject('/health/serving');
    expect(draining.statusCode).toBe(503);
    expect(draining.json()).toEqual({ status: 'shutting-down' });
    expect(asked).toEqual([]);
    await app.close();
  });
});
