import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../app.ts';
import { buildConsoleTestHub, CONSOLE_TEST_ORIGIN, CONSOLE_TEST_TOKEN, formBody } from '../console/console-test-kit.ts';
import { afterSignIn } from '../console/register-sign-in.ts';
import { createMemorySignInThrottle, SIGN_IN_BURST } from '../console/sign-in-throttle.ts';
import { adminHostNames } from './admin-host-check.ts';

// The admin listener's hardening (security review): wrong bearer tokens throttled per IP in the
// console sign-in's bucket, X-Forwarded-For believed only with admin.trustProxy, a Host check
// against DNS rebinding, long path parameters, and `next` after sign-in. Inject tests on the
// memory store; test/integration/admin-listener-hardening.test.ts does the same over HTTP on Redis.

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const WRONG = `${CONSOLE_TEST_TOKEN}-wrong`;

describe('the admin listener', () => {
  let hub: Hub;
  const call = (ip: string, o: Omit<InjectOptions, 'remoteAddress'> & { url: string }) => hub.admin.inject({ method: 'GET', ...o, remoteAddress: ip });
  const signIn = (ip: string, token: string) =>
    hub.admin.inject({
      method: 'POST',
      url: '/console/sign-in',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: CONSOLE_TEST_ORIGIN },
      payload: formBody({ name: 'eve', token }),
      remoteAddress: ip,
    });
  const failures = async (ip: string) => (await hub.ctx.audit.tail({ count: 1000 })).filter((e) => e.type === 'admin.auth_failed' && e.ip === ip).length;

  beforeAll(async () => {
    hub = await buildConsoleTestHub({ admin: { allowedHosts: ['admin.sso.internal'] } });
  });
  afterAll(() => hub.close());

  describe('throttles wrong bearer tokens per IP, in the bucket of the console sign-in', () => {
    it(`answers ${SIGN_IN_BURST} wrong tokens 401, then 429 with Retry-After before comparing: the right token too`, async () => {
      const ip = '10.1.0.1';
      for (let i = 0; i < SIGN_IN_BURST; i++) expect((await call(ip, { url: '/admin/clients', headers: bearer(WRONG) })).statusCode).toBe(401);
      expect(await failures(ip)).toBe(SIGN_IN_BURST);
      for (const token of [WRONG, CONSOLE_TEST_TOKEN]) {
        const res = await call(ip, { url: '/admin/clients', headers: bearer(token) });
        expect(res.statusCode, token).toBe(429);
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
        expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(60);
        expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
        expect(res.json()).toMatchObject({ error: { code: 'SSOHUB_ERR_THROTTLED', status: 429, message: expect.stringMatching(/too many wrong admin tokens/) } });
      }
      // Refused unread: no more failures recorded, as the console's throttled sign-in records none.
      expect(await failures(ip)).toBe(SIGN_IN_BURST);
      // The console's sign-in shares the bucket, and another address is not affected.
      const signedIn = await signIn(ip, CONSOLE_TEST_TOKEN);
      expect(signedIn.statusCode).toBe(429);
      expect(signedIn.cookies).toEqual([]);
      expect((await call('10.1.0.9', { url: '/admin/clients', headers: bearer(CONSOLE_TEST_TOKEN) })).statusCode).toBe(200);
    });

    it("counts the console's sign-ins toward the API's limit", async () => {
      const ip = '10.1.0.2';
      for (let i = 0; i < SIGN_IN_BURST; i++) expect((await signIn(ip, WRONG)).statusCode).toBe(401);
      expect((await call(ip, { url: '/admin/clients', headers: bearer(CONSOLE_TEST_TOKEN) })).statusCode).toBe(429);
    });

    it('counts neither the right token nor a request without one, and a success empties nobody’s bucket', async () => {
      const ip = '10.1.0.3';
      for (let i = 0; i < SIGN_IN_BURST * 2; i++) expect((await call(ip, { url: '/admin/clients', headers: bearer(CONSOLE_TEST_TOKEN) })).statusCode).toBe(200);
      for (let i = 0; i < SIGN_IN_BURST * 2; i++) expect((await call(ip, { url: '/admin/clients' })).statusCode).toBe(401);
      for (let i = 0; i < SIGN_IN_BURST - 1; i++) expect((await call(ip, { url: '/admin/clients', headers: bearer(WRONG) })).statusCode).toBe(401);
      // One try left: a success from this address or another does not give the nine back.
      expect((await call(ip, { url: '/admin/clients', headers: bearer(CONSOLE_TEST_TOKEN) })).statusCode).toBe(200);
      expect((await call('10.1.0.4', { url: '/admin/clients', headers: bearer(CONSOLE_TEST_TOKEN) })).statusCode).toBe(200);
      expect((await call(ip, { url: '/admin/clients', headers: bearer(WRONG) })).statusCode).toBe(401);
      expect((await call(ip, { url: '/admin/clients', headers: bearer(CONSOLE_TEST_TOKEN) })).statusCode).toBe(429);
    });

    it('believes no X-Forwarded-For by default: a client cannot pick a new address per guess', async () => {
      expect(hub.ctx.config.admin.trustProxy).toBe(false);
      const forged = (i: number) => ({ ...bearer(WRONG), 'x-forwarded-for': `203.0.113.${i}` });
      for (let i = 0; i < SIGN_IN_BURST; i++) expect((await call('10.1.0.5', { url: '/admin/clients', headers: forged(i) })).statusCode).toBe(401);
      expect((await call('10.1.0.5', { url: '/admin/clients', headers: forged(99) })).statusCode).toBe(429);
      // Every forged address counted for the socket's, and the audit trail names none of them.
      const events = (await hub.ctx.audit.tail({ count: 1000 })).filter((e) => e.type === 'admin.auth_failed');
      expect(events.some((e) => e.ip?.startsWith('203.0.113.'))).toBe(false);
    });
  });

  describe('answers only to its own host names (DNS rebinding)', () => {
    it('refuses another Host with 421 before looking at any credential: JSON for the API and metrics, a page for the console', async () => {
      for (let i = 0; i < SIGN_IN_BURST + 2; i++) {
        const res = await call('10.2.0.1', { url: '/admin/clients', headers: { ...bearer(i % 2 ? WRONG : CONSOLE_TEST_TOKEN), host: 'evil.example:8081' } });
        expect(res.statusCode).toBe(421);
        expect(res.json()).toMatchObject({ error: { code: 'SSOHUB_ERR_BAD_REQUEST', status: 421, message: expect.stringMatching(/admin\.allowedHosts/) } });
      }
      // Nothing counted or audited: the address still has its ten tries.
      expect(await failures('10.2.0.1')).toBe(0);
      expect((await call('10.2.0.1', { url: '/admin/clients', headers: bearer(CONSOLE_TEST_TOKEN) })).statusCode).toBe(200);
      const metrics = await call('10.2.0.1', { url: '/metrics', headers: { host: 'evil.example' } });
      expect([metrics.statusCode, metrics.headers['content-type']]).toEqual([421, 'application/json; charset=utf-8']);
      const page = await call('10.2.0.1', { url: '/console/sign-in', headers: { host: 'evil.example', accept: 'text/html' } });
      expect([page.statusCode, page.headers['content-type']]).toEqual([421, 'text/html; charset=utf-8']);
      const post = await hub.admin.inject({
        method: 'POST',
        url: '/console/sign-in',
        headers: { host: 'evil.example', origin: 'http://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
        payload: formBody({ name: 'eve', token: CONSOLE_TEST_TOKEN }),
      });
      expect(post.statusCode).toBe(421);
      expect(post.cookies).toEqual([]);
    });

    it('answers to localhost, 127.0.0.1, [::1], admin.host and admin.allowedHosts, on any port, in any case', async () => {
      for (const host of ['localhost', 'localhost:8081', '127.0.0.1:8081', '[::1]:8081', 'LOCALHOST:1234', 'admin.sso.internal', 'Admin.SSO.internal:443']) {
        const api = await call('10.2.0.2', { url: '/admin/clients', headers: { ...bearer(CONSOLE_TEST_TOKEN), host } });
        expect(api.statusCode, host).toBe(200);
        expect((await call('10.2.0.2', { url: '/metrics', headers: { host } })).statusCode, host).toBe(200);
      }
      for (const host of ['127.0.0.2', 'localhost.evil.example', 'admin.sso.internal.evil.example', '0.0.0.0']) {
        expect((await call('10.2.0.2', { url: '/metrics', headers: { host } })).statusCode, host).toBe(421);
      }
    });

    it('names admin.host among its own, an IPv6 address in brackets', () => {
      expect([...adminHostNames({ host: '0.0.0.0', allowedHosts: ['hub-1'] })].sort()).toEqual(['0.0.0.0', '127.0.0.1', '[::1]', 'hub-1', 'localhost']);
      expect(adminHostNames({ host: 'fd00::5', allowedHosts: [] }).has('[fd00::5]')).toBe(true);
      expect(adminHostNames({ host: 'Admin.Internal', allowedHosts: [] }).has('admin.internal')).toBe(true);
    });
  });

  describe('path parameters as long as an address', () => {
    it('routes /admin/users/<email of 101 to 320 characters>, and answers a longer one 414 in JSON', async () => {
      for (const length of [101, 320]) {
        const email = `${'u'.repeat(length - '@example.test'.length)}@example.test`;
        const res = await call('10.3.0.1', { url: `/admin/users/${encodeURIComponent(email)}`, headers: bearer(CONSOLE_TEST_TOKEN) });
        // Kratos is not running here: the route ran (its outage answer), no router refusal.
        expect(res.statusCode, String(length)).not.toBe(414);
        expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      }
      const long = await call('10.3.0.1', { url: `/admin/users/${'u'.repeat(321)}`, headers: bearer(CONSOLE_TEST_TOKEN) });
      expect([long.statusCode, long.headers['content-type']]).toEqual([414, 'application/json; charset=utf-8']);
      expect(long.json()).toMatchObject({ error: { status: 414, requestId: expect.any(String) } });
      // Without Accept: JSON still; a bad escape too.
      const badEscape = await call('10.3.0.1', { url: '/admin/users/%E0%A4%A', headers: { ...bearer(CONSOLE_TEST_TOKEN), accept: 'text/html' } });
      expect([badEscape.statusCode, badEscape.headers['content-type']]).toEqual([400, 'application/json; charset=utf-8']);
    });
  });
});

