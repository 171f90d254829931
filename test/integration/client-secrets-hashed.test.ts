import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { HttpSession } from '@ssohub/testkit';
import { authorizationRequest, createUser, submitKratosLogin, walk } from '../support/bridge-kit.ts';
import { adminTokenForTests, type HubStack, startHubStack } from '../support/hub-stack.ts';

const STATIC_SECRET = 'static-secret-0123456789abcdefghijklmnop';
const digest = (secret: string) => `sha256:${createHash('sha256').update(secret).digest('base64url')}`;

/**
 * Decision 0012: secrets of onboarded clients are stored as SHA-256 digests, never in clear, and
 * the provider checks presented secrets against them. Reads the raw Redis records.
 */
describe('client secrets at rest', () => {
  let stack: HubStack;
  let redis: Redis | Cluster;
  let prefix: string;
  const raw = async (id: string) => (await redis.get(`${prefix}clients:${id}`)) ?? '';
  const admin = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${stack.adminUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminTokenForTests}`, 'x-ssohub-actor': 'alice', ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    // biome-ignore lint/suspicious/noExplicitAny: JSON bodies of the API under test
    return { status: res.status, body: (await res.json()) as any };
  };
  /**
   * A token request that authenticates the client and then fails on the (made-up) code: 400
   * invalid_grant means the secret was accepted, 401 invalid_client that it was refused.
   */
  const tokenRequest = async (clientId: string, secret: string, how: 'basic' | 'post' = 'basic') => {
    const form = new URLSearchParams({ grant_type: 'authorization_code', code: 'not-a-code', redirect_uri: 'https://hashed.test/cb', code_verifier: 'v'.repeat(43) });
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (how === 'basic') headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;
    else {
      form.set('client_id', clientId);
      form.set('client_secret', secret);
    }
    const res = await fetch(`${stack.hubUrl}/oidc/token`, { method: 'POST', headers, body: form });
    return `${res.status} ${((await res.json()) as { error: string }).error}`;
  };
  const ACCEPTED = '400 invalid_grant';
  const REFUSED = '401 invalid_client';

  beforeAll(async () => {
    stack = await startHubStack({
      config: { bridge: { clients: [{ client_id: 'static-app', client_secret: STATIC_SECRET, redirect_uris: ['https://static.test/cb'] }] } },
    });
    if (stack.hub.ctx.storage.kind !== 'redis') throw new Error('expected the Redis store');
    redis = stack.hub.ctx.storage.redis;
    prefix = stack.hub.ctx.storage.prefix;
  });
  afterAll(async () => stack?.stop());

  it('stores only the digest of a created client secret, and the token endpoint accepts the secret and nothing else', async () => {
    const created = await admin('POST', '/admin/clients', { client_id: 'app-h', redirect_uris: ['https://hashed.test/cb'] });
    expect(created.status).toBe(201);
    const secret: string = created.body.client_secret;
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = await raw('app-h');
    expect(stored).not.toContain(secret);
    expect(JSON.parse(stored).metadata.client_secret).toBe(digest(secret));

    expect(await tokenRequest('app-h', secret)).toBe(ACCEPTED);
    expect(await tokenRequest('app-h', `${secret.slice(0, -1)}x`)).toBe(REFUSED);
    // Whoever reads Redis gets the digest, which is not the secret.
    expect(await tokenRequest('app-h', digest(secret))).toBe(REFUSED);
    expect(await tokenRequest('app-h', '')).not.toBe(ACCEPTED);

    await admin('PATCH', '/admin/clients/app-h', { token_endpoint_auth_method: 'client_secret_post' });
    expect(await tokenRequest('app-h', secret, 'post')).toBe(ACCEPTED);
    expect(await tokenRequest('app-h', digest(secret), 'post')).toBe(REFUSED);
  });

  it('rotates to a new secret stored only as its digest; the old one stops at once', async () => {
    const created = await admin('POST', '/admin/clients', { client_id: 'app-r', redirect_uris: ['https://hashed.test/cb'] });
    const old: string = created.body.client_secret;
    const rotated = await admin('POST', '/admin/clients/app-r/rotate-secret');
    expect(rotated.status).toBe(200);
    const secret: string = rotated.body.client_secret;
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = await raw('app-r');
    expect(stored).not.toContain(secret);
    expect(JSON.parse(stored).metadata.client_secret).toBe(digest(secret));
    expect(await tokenRequest('app-r', secret)).toBe(ACCEPTED);
    expect(await tokenRequest('app-r', old)).toBe(REFUSED);

    // A public client made confidential gets a secret the same way.
    await admin('POST', '/admin/clients', { client_id: 'app-p', redirect_uris: ['https://hashed.test/cb'], token_endpoint_auth_method: 'none' });
    const minted = await admin('PATCH', '/admin/clients/app-p', { token_endpoint_auth_method: 'client_secret_basic' });
    expect(minted.body.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await raw('app-p')).not.toContain(minted.body.client_secret);
    expect(await tokenRequest('app-p', minted.body.client_secret)).toBe(ACCEPTED);
  });

  it('rewrites a client stored in clear before this change on first use, and it still signs users in', async () => {
    const APP = 'https://legacy.test';
    const secret = 'legacySecretInClear_0123456789abcdefghijkl';
    const record = {
      metadata: { client_id: 'app-legacy', redirect_uris: [`${APP}/cb`], client_secret: secret, ssohub_first_party: true, id_token_signed_response_alg: 'ES256' },
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    };
    await redis.set(`${prefix}clients:app-legacy`, JSON.stringify(record));
    await redis.sadd(`${prefix}clients:_ids`, 'app-legacy');

    const app = await oidc.discovery(new URL(`${stack.hubUrl}/oidc`), 'app-legacy', undefined, oidc.ClientSecretBasic(secret));
    const user = await createUser(stack.kratos.adminUrl, 'legacy-client');
    const browser = new HttpSession();
    const req = await authorizationRequest(app, `${APP}/cb`);
    let end = await walk(browser, req.url, [APP]);
    if (end.kind === 'login') end = await walk(browser, await submitKratosLogin(browser, stack.hubUrl, end.flowId, user), [APP]);
    if (end.kind !== 'callback') throw new Error(`expected the callback, got ${end.kind}`);
    const tokens = await oidc.authorizationCodeGrant(app, end.url, { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce });
    expect(tokens.claims()?.sub).toBe(user.id);

    const stored = await raw('app-legacy');
    expect(stored).not.toContain(secret);
    expect(JSON.parse(stored)).toEqual({ ...record, metadata: { ...record.metadata, client_secret: digest(secret) } });
    expect(await tokenRequest('app-legacy', secret)).toBe(ACCEPTED);
    expect(await tokenRequest('app-legacy', digest(secret))).toBe(REFUSED);
    const events = await stack.hub.ctx.audit.tail({ count: 200 });
    expect(events.filter((e) => e.type === 'client.secret_hashed' && e.clientId === 'app-legacy')).toEqual([
      expect.objectContaining({ actor: 'system', outcome: 'info' }),
    ]);
    expect(JSON.stringify(events)).not.toContain(secret);
  });

  it('rewrites clear records at startup, before any use', async () => {
    const secret = 'anotherLegacySecret_0123456789abcdefghijkl';
    const record = { metadata: { client_id: 'app-idle', redirect_uris: ['https://idle.test/cb'], client_secret: secret }, createdAt: 'x', updatedAt: 'x' };
    await redis.set(`${prefix}clients:app-idle`, JSON.stringify(record));
    await redis.sadd(`${prefix}clients:_ids`, 'app-idle');
    await stack.startInstance();
    await vi.waitFor(async () => expect(JSON.parse(await raw('app-idle')).metadata.client_secret).toBe(digest(secret)), { timeout: 5_000 });
  });

  it('leaves static clients from the configuration as written, and they still authenticate', async () => {
    expect(await tokenRequest('static-app', STATIC_SECRET)).toBe(ACCEPTED);
    expect(await tokenRequest('static-app', `${STATIC_SECRET}x`)).toBe(REFUSED);
    expect((await stack.hub.ctx.clients.find('static-app'))?.metadata.client_secret).toBe(STATIC_SECRET);
  });
});
