import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KratosClient } from './kratos-client.ts';
import { KratosError, KratosUnavailableError } from './kratos-error.ts';

// A stand-in for Kratos on loopback (public API under /base, admin API under /admin), answering
// what every call of the client can meet; it records what the hub sent.
const seen: { url: string; cookie?: string; method?: string; accept?: string }[] = [];
// The admin writes and the server-side verification flow, with the JSON bodies they sent.
const written: { method?: string; url: string; contentType?: string; body: unknown }[] = [];
function answerWrite(req: http.IncomingMessage, res: http.ServerResponse): boolean {
  const url = req.url ?? '';
  const isWrite = req.method === 'PATCH' || req.method === 'POST' || (req.method === 'DELETE' && url.startsWith('/admin/admin/identities/'));
  const startsVerification = req.method === 'GET' && url === '/base/self-service/verification/api';
  if (!isWrite && !startsVerification) return false;
  let text = '';
  req.on('data', (c: Buffer) => {
    text += c.toString();
  });
  req.on('end', () => {
    written.push({ method: req.method, url, contentType: req.headers['content-type'], body: text ? JSON.parse(text) : undefined });
    const send = (status: number, body?: unknown) => {
      res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    if (startsVerification) return send(200, { id: 'v1', type: 'api', state: 'choose_method' });
    if (url === '/base/self-service/verification?flow=v1') return send(200, { id: 'v1', state: 'sent_email' });
    if (url === '/admin/admin/identities/ada' && req.method === 'PATCH') return send(200, { id: 'ada', state: 'inactive' });
    if (url === '/admin/admin/identities/ada' && req.method === 'DELETE') return send(204);
    if (url === '/admin/admin/identities/ada/credentials/totp') return send(204);
    if (url === '/admin/admin/identities/broken' && req.method === 'PATCH') return send(500, { error: { code: 500, message: 'db down' } });
    return send(404, { error: { code: 404, status: 'Not Found' } });
  });
  return true;
}

const server = http.createServer((req, res) => {
  if (answerWrite(req, res)) return;
  seen.push({ url: req.url ?? '', cookie: req.headers.cookie });
  last = { method: req.method, accept: req.headers.accept };
  const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
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
  if (req.url === '/base/health/alive') return send(200, { status: 'ok' });
  if (req.url === '/admin/admin/version') return send(200, { version: 'v1.3.1' });
  if (req.url === '/base/self-service/errors?id=e1') return send(200, { id: 'e1', error: { id: 'security_csrf_violation', code: 403 } });
  if (req.url?.startsWith('/base/self-service/logout/browser')) {
    if (cookie.includes('session=live')) return send(200, { logout_url: 'https://login.sso.test/self-service/logout?token=lt1', logout_token: 'lt1' });
    return send(401, { error: { id: 'session_inactive', code: 401 } });
  }
  if (req.url === '/base/self-service/logout?token=lt1') {
    // Kratos answers JSON clients 204 and browsers a redirect (selfservice/flow/logout/handler.go).
    if (req.headers.accept !== 'application/json') {
      res.writeHead(303, { location: 'https://login.sso.test/' });
      return res.end();
    }
    res.writeHead(204, { 'set-cookie': ['ory_kratos_session=; Max-Age=0', 'csrf_token_x=new'] });
    return res.end();
  }
  if (req.url === '/base/self-service/logout?token=used') return send(401, { error: { id: 'session_inactive', code: 401 } });
  if (req.url?.startsWith('/admin/admin/sessions/') && req.method === 'DELETE') {
    if (req.url === '/admin/admin/sessions/k1') {
      res.writeHead(204);
      return res.end();
    }
    if (req.url === '/admin/admin/sessions/broken') return send(500, { error: { code: 500 } });
    return send(404, { error: { code: 404 } });
  }
  if (req.url?.startsWith('/admin/admin/identities/ada/sessions?')) {
    // 501 sessions, paged as Kratos v1.3.1 does (pages 0 and 1 are both the first): the hub must read every one.
    const q = new URL(req.url, 'http://kratos').searchParams;
    const page = Math.max(Number(q.get('page')) - 1, 0);
    const ids = Array.from({ length: 501 }, (_, i) => ({ id: `k${i}` })).slice(page * 500, page * 500 + 500);
    return send(200, ids, { 'x-total-count': '501' });
  }
  if (req.url === '/admin/admin/identities/ada') return send(200, { id: 'ada', traits: { email: 'ada@example.com' } });
  if (req.url?.startsWith('/admin/admin/identities?')) {
    const q = new URL(req.url, 'http://kratos').searchParams;
    if (q.has('preview_credentials_identifier_similar')) return send(200, [{ id: 'ada' }, { id: 'adam' }, { id: 'adele' }]);
    return send(200, q.get('credentials_identifier') === 'ada@example.com' ? [{ id: 'ada' }] : []);
  }
  return send(404, { error: { code: 404 } });
});
let last: { method?: string; accept?: string } = {};
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

describe('KratosClient hot calls', () => {
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

describe("KratosClient.readinessReport and publicDate, the doctor's readings", () => {
  // A Kratos per base path: each answers readiness in one of the shapes Kratos versions use, and
  // liveness with its own Date header (or none); /stalled never answers.
  const PENDING = 'migrations have not yet been fully applied';
  const stalled = new Set<http.ServerResponse>();
  const own = http.createServer((req, res) => {
    const json = (status: number, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body);
    };
    switch (req.url) {
      case '/v131/admin/health/ready':
        return json(503, JSON.stringify({ error: { code: 500, status: 'Internal Server Error', message: PENDING } }));
      case '/map/admin/health/ready':
        return json(503, JSON.stringify({ errors: { database: 'ok?', migrations: PENDING } }));
      case '/ready/admin/health/ready':
        return json(200, '{"status":"ok"}');
      case '/plain/admin/health/ready':
        res.writeHead(502, { 'content-type': 'text/html' });
        return res.end('<html>Bad Gateway</html>');
      case '/skewed/health/alive':
        return json(200, '{"status":"ok"}', { date: 'Thu, 01 Jan 2026 00:00:00 GMT' });
      case '/undated/health/alive':
        res.sendDate = false;
        return json(503, '{}');
      default:
        stalled.add(res);
    }
  });
  let origin: string;
  const clients: KratosClient[] = [];
  const at = (path: string) => {
    const client = new KratosClient({ publicUrl: `${origin}${path}`, adminUrl: `${origin}${path}` });
    clients.push(client);
    return client;
  };
  beforeAll(async () => {
    await new Promise<void>((r) => own.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(own.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const res of stalled) res.destroy();
    await Promise.all(clients.map((c) => c.close()));
    own.closeAllConnections();
    await new Promise((r) => own.close(r));
  });

  it("reads Kratos v1.3.1's error message, an errors map, a ready answer and a body that is not JSON", async () => {
    expect(await at('/v131').readinessReport()).toEqual({ answered: true, ready: false, status: 503, reason: PENDING });
    expect(await at('/map').readinessReport()).toEqual({ answered: true, ready: false, status: 503, reason: `database: ok?; migrations: ${PENDING}` });
    expect(await at('/ready').readinessReport()).toEqual({ answered: true, ready: true });
    expect(await at('/plain').readinessReport()).toEqual({ answered: true, ready: false, status: 502, reason: 'readiness answered 502' });
  });

  it('says that nothing answered with the code the call failed with: refused, or out of time', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const nowhere = new KratosClient({ publicUrl: `http://127.0.0.1:${port}`, adminUrl: `http://127.0.0.1:${port}` });
    clients.push(nowhere);
    expect(await nowhere.readinessReport()).toEqual({ answered: false, error: 'ECONNREFUSED' });
    expect(await at('/stalled').readinessReport(100)).toEqual({ answered: false, error: 'TimeoutError' });
  });

  it("hands back Kratos' Date header, whatever the status, with when the call was sent and answered", async () => {
    const before = Date.now();
    const { date, sentAt, answeredAt } = await kratos.publicDate();
    expect(seen.at(-1)?.url).toBe('/base/health/alive');
    expect(before).toBeLessThanOrEqual(sentAt);
    expect(sentAt).toBeLessThanOrEqual(answeredAt);
    // Date has one-second resolution: it falls in the second the call was answered, or the one before.
    expect(Date.parse(date!)).toBeGreaterThanOrEqual(Math.floor(sentAt / 1000) * 1000 - 1000);
    expect(Date.parse(date!)).toBeLessThanOrEqual(answeredAt);
    expect((await at('/skewed').publicDate()).date).toBe('Thu, 01 Jan 2026 00:00:00 GMT');
    expect((await at('/undated').publicDate()).date).toBeUndefined();
  });

  it('throws as every call does when Kratos does not answer in time', async () => {
    await expect(at('/stalled').publicDate(100)).rejects.toMatchObject({ name: 'KratosUnavailableError', message: 'Kratos is unreachable: TimeoutError' });
  });
});

describe('KratosClient logout, flow errors and admin calls', () => {
  it("reads a flow's error by id, and throws KratosError for an unknown one", async () => {
    expect(await kratos.getFlowError('e1')).toMatchObject({ id: 'e1', error: { id: 'security_csrf_violation' } });
    await expect(kratos.getFlowError('nope')).rejects.toMatchObject({ name: 'KratosError', status: 404 });
    expect(seen.at(-1)?.url).toBe('/base/self-service/errors?id=nope');
  });

  it("creates a logout flow with the browser's cookies and return_to; no session (or no cookie) is undefined", async () => {
    expect(await kratos.createLogoutUrl('session=live', 'https://app.test/bye?x=1')).toEqual({ logoutUrl: 'https://login.sso.test/self-service/logout?token=lt1', logoutToken: 'lt1' });
    expect(seen.at(-1)).toEqual({ url: '/base/self-service/logout/browser?return_to=https%3A%2F%2Fapp.test%2Fbye%3Fx%3D1', cookie: 'session=live' });
    await kratos.createLogoutUrl('session=live');
    expect(seen.at(-1)?.url).toBe('/base/self-service/logout/browser');
    expect(await kratos.createLogoutUrl('session=gone')).toBeUndefined();
    const before = seen.length;
    expect(await kratos.createLogoutUrl(undefined)).toBeUndefined();
    expect(seen.length).toBe(before);
  });

  it('completes a logout as a JSON client (204, never a redirect) and relays every Set-Cookie; a refusal throws', async () => {
    expect(await kratos.completeLogout('session=live', 'lt1')).toEqual({ setCookie: ['ory_kratos_session=; Max-Age=0', 'csrf_token_x=new'] });
    expect(seen.at(-1)?.cookie).toBe('session=live');
    expect(last.accept).toBe('application/json');
    await expect(kratos.completeLogout('session=live', 'used')).rejects.toMatchObject({ name: 'KratosError', status: 401, errorId: 'session_inactive' });
  });

  it('revokes a session with DELETE; an unknown one is already gone, a server error throws', async () => {
    await kratos.revokeSession('k1');
    expect(last.method).toBe('DELETE');
    expect(seen.at(-1)?.url).toBe('/admin/admin/sessions/k1');
    await kratos.revokeSession('unknown');
    await expect(kratos.revokeSession('broken')).rejects.toMatchObject({ name: 'KratosError', status: 500 });
  });

  it("lists every session of an identity, page by page, active ones unless told otherwise", async () => {
    const sessions = await kratos.listIdentitySessions('ada');
    expect(sessions).toHaveLength(501);
    expect(sessions.at(-1)?.id).toBe('k500');
    expect(seen.slice(-3).map((s) => s.url)).toEqual([0, 1, 2].map((p) => `/admin/admin/identities/ada/sessions?active=true&per_page=500&page=${p}`));
    await kratos.listIdentitySessions('ada', { active: false });
    expect(seen.at(-1)?.url).toBe('/admin/admin/identities/ada/sessions?active=false&per_page=500&page=2');
    expect(await kratos.listIdentitySessions('nobody')).toEqual([]);
  });

  it('finds identities by id and by identifier; unknown ones are undefined', async () => {
    expect(await kratos.getIdentity('ada')).toMatchObject({ id: 'ada' });
    expect(await kratos.getIdentity('nobody')).toBeUndefined();
    expect(await kratos.findIdentityByIdentifier('ada@example.com')).toMatchObject({ id: 'ada' });
    expect(seen.at(-1)?.url).toBe('/admin/admin/identities?credentials_identifier=ada%40example.com&page_size=500');
    expect(await kratos.findIdentityByIdentifier('nobody@example.com')).toBeUndefined();
  });

  it('lists one bounded page of identities by exact identifier or by its start, never both', async () => {
    expect(await kratos.listIdentities({ identifier: 'ada@example.com', limit: 1 })).toEqual([{ id: 'ada' }]);
    expect(seen.at(-1)?.url).toBe('/admin/admin/identities?page_size=1&credentials_identifier=ada%40example.com');
    // A Kratos that answers more than was asked for is cut to the limit.
    expect(await kratos.listIdentities({ identifierPrefix: 'ad', limit: 2 })).toEqual([{ id: 'ada' }, { id: 'adam' }]);
    expect(seen.at(-1)?.url).toBe('/admin/admin/identities?page_size=2&preview_credentials_identifier_similar=ad');
  });

  it('sets the state with a JSON Patch; unknown identity is undefined, a server error throws', async () => {
    expect(await kratos.setIdentityState('ada', 'inactive')).toMatchObject({ id: 'ada', state: 'inactive' });
    expect(written.at(-1)).toEqual({ method: 'PATCH', url: '/admin/admin/identities/ada', contentType: 'application/json', body: [{ op: 'replace', path: '/state', value: 'inactive' }] });
    expect(await kratos.setIdentityState('nobody', 'active')).toBeUndefined();
    await expect(kratos.setIdentityState('broken', 'active')).rejects.toMatchObject({ status: 500 });
  });

  it('deletes an identity and a second factor; an unknown one answers false', async () => {
    expect(await kratos.deleteIdentity('ada')).toBe(true);
    expect(written.at(-1)).toMatchObject({ method: 'DELETE', url: '/admin/admin/identities/ada', body: undefined });
    expect(await kratos.deleteIdentity('nobody')).toBe(false);
    expect(await kratos.deleteSecondFactor('ada', 'totp')).toBe(true);
    expect(written.at(-1)).toMatchObject({ method: 'DELETE', url: '/admin/admin/identities/ada/credentials/totp' });
    expect(await kratos.deleteSecondFactor('ada', 'lookup_secret')).toBe(false);
  });

  it('sends a verification code through a native flow it starts itself, with the code method', async () => {
    const before = written.length;
    expect(await kratos.sendVerificationCode('ada@example.com')).toBe('sent_email');
    expect(written.slice(before)).toEqual([
      { method: 'GET', url: '/base/self-service/verification/api', contentType: undefined, body: undefined },
      { method: 'POST', url: '/base/self-service/verification?flow=v1', contentType: 'application/json', body: { method: 'code', email: 'ada@example.com' } },
    ]);
  });

  it('reads the version from /admin/version and public liveness from /health/alive', async () => {
    expect(await kratos.version()).toBe('v1.3.1');
    expect(await kratos.publicAlive()).toBe(true);
  });
});

describe('KratosClient.close', () => {
  it('closes the connections of both APIs, after which calls fail as an unreachable Kratos', async () => {
    const own = http.createServer((req, res) => {
      res.writeHead(req.url === '/p/sessions/whoami' ? 401 : 404, { 'content-type': 'application/json' });
      res.end('{}');
    });
    await new Promise<void>((r) => own.listen(0, '127.0.0.1', r));
    const origin = `http://127.0.0.1:${(own.address() as AddressInfo).port}`;
    const client = new KratosClient({ publicUrl: `${origin}/p`, adminUrl: `${origin}/a` });
    await client.whoami('x=1');
    await client.getIdentity('nobody');
    await client.revokeSession('nobody');
    const open = () => new Promise<number>((r) => own.getConnections((_, n) => r(n)));
    expect(await open()).toBeGreaterThan(0);
    await client.close();
    await expect.poll(open).toBe(0);
    await expect(client.getSession('k1')).rejects.toBeInstanceOf(KratosUnavailableError);
    expect(await client.publicAlive()).toBe(false);
    expect(await client.readiness()).toEqual({ ready: false, errors: { kratos: 'Kratos is unreachable: UND_ERR_DESTROYED' } });
    await new Promise((r) => own.close(r));
  });
});