describe('admin.trustProxy set: the admin listener believes its proxy', () => {
  it('counts and audits the forwarded address', async () => {
    const hub = await buildConsoleTestHub({ admin: { trustProxy: ['10.4.0.1'] } });
    try {
      const via = (client: string, token: string) =>
        hub.admin.inject({ method: 'GET', url: '/admin/clients', headers: { ...bearer(token), 'x-forwarded-for': client }, remoteAddress: '10.4.0.1' });
      for (let i = 0; i < SIGN_IN_BURST; i++) expect((await via('198.51.100.1', WRONG)).statusCode).toBe(401);
      expect((await via('198.51.100.1', CONSOLE_TEST_TOKEN)).statusCode).toBe(429);
      expect((await via('198.51.100.2', CONSOLE_TEST_TOKEN)).statusCode).toBe(200);
      const events = (await hub.ctx.audit.tail({ count: 100 })).filter((e) => e.type === 'admin.auth_failed');
      expect(new Set(events.map((e) => e.ip))).toEqual(new Set(['198.51.100.1']));
      // From an address it does not trust, X-Forwarded-For is the client's own and is ignored.
      const direct = await hub.admin.inject({ method: 'GET', url: '/admin/clients', headers: { ...bearer(CONSOLE_TEST_TOKEN), 'x-forwarded-for': '198.51.100.1' }, remoteAddress: '10.4.0.2' });
      expect(direct.statusCode).toBe(200);
    } finally {
      await hub.close();
    }
  });
});

