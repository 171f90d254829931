import { request as httpRequest } from 'node:http';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import type { StoreClient } from '../storage/redis-client.ts';
import { scopedStoreClient } from '../storage/store-scope.ts';
import { registerHubRequest } from './register-hub-request.ts';

/** A client whose GET fails the way a frozen Redis does until `healthy` is set, counting what reached it. */
function fakeClient() {
  const state = { sent: 0, healthy: false };
  const client = {
    getBuiltinCommands: () => ['get', 'set', 'multi', 'exec', 'quit'],
    async get(key: string) {
      state.sent++;
      if (!state.healthy) throw new Error('Command timed out');
      return `value of ${key}`;
    },
    multi() {
      return { exec: async () => { state.sent++; return state.healthy ? [] : Promise.reject(new Error('Command timed out')); } };
    },
    status: 'ready',
  };
  return { state, client: client as unknown as StoreClient };
}

/** POSTs a JSON body in two writes 50 ms apart. */
function slowPost(url: string, first: string, second: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(first + second) } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk)).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.write(first);
    setTimeout(() => req.end(second), 50);
  });
}

async function appWith(redis: StoreClient) {
  const app = Fastify();
  registerHubRequest(app);
  // Two store reads in a row, each failure caught, as a route that falls back would do.
  app.post('/twice', async () => {
    const outcomes: string[] = [];
    for (const key of ['a', 'b']) outcomes.push(await redis.get(key).then((v) => String(v), (err: Error) => `${err.name}: ${err.message}`));
    outcomes.push(await redis.multi().exec().then(() => 'exec ok', (err: Error) => `${err.name}: ${err.message}`));
    return { outcomes };
  });
  await app.ready();
  return app;
}

describe('registerHubRequest with scopedStoreClient', () => {
  it('sends a request\'s later commands nowhere once one failed for want of Redis, also after a body was read', async () => {
    const { state, client } = fakeClient();
    const app = await appWith(scopedStoreClient(client, 1500));
    // Over a real socket, the body sent after a pause: it arrives in socket events, outside the
    // request's async context, and the handler runs from the end of that read.
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    const res = await slowPost(`${address}/twice`, '{"some":', '"body"}');
    await app.close();
    expect(res.status).toBe(200);
    expect((JSON.parse(res.body) as { outcomes: string[] }).outcomes).toEqual([
      'Error: Command timed out',
      'StoreUnavailableError: Redis failed earlier in this request; GET not sent',
      'StoreUnavailableError: Redis failed earlier in this request; MULTI/pipeline not sent',
    ]);
    expect(state.sent).toBe(1);
  });

  it('starts every request afresh, and leaves commands outside a request alone', async () => {
    const { state, client } = fakeClient();
    const scoped = scopedStoreClient(client, 1500);
    const app = await appWith(scoped);
    await app.inject({ method: 'POST', url: '/twice', payload: {} });
    state.healthy = true;
    const res = await app.inject({ method: 'POST', url: '/twice', payload: {} });
    expect(res.json().outcomes).toEqual(['value of a', 'value of b', 'exec ok']);
    state.healthy = false;
    // Outside a request (background work), every command is sent.
    await expect(scoped.get('x')).rejects.toThrow('Command timed out');
    await expect(scoped.get('y')).rejects.toThrow('Command timed out');
    expect(state.sent).toBe(1 + 3 + 2);
  });

  it('refuses only for one window after the failure', async () => {
    const { state, client } = fakeClient();
    let clock = 0;
    const scoped = scopedStoreClient(client, 1500, { now: () => clock });
    const { runInStoreScope } = await import('../storage/store-scope.ts');
    await runInStoreScope(async () => {
      await expect(scoped.get('a')).rejects.toThrow('Command timed out');
      clock = 1499;
      await expect(scoped.get('a')).rejects.toThrow('not sent');
      clock = 1500;
      state.healthy = true;
      await expect(scoped.get('a')).resolves.toBe('value of a');
    });
    expect(state.sent).toBe(2);
  });
});

describe('scopedStoreClient with a deadline', () => {
  it('fails a command the client keeps waiting on once the deadline passes, and the request\'s next ones at once', async () => {
    let sent = 0;
    const client = { getBuiltinCommands: () => ['get'], get: () => { sent++; return new Promise(() => {}); } } as unknown as StoreClient;
    const scoped = scopedStoreClient(client, 1500, { deadlineMs: 50 });
    const { runInStoreScope } = await import('../storage/store-scope.ts');
    const started = performance.now();
    await runInStoreScope(async () => {
      await expect(scoped.get('a')).rejects.toThrow('Redis did not answer within 50 ms');
      await expect(scoped.get('b')).rejects.toThrow('not sent');
    });
    expect(performance.now() - started).toBeLessThan(500);
    expect(sent).toBe(1);
  });
});
