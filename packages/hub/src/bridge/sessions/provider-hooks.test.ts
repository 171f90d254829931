import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type AdapterPayload } from 'oidc-provider';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { MemoryModelStore, MemoryState } from '../adapter/memory-model-store.ts';
import { requestScopedReads } from '../adapter/request-scoped-reads.ts';
import { registerProviderHooks } from './provider-hooks.ts';

describe('the token endpoint with deferred writes', () => {
  // A bare provider with the hub's hooks: client_credentials writes one artefact at /token,
  // through the same request-scoped adapter the hub uses.
  async function tokenEndpoint(failWrites: boolean) {
    const state = new MemoryState();
    let writes = 0;
    const adapter = (name: string) => {
      const inner = new MemoryModelStore(name, state);
      const store = Object.assign(Object.create(inner), {
        async upsert(id: string, payload: AdapterPayload, ttl?: number) {
          writes++;
          if (failWrites && name === 'ClientCredentials') throw new Error('redis went away');
          return inner.upsert(id, payload, ttl);
        },
      }) as MemoryModelStore;
      return requestScopedReads(store, name);
    };
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const provider = new Provider('http://127.0.0.1', {
      adapter: adapter as never,
      jwks: { keys: [{ ...(await exportJWK(privateKey)), alg: 'ES256', use: 'sig' } as never] },
      ttl: { ClientCredentials: 60 },
      clients: [{ client_id: 'svc', client_secret: 'svc-secret-svc-secret-svc-secret', grant_types: ['client_credentials'], response_types: [], redirect_uris: [], id_token_signed_response_alg: 'ES256' }],
      features: { clientCredentials: { enabled: true }, devInteractions: { enabled: false } },
    });
    const events: string[] = [];
    provider.on('server_error', () => events.push('server_error'));
    provider.on('grant.error', () => events.push('grant.error'));
    provider.on('grant.success', () => events.push('grant.success'));
    registerProviderHooks(provider, { kratos: {} as never, checks: {} as never, sessions: {} as never, audit: {} as never, log: pino({ level: 'silent' }), shortcuts: true });
    const server = http.createServer(provider.callback());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('svc:svc-secret-svc-secret-svc-secret').toString('base64')}` },
      body: 'grant_type=client_credentials',
    });
    const body = (await res.json()) as Record<string, unknown>;
    await new Promise((r) => server.close(r));
    return { status: res.status, body, events, writes };
  }

  it('answers with the token once its write has landed', async () => {
    const ok = await tokenEndpoint(false);
    expect(ok.status).toBe(200);
    expect(ok.body.access_token).toEqual(expect.any(String));
    expect(ok.events).toEqual(['grant.success']);
    expect(ok.writes).toBe(1);
  });

  // Deferred: the provider had already reported success when the write failed. Awaited, the
  // provider's own error handler would have answered, with only server_error.
  it('answers server_error, without the token, when a deferred write fails, and reports it', async () => {
    const failed = await tokenEndpoint(true);
    expect(failed.status).toBe(500);
    expect(failed.body).toEqual({ error: 'server_error', error_description: 'oops! something went wrong' });
    expect(failed.events).toEqual(['grant.success', 'server_error', 'grant.error']);
  });
});
