import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KratosClient } from './kratos-client.ts';
import { KratosError, KratosUnavailableError } from './kratos-error.ts';

// A stand-in for Kratos on loopback, answering what the calls through undici's Pool (whoami, the
// admin session lookup, browser flows) can meet; it records what the hub sent.
const seen: { url: string; cookie?: string }[] = [];
const server = http.createServer((req, res) => {
  seen.push({ url: req.url ?? '', cookie: req.headers.cookie });
  const send = (status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
  const cookie = req.headers.cookie ?? '';
  if (req.url === '/base/sessions/whoami') {
    if (cookie.includes('session=live')) return send(200, { id: 'k1', active: true, identity: { id: 'ada' } });
    if (cookie.includes('session=aal1')) return send(403, { error: { id: 'session_aal2_required', code: 403 } });
    if (cookie.includes('session=garbled')) return send(200, '{"id": ');
    return send(401, { error: { code: 401 } });
  }
  if (req.url === '/base/self-service/login/flows?id=f1') return send(200, { id: 'f1', type: 'browser', ui: { nodes: [] } });
  if (req.url === '/base/self-service/registration/flows?id=gone') return send(410, { error: { id: 'self_service_flow_expired', code: 410 } });
  if (req.url?.startsWith('/base/self-service/login/browser?')) {
    if (cookie.includes('session=live')) return send(400, { error: { id: 'session_already_available', code: 400 } });
    res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': ['csrf_token_x=abc; Path=/; HttpOnly', 'other=1; Path=/'] });
    return res.end(JSON.stringify({ id: 'f2', request_url: req.url }));
  }
  if (req.url === '/admin/admin/sessions/k1?expand=identity') return send(200, { id: 'k1', identity: { id: 'ada' } });
  if (req.url?.startsWith('/admin/admin/sessions/broken')) return send(500, 'not json');
  // Kratos v1.3.1 when its database is gone, in its usual error shape.
  if (req.url === '/admin/admin/health/ready') return send(503, { error: { code: 503, status: 'Service Unavailable', message: 'dial tcp 127.0.0.1:5432: connect: connection refused' } });
  return send(404, { error: { code: 404 } });
});
let kratos: KratosClient;

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  kratos = new KratosClient({ publicUrl: `${origin}/base`, adminUrl: `${origin}/admin`, timeoutMs: 2_000 });
});
afterAll(async () => {
  await kratos.close();
  await new Promise((r) => server.close(r));
});

describe('KratosClient calls through the pool', () => {
  it("asks whoami with the browser's cookies under the public URL's path, and reads the session", async () => {
    expect(await kratos.whoami('session=live; other=1')).toMatchObject({ id: 'k1', identity: { id: 'ada' } });
    expect(seen.at(-1)).toEqual({ url: '/base/sessions/whoami', cookie: 'session=live; other=1' });
  });

  it('answers undefined for no session (401) and without asking when there is no cookie', async () => {
    const before = seen.length;
    expect(await kratos.whoami(undefined)).toBeUndefined();
    expect(seen.length).toBe(before);
    expect(await kratos.whoami('session=gone')).toBeUndefined();
  });

  it("keeps Kratos' error id (the second factor owed) and reports it through whoamiOrPending", async () => {
    const err = await kratos.whoami('session=aal1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KratosError);
    expect(err).toMatchObject({ status: 403, errorId: 'session_aal2_required' });
    expect(await kratos.whoamiOrPending('session=aal1')).toEqual({ session: undefined, aal2Required: true });
  });

  it('looks a session up by id with its identity; unknown is undefined, a server error throws', async () => {
    expect(await kratos.getSession('k1')).toMatchObject({ identity: { id: 'ada' } });
    expect(await kratos.getSession('nope')).toBeUndefined();
    // An id never leaves the sessions path.
    expect(await kratos.getSession('a/../../identities')).toBeUndefined();
    expect(seen.at(-1)?.url).toBe('/admin/admin/sessions/a%2F..%2F..%2Fidentities?expand=identity');
    await expect(kratos.getSession('broken')).rejects.toMatchObject({ name: 'KratosError', status: 500 });
  });

  it("reads a browser flow with the browser's cookies; an expired one throws with Kratos' error id", async () => {
    expect(await kratos.getFlow('login', 'f1', 'csrf_token_x=abc')).toMatchObject({ id: 'f1', type: 'browser' });
    expect(seen.at(-1)).toEqual({ url: '/base/self-service/login/flows?id=f1', cookie: 'csrf_token_x=abc' });
    await expect(kratos.getFlow('registration', 'gone', undefined)).rejects.toMatchObject({ name: 'KratosError', status: 410, errorId: 'self_service_flow_expired' });
    expect(seen.at(-1)).toEqual({ url: '/base/self-service/registration/flows?id=gone', cookie: undefined });
    // A flow id never leaves its query parameter.
    await expect(kratos.getFlow('login', 'x&id=f1', undefined)).rejects.toMatchObject({ status: 404 });
    expect(seen.at(-1)?.url).toBe('/base/self-service/login/flows?id=x%26id%3Df1');
  });

  it('starts a login flow with its options and relays every Set-Cookie; a signed-in browser gets Kratos\' refusal', async () => {
    const { flow, setCookie } = await kratos.createLoginFlow('ory=1', { returnTo: 'https://login.sso.test/interaction/u1?x=1', refresh: true, aal: 'aal2' });
    expect(flow).toMatchObject({ id: 'f2' });
    expect(setCookie).toEqual(['csrf_token_x=abc; Path=/; HttpOnly', 'other=1; Path=/']);
    const url = new URL(seen.at(-1)!.url, 'http://kratos');
    expect(url.pathname).toBe('/base/self-service/login/browser');
    expect(Object.fromEntries(url.searchParams)).toEqual({ return_to: 'https://login.sso.test/interaction/u1?x=1', refresh: 'true', aal: 'aal2' });
    expect(seen.at(-1)?.cookie).toBe('ory=1');
    await kratos.createLoginFlow(undefined, { returnTo: 'https://login.sso.test/' });
    expect(new URL(seen.at(-1)!.url, 'http://kratos').search).toBe('?return_to=https%3A%2F%2Flogin.sso.test%2F');
    await expect(kratos.createLoginFlow('session=live', { returnTo: 'https://login.sso.test/' })).rejects.toMatchObject({ status: 400, errorId: 'session_already_available' });
  });

  it('tells an unreadable answer and an unreachable Kratos apart from a missing session', async () => {
    await expect(kratos.whoami('session=garbled')).rejects.toBeInstanceOf(KratosUnavailableError);
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const nowhere = new KratosClient({ publicUrl: `http://127.0.0.1:${port}`, adminUrl: `http://127.0.0.1:${port}` });
    const err = await nowhere.getSession('k1').catch((e: unknown) => e);
    await nowhere.close();
    expect(err).toBeInstanceOf(KratosUnavailableError);
    expect((err as Error).message).toMatch(/Kratos is unreachable: ECONNREFUSED/);
  });
});

describe('KratosClient.readiness', () => {
  it('reports the reason Kratos gives in its usual error shape, not only the status', async () => {
    expect(await kratos.readiness()).toEqual({
      ready: false,
      errors: { kratos: 'readiness answered 503: dial tcp 127.0.0.1:5432: connect: connection refused' },
    });
  });
});
