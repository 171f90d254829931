import { type IncomingHttpHeaders, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSignInThrottle, SIGN_IN_BURST } from '../../packages/hub/src/console/sign-in-throttle.ts';
import type { Hub } from '../../packages/hub/src/app.ts';
import { adminTokenForTests, type HubStack, startHubStack } from '../support/hub-stack.ts';

// The admin listener's hardening (security review), over HTTP on Redis, as an admin reaches it
// through a tunnel: wrong bearer tokens throttled per IP in the console sign-in's bucket (shared
// by every instance), X-Forwarded-For ignored unless admin.trustProxy says otherwise (the public
// listener trusting one proxy changes nothing there), the Host check against DNS rebinding,
// addresses longer than Fastify's default parameter length, and `next` with dot segments.
// Each test calls from its own loopback address (127.0.0.x as the source), so each has its own
// bucket, as separate clients would.

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

const WRONG = `${adminTokenForTests}-wrong`;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** The admin listener's URL of an instance started by startInstance (which reports the public one). */
const adminUrlOf = (hub: Hub) => `http://127.0.0.1:${(hub.admin.server.address() as AddressInfo).port}`;

function send(base: string, o: { path: string; from: string; method?: string; headers?: Record<string, string>; body?: string }): Promise<Answer> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path: o.path, method: o.method ?? 'GET', headers: o.headers ?? {}, localAddress: o.from }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