describe('the throttle', () => {
  it('reads a bucket without taking from it, and refills one try a minute', async () => {
    let now = 0;
    const throttle = createMemorySignInThrottle(() => now);
    for (let i = 0; i < SIGN_IN_BURST; i++) {
      expect(await throttle.wait('a')).toBeUndefined();
      expect(await throttle.take('a')).toBeUndefined();
    }
    expect(await throttle.wait('a')).toBe(60_000);
    expect(await throttle.take('a')).toBe(60_000);
    now += 30_000;
    expect(Math.round((await throttle.wait('a'))! / 1000)).toBe(30);
    now += 30_001;
    expect(await throttle.wait('a')).toBeUndefined();
    expect(await throttle.wait('a')).toBeUndefined();
    expect(await throttle.take('a')).toBeUndefined();
    expect(Math.round((await throttle.wait('a'))! / 1000)).toBe(60);
    expect(await throttle.wait('b')).toBeUndefined();
  });
});

describe('after sign-in, `next` stays in the console once resolved as a browser resolves it', () => {
  it.each([
    ['/console/clients', '/console/clients'],
    ['/console', '/console'],
    ['/console?lang=de', '/console?lang=de'],
    ['/console/users/a%40b.test', '/console/users/a%40b.test'],
    ['/console/users/../clients', '/console/users/../clients'],
    ['/console/../admin/clients', '/console'],
    ['/console/%2e%2e/admin/clients', '/console'],
    ['/console/.%2E/admin/clients', '/console'],
    ['/console/x/../../admin', '/console'],
    ['/console/..', '/console'],
    ['/console/./../metrics', '/console'],
    ['/consolex', '/console'],
    ['/console/../console/sign-in', '/console'],
    ['/console/sign-in?next=/console/clients', '/console'],
    ['//evil.example/console', '/console'],
    ['/\\evil.example/console', '/console'],
    ['/console\\..\\admin', '/console'],
    ['https://evil.example/console', '/console'],
    ['/admin/clients', '/console'],
    [undefined, '/console'],
  ])('%s goes to %s', (next, to) => {
    expect(afterSignIn(next)).toBe(to);
  });
});
