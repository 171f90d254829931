import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type AdapterPayload } from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryModelStore, MemoryState } from '../adapter/memory-model-store.ts';
import { GRANT_MODELS, PROVIDER_ROUTES, providerPaths, SCOPE_FILTERED_ROUTES, TOKEN_ENDPOINT_STORE_OPERATIONS } from './provider-internals.ts';

// These tests read oidc-provider's own sources: they fail when an upgrade changes a fact the hub
// relies on (provider-internals.ts), which then needs a look before the upgrade lands.
const lib = join(dirname(createRequire(import.meta.url).resolve('oidc-provider')), '..', 'lib');
const source = (file: string) => readFile(join(lib, file), 'utf8');

describe('oidc-provider internals the hub relies on', () => {
  it('revokes a grant across the same models as lib/helpers/revoke.js', async () => {
    const revoke = await source('helpers/revoke.js');
    const list = revoke.slice(revoke.indexOf('await Promise.all('), revoke.indexOf('.map((model)'));
    const models = [...list.matchAll(/provider\.(\w+)/g)].map((m) => m[1]);
    expect(new Set(models)).toEqual(new Set(GRANT_MODELS));
  });

  it('filters scope (offline_access) on exactly the routes the hub watches, of those it enables', async () => {
    const index = await source('actions/authorization/index.js');
    const names = Object.fromEntries([...index.matchAll(/^const ([A-Z]+) = '(\w+)';$/gm)].map((m) => [m[1], m[2]]));
    const line = /use\(checkScope,([^)]*)\)/.exec(index)?.[1] ?? '';
    const routes = line.split(',').map((s) => names[s.trim()]).filter(Boolean);
    // Device flow (device_authorization) and CIBA (backchannel_authentication) are off in the hub.
    const enabled = new Set(['authorization', 'pushed_authorization_request']);
    expect(new Set(routes.filter((r) => enabled.has(r!)))).toEqual(SCOPE_FILTERED_ROUTES);
    const scopes = await source('actions/authorization/scopes.js');
    expect(scopes).toMatch(/ctx\.oidc\.params\.scope = /);
  });

  it('authenticates client secrets and sends back-channel logout through the Client methods the hub replaces', async () => {
    expect(await source('shared/client_auth.js')).toMatch(/ctx\.oidc\.client\.compareClientSecret\(/);
    expect(await source('actions/end_session.js')).toMatch(/client\.backchannelLogout\(/);
    const provider = new Provider('http://127.0.0.1');
    const Client = provider.Client as unknown as { prototype: Record<string, unknown> };
    expect(typeof Client.prototype.compareClientSecret).toBe('function');
    expect(typeof Client.prototype.backchannelLogout).toBe('function');
    // watchRequestParams defines `params` on the context prototype: nothing of the provider's own may be there.
    expect(Object.getOwnPropertyDescriptor(provider.OIDCContext.prototype, 'params')).toBeUndefined();
  });

  it('routes /auth and /token, and names the routes the hooks act on', () => {
    const provider = new Provider('http://127.0.0.1');
    expect(providerPaths(provider)).toEqual({ authorization: '/auth', token: '/token' });
    expect(provider.pathFor(PROVIDER_ROUTES.resume, { mountPath: '', uid: 'u' } as never)).toBe('/auth/u');
    expect(provider.pathFor(PROVIDER_ROUTES.endSessionConfirm, { mountPath: '' } as never)).toBe('/session/end/confirm');
  });
});

describe('the token endpoint, as deferred writes assume it', () => {
  const ops: string[] = [];
  let recording = false;
  let provider: Provider;
  let url: string;
  let server: http.Server;
  const client = { client_id: 'app', client_secret: 'app-secret-0123456789abcdefghijklmnopq', redirect_uris: ['https://app.test/cb'], grant_types: ['authorization_code', 'refresh_token'] };
  const basic = `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`;

  beforeAll(async () => {
    const state = new MemoryState();
    const adapter = (name: string) => {
      const inner = new MemoryModelStore(name, state);
      const record = (op: string) => {
        if (recording && name !== 'Client') ops.push(`${name}.${op}`);
      };
      return {
        find: (id: string) => { record('find'); return inner.find(id); },
        findByUid: (uid: string) => { record('findByUid'); return inner.findByUid(uid); },
        findByUserCode: (code: string) => inner.findByUserCode(code),
        upsert: (id: string, payload: AdapterPayload, ttl?: number) => { record('upsert'); return inner.upsert(id, payload, ttl); },
        consume: (id: string) => { record('consume'); return inner.consume(id); },
        destroy: (id: string) => { record('destroy'); return inner.destroy(id); },
        revokeByGrantId: (id: string) => { record('revokeByGrantId'); return inner.revokeByGrantId(id); },
      };
    };
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    provider = new Provider('http://127.0.0.1', {
      adapter: adapter as never,
      clients: [{ ...client, id_token_signed_response_alg: 'ES256' }],
      jwks: { keys: [{ ...(await exportJWK(privateKey)), alg: 'ES256', use: 'sig', kid: 'k1' } as never] },
      features: { devInteractions: { enabled: false } },
      findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
      issueRefreshToken: async () => true,
      rotateRefreshToken: true,
    });
    server = http.createServer(provider.callback());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  async function token(body: Record<string, string>) {
    ops.length = 0;
    recording = true;
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic }, body: new URLSearchParams(body) });
    recording = false;
    expect(res.status, JSON.stringify(await res.clone().json())).toBe(200);
    return (await res.json()) as { refresh_token: string };
  }

  /** What the deferral needs: nothing read after the first write. */
  function expectReadsBeforeWrites(seen: string[]) {
    const firstWrite = seen.findIndex((op) => !/\.(find|findByUid)$/.test(op));
    expect(seen.slice(firstWrite).filter((op) => /\.(find|findByUid)$/.test(op))).toEqual([]);
  }

  it('reads, then consumes, then saves the tokens it answers with: for a code and for a refresh', async () => {
    // A code as the hub's /auth leaves one: a grant, a session it expires with, PKCE.
    const grant = new provider.Grant({ accountId: 'ada', clientId: 'app' });
    grant.addOIDCScope('openid offline_access');
    const grantId = await grant.save();
    // The typings give Session no constructor arguments; the model takes its payload like the others.
    const Session = provider.Session as unknown as new (payload: object) => { authorizations: object; save(ttl: number): Promise<string> };
    const session = new Session({ jti: 'sess-1', uid: 'uid-1', accountId: 'ada', loginTs: Math.floor(Date.now() / 1000) });
    session.authorizations = { app: { grantId, sid: 'sid-1' } };
    await session.save(600);
    const verifier = randomBytes(32).toString('base64url');
    const code = new provider.AuthorizationCode({
      accountId: 'ada',
      clientId: 'app',
      grantId,
      scope: 'openid offline_access',
      redirectUri: client.redirect_uris[0],
      codeChallenge: createHash('sha256').update(verifier).digest('base64url'),
      codeChallengeMethod: 'S256',
      sessionUid: 'uid-1',
      expiresWithSession: true,
      authTime: Math.floor(Date.now() / 1000),
    } as never);
    const value = await code.save();

    const issued = await token({ grant_type: 'authorization_code', code: value, redirect_uri: client.redirect_uris[0]!, code_verifier: verifier });
    expect(ops).toEqual(TOKEN_ENDPOINT_STORE_OPERATIONS.authorization_code);
    expectReadsBeforeWrites(ops);

    await token({ grant_type: 'refresh_token', refresh_token: issued.refresh_token });
    expect(ops).toEqual(TOKEN_ENDPOINT_STORE_OPERATIONS.refresh_token);
    expectReadsBeforeWrites(ops);
  });
});

describe('the Koa and model internals the mount and the logout token use', () => {
  it('derives the mount path from req.originalUrl, composes middleware at callback(), and issues logout tokens from IdToken', async () => {
    expect(await source('helpers/oidc_context.js')).toMatch(/const \{ originalUrl \} = this\.ctx\.req;/);
    const provider = await source('provider.js');
    // use() inserts before the provider's own router (#exec), so what runAheadOfProvider puts at
    // the front of Koa's list stays ahead of every provider.use() middleware.
    expect(provider).toMatch(/this\.middleware\.splice\(this\.middleware\.indexOf\(this\.#exec\), 0, this\.middleware\.pop\(\)\)/);
    expect(await source('models/id_token.js')).toMatch(/case 'logout':/);
  });
});