describe('the admin listener, hardened', () => {
  let stack: HubStack;
  let get: (path: string, from: string, headers?: Record<string, string>) => Promise<Answer>;
  let signIn: (from: string, token: string, extra?: Record<string, string>) => Promise<Answer>;
  const failuresFrom = async (ip: string) => (await stack.hub.ctx.audit.tail({ count: 1000 })).filter((e) => e.type === 'admin.auth_failed' && e.ip === ip);

  beforeAll(async () => {
    stack = await startHubStack({
      config: {
        // The reported setup: the public listener behind one proxy.
        trustProxy: 1,
        admin: { host: '127.0.0.1', token: adminTokenForTests, allowedHosts: ['admin.sso.test', 'hub-1'] },
      },
    });
    get = (path, from, headers = {}) => send(stack.adminUrl, { path, from, headers });
    signIn = (from, token, extra = {}) =>
      send(stack.adminUrl, {
        path: '/console/sign-in',
        from,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: stack.adminUrl },
        body: new URLSearchParams({ name: 'eve', token, ...extra }).toString(),
      });
  });
  afterAll(async () => stack?.stop());

  it(`answers ${SIGN_IN_BURST} wrong bearer tokens 401, then 429 with Retry-After, the right token too, on every instance and at the console's sign-in`, async () => {
    const ip = '127.0.0.11';
    for (let i = 0; i < SIGN_IN_BURST; i++) expect((await get('/admin/clients', ip, bearer(WRONG))).status).toBe(401);
    for (const token of [WRONG, adminTokenForTests]) {
      const res = await get('/admin/clients', ip, bearer(token));
      expect(res.status, token).toBe(429);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'SSOHUB_ERR_THROTTLED', status: 429 } });
    }
    expect(await failuresFrom(ip)).toHaveLength(SIGN_IN_BURST);
    const console429 = await signIn(ip, adminTokenForTests);
    expect(console429.status).toBe(429);
    expect(console429.headers['set-cookie']).toBeUndefined();
    // The bucket is in the store: another instance refuses the same address.
    const other = await stack.startInstance({ admin: { host: '127.0.0.1', token: adminTokenForTests } });
    expect((await send(adminUrlOf(other.hub), { path: '/admin/clients', from: ip, headers: bearer(adminTokenForTests) })).status).toBe(429);
    // Another address is not affected, and its success empties nothing.
    expect((await get('/admin/clients', '127.0.0.12', bearer(adminTokenForTests))).status).toBe(200);
    expect((await get('/admin/clients', ip, bearer(adminTokenForTests))).status).toBe(429);
  });

  it("counts the console's sign-ins in the same bucket", async () => {
    const ip = '127.0.0.13';
    for (let i = 0; i < SIGN_IN_BURST; i++) expect((await signIn(ip, WRONG)).status).toBe(401);
    expect((await get('/admin/clients', ip, bearer(adminTokenForTests))).status).toBe(429);
  });

  it('ignores X-Forwarded-For by default, though the public listener trusts one proxy: a forged address per guess changes nothing', async () => {
    expect(stack.hub.ctx.config.trustProxy).toBe(1);
    const ip = '127.0.0.14';
    for (let i = 0; i < SIGN_IN_BURST; i++) expect((await get('/admin/clients', ip, { ...bearer(WRONG), 'x-forwarded-for': `203.0.113.${i}` })).status).toBe(401);
    expect((await get('/admin/clients', ip, { ...bearer(WRONG), 'x-forwarded-for': '203.0.113.99' })).status).toBe(429);
    // The console's sign-in, which had the same hole, is counted on the socket's address too.
    for (let i = 0; i < 3; i++) expect((await signIn('127.0.0.15', WRONG)).status).toBe(401);
    const forged = await send(stack.adminUrl, {
      path: '/console/sign-in',
      from: '127.0.0.15',
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: stack.adminUrl, 'x-forwarded-for': '203.0.113.200' },
      body: new URLSearchParams({ name: 'eve', token: WRONG }).toString(),
    });
    expect(forged.status).toBe(401);
    expect(await failuresFrom('127.0.0.15')).toHaveLength(4);
    const events = (await stack.hub.ctx.audit.tail({ count: 1000 })).filter((e) => e.type === 'admin.auth_failed');
    expect(events.filter((e) => e.ip?.startsWith('203.0.113.'))).toEqual([]);
  });

  it('believes X-Forwarded-For when admin.trustProxy says a proxy fronts the admin listener', async () => {
    const proxied = await stack.startInstance({ admin: { host: '127.0.0.1', token: adminTokenForTests, trustProxy: 1 } });
    const base = adminUrlOf(proxied.hub);
    for (let i = 0; i < SIGN_IN_BURST + 2; i++) {
      expect((await send(base, { path: '/admin/clients', from: '127.0.0.16', headers: { ...bearer(WRONG), 'x-forwarded-for': `198.51.100.${i}` } })).status).toBe(401);
    }
    const events = (await proxied.hub.ctx.audit.tail({ count: 1000 })).filter((e) => e.type === 'admin.auth_failed' && e.ip?.startsWith('198.51.100.'));
    expect(events.length).toBeGreaterThanOrEqual(SIGN_IN_BURST + 2);
  });

  it('answers 421 to a Host it does not answer to, before any credential; 200 to localhost, 127.0.0.1 and an allowed name', async () => {
    const ip = '127.0.0.17';
    for (let i = 0; i < SIGN_IN_BURST + 2; i++) {
      const res = await get('/admin/clients', ip, { ...bearer(i % 2 ? WRONG : adminTokenForTests), host: 'evil.example:8081' });
      expect(res.status).toBe(421);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(JSON.parse(res.body)).toMatchObject({ error: { status: 421, message: expect.stringMatching(/misdirected request/) } });
    }
    expect(await failuresFrom(ip)).toEqual([]);
    const port = new URL(stack.adminUrl).port;
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `admin.sso.test:${port}`]) {
      expect((await get('/admin/clients', ip, { ...bearer(adminTokenForTests), host })).status, host).toBe(200);
    }
    // What Prometheus sends on the compose network (deploy/compose/observability.yml lists it).
    expect((await get('/metrics', ip, { host: 'hub-1:8081' })).status).toBe(200);
    expect((await get('/metrics', ip, { host: 'hub-3:8081' })).status).toBe(421);
    const page = await get('/console/sign-in', ip, { host: 'evil.example', accept: 'text/html' });
    expect([page.status, page.headers['content-type']]).toEqual([421, 'text/html; charset=utf-8']);
  });

  it('routes an address longer than 100 characters to the user it names: the JSON 404 of an unknown user, not 414', async () => {
    const email = `${'a'.repeat(120)}@example.test`;
    const res = await get(`/admin/users/${encodeURIComponent(email)}`, '127.0.0.18', bearer(adminTokenForTests));
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'SSOHUB_ERR_NOT_FOUND', message: expect.stringContaining(email) } });
    const tooLong = await get(`/admin/users/${'a'.repeat(321)}`, '127.0.0.18', { ...bearer(adminTokenForTests), accept: 'text/html' });
    expect([tooLong.status, tooLong.headers['content-type']]).toEqual([414, 'application/json; charset=utf-8']);
  });

  it('sends the browser to the console overview after sign-in when `next` leaves /console once its dot segments are resolved', async () => {
    const cases: [string, string][] = [
      ['/console/../admin/clients', '/console'],
      ['/console/%2e%2e/admin/clients', '/console'],
      ['/console/users/../clients', '/console/users/../clients'],
    ];
    for (const [i, [next, to]] of cases.entries()) {
      const res = await signIn(`127.0.0.${20 + i}`, adminTokenForTests, { next });
      expect([res.status, res.headers.location], next).toEqual([303, to]);
    }
    const form = await get(`/console/sign-in?next=${encodeURIComponent('/console/../admin/clients')}`, '127.0.0.23');
    expect(form.status).toBe(200);
    expect(form.body).not.toContain('admin/clients');
  });

  it("reads the store's bucket without taking from it", async () => {
    const throttle = createSignInThrottle(stack.hub.ctx.storage);
    const ip = 'throttle-peek-test';
    for (let i = 0; i < SIGN_IN_BURST; i++) {
      expect(await throttle.wait(ip)).toBeUndefined();
      expect(await throttle.take(ip)).toBeUndefined();
    }
    const wait = await throttle.wait(ip);
    expect(wait).toBeGreaterThan(55_000);
    expect(wait).toBeLessThanOrEqual(60_000);
    expect(await throttle.take(ip)).toBeGreaterThan(55_000);
  });
});
