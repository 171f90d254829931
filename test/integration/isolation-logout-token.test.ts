import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminTokenForTests, type HubStack, startHubStack } from '../support/hub-stack.ts';

// POST /admin/clients/:id/logout-token: the hub signs a logout token as on a real logout, sends
// nothing, and records who asked.

describe('admin API: logout tokens for the isolation audit (real Kratos and Redis)', () => {
  let stack: HubStack;
  const post = (path: string, body: unknown, token: string | null = adminTokenForTests) =>
    fetch(`${stack.adminUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    stack = await startHubStack();
    const res = await post('/admin/clients', {
      client_id: 'bcl-app',
      redirect_uris: ['https://bcl-app.example/cb'],
      backchannel_logout_uri: 'https://bcl-app.example/bcl',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      scope: 'openid',
    });
    expect(res.status).toBe(201);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('signs a logout token with the provider keys (typ logout+jwt, iss, aud, iat, exp, jti, events, random isolation-audit sid) and records admin.logout_token.minted', async () => {
    const res = await post('/admin/clients/bcl-app/logout-token', {});
    expect(res.status).toBe(200);
    const { logout_token } = (await res.json()) as { logout_token: string };
    const issuer = `${stack.hubUrl}/oidc`;
    const jwks = createRemoteJWKSet(new URL(`${issuer}/jwks`));
    const { payload, protectedHeader } = await jwtVerify(logout_token, jwks, { issuer, audience: 'bcl-app', typ: 'logout+jwt' });
    expect(protectedHeader.kid).toEqual(expect.any(String));
    expect(payload.sid).toMatch(/^isolation-audit-[0-9a-f]{24}$/);
    expect(payload.sub).toBeUndefined();
    expect(payload.events).toEqual({ 'http://schemas.openid.net/event/backchannel-logout': {} });
    expect(payload.exp! - payload.iat!).toBe(120);
    expect(payload.jti).toEqual(expect.any(String));
    expect(payload).not.toHaveProperty('nonce');
    const audit = await fetch(`${stack.adminUrl}/admin/audit?count=50`, { headers: { authorization: `Bearer ${adminTokenForTests}` } });
    const events = ((await audit.json()) as { events: { type: string; clientId?: string; sid?: string }[] }).events;
    expect(events.find((e) => e.type === 'admin.logout_token.minted')).toMatchObject({ clientId: 'bcl-app', sid: payload.sid });
    // The audit event never carries the token.
    expect(JSON.stringify(events)).not.toContain(logout_token.split('.')[2]);
  });

  it('puts the given sid and sub in the token, each token with its own jti', async () => {
    const a = (await (await post('/admin/clients/bcl-app/logout-token', { sid: 'sid-1', sub: 'user-1' })).json()) as { logout_token: string };
    const b = (await (await post('/admin/clients/bcl-app/logout-token', { sid: 'sid-1', sub: 'user-1' })).json()) as { logout_token: string };
    const decode = (t: string) => JSON.parse(Buffer.from(t.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    expect(decode(a.logout_token)).toMatchObject({ sid: 'sid-1', sub: 'user-1', aud: 'bcl-app' });
    expect(decode(a.logout_token).jti).not.toBe(decode(b.logout_token).jti);
    expect(decodeProtectedHeader(a.logout_token).typ).toBe('logout+jwt');
  });

  it('refuses an unknown client (404), a malformed sid (400) and a missing or wrong admin token (401)', async () => {
    expect((await post('/admin/clients/nobody/logout-token', {})).status).toBe(404);
    expect((await post('/admin/clients/bcl-app/logout-token', { sid: 42 })).status).toBe(400);
    expect((await post('/admin/clients/bcl-app/logout-token', { sid: '' })).status).toBe(400);
    expect((await post('/admin/clients/bcl-app/logout-token', {}, null)).status).toBe(401);
    expect((await post('/admin/clients/bcl-app/logout-token', {}, 'wrong-token-0123456789abcdef0123')).status).toBe(401);
  });
});
