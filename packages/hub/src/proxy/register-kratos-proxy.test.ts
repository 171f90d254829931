import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerErrorHandler } from '../errors/register-error-handler.ts';
import { registerHubRequest } from '../http/register-hub-request.ts';
import { registerKratosProxy } from './register-kratos-proxy.ts';
import type { Submission, SubmissionGuard } from './submission-guard.ts';

// The proxy in front of a stand-in Kratos on loopback: what reaches Kratos, and what the guard sees.
describe('the same-origin Kratos proxy', () => {
  let kratos: Server;
  let app: FastifyInstance;
  const forwarded: string[] = [];
  const bodies: string[] = [];
  const seen: Submission[] = [];
  const answers: { flowId?: string; setSession: boolean }[] = [];
  const guard: SubmissionGuard = {
    async before(s) {
      seen.push(s);
    },
    async after(s, answer) {
      answers.push({ flowId: s.flowId, setSession: answer.setSession });
    },
  };

  beforeAll(async () => {
    kratos = createServer((req, res) => {
      forwarded.push(`${req.method} ${req.url}`);
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        bodies.push(`${req.headers['content-type'] ?? ''}|${Buffer.concat(chunks).toString('utf8')}`);
        // `?cookie=NAME` stands for a successful sign-in: Kratos sets its session cookie. Each
        // `?set=` is a whole Set-Cookie line, sent as is.
        const query = new URL(req.url ?? '/', 'http://kratos').searchParams;
        const cookie = query.get('cookie');
        const setCookies = [...(cookie ? [`${cookie}=s3cret; Path=/; HttpOnly`] : []), ...query.getAll('set')];
        res.writeHead(303, { location: '/login?flow=x', ...(setCookies.length > 0 ? { 'set-cookie': setCookies } : {}) }).end();
      });
    });
    await new Promise<void>((r) => kratos.listen(0, '127.0.0.1', () => r()));
    app = Fastify();
    registerHubRequest(app);
    registerErrorHandler(app);
    await registerKratosProxy(app, {
      kratosPublicUrl: `http://127.0.0.1:${(kratos.address() as AddressInfo).port}`,
      publicUrl: 'https://login.example.test',
      sessionCookieName: 'acme_session',
      guard,
    });
  });
  afterAll(async () => {
    await app.close();
    await new Promise((r) => kratos.close(r));
  });

  it('forwards a browser submission and shows the guard its fields', async () => {
    const res = await app.inject({ method: 'POST', url: '/self-service/login?flow=f1', payload: 'identifier=ada%40x.test&password=p&method=password', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.statusCode).toBe(303);
    expect(forwarded.at(-1)).toBe('POST /self-service/login?flow=f1');
    expect(seen.at(-1)).toMatchObject({ kind: 'login', flowId: 'f1', fields: { identifier: 'ada@x.test', method: 'password' } });
  });

  it('tells the guard a sign-in succeeded by the session cookie name Kratos is configured with', async () => {
    const post = (flow: string) =>
      app.inject({ method: 'POST', url: `/self-service/login?flow=${flow}`, payload: 'identifier=ada%40x.test&password=p&method=password', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    await post('c1&cookie=acme_session');
    await post('c2&cookie=ory_kratos_session');
    await post('c3');
    expect(answers.slice(-3)).toEqual([
      { flowId: 'c1', setSession: true },
      { flowId: 'c2', setSession: false },
      { flowId: 'c3', setSession: false },
    ]);
  });

  it("reads the session cookie's exact name, and takes Max-Age <= 0 or an Expires in the past as its deletion", async () => {
    const post = (flow: string, ...setCookies: string[]) =>
      app.inject({
        method: 'POST',
        url: `/self-service/login?${new URLSearchParams([['flow', flow], ...setCookies.map((c): [string, string] => ['set', c])])}`,
        payload: 'identifier=ada%40x.test&password=p&method=password',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
    const cases: [string, string[], boolean][] = [
      ['another cookie whose name starts with it', ['acme_session_x=s3cret; Path=/'], false],
      ['no "=" after the name', ['acme_session; Path=/'], false],
      ['a session cookie among others', ['csrf_token=abc; Path=/', 'acme_session=s3cret; Path=/; Max-Age=86400; HttpOnly'], true],
      ['Max-Age=0', ['acme_session=; Path=/; Max-Age=0'], false],
      ['a negative Max-Age, any case', ['acme_session=; path=/; max-age=-1'], false],
      ['Expires in the past, not 1970', ['acme_session=; Path=/; Expires=Wed, 21 Oct 2015 07:28:00 GMT'], false],
      ['Expires in the future', ['acme_session=s3cret; Path=/; Expires=Fri, 31 Dec 2100 23:59:59 GMT'], true],
      ['a positive Max-Age over a past Expires', ['acme_session=s3cret; Expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=60'], true],
      ['Max-Age or Expires text inside the value', ['acme_session=max-age=0; Path=/'], true],
      ['an unreadable Max-Age and Expires, ignored', ['acme_session=s3cret; Max-Age=soon; Expires=someday'], true],
    ];
    for (const [what, setCookies, setSession] of cases) {
      await post(what, ...setCookies);
      expect(answers.at(-1), what).toEqual({ flowId: what, setSession });
    }
  });

  it("forwards JSON and form bodies byte for byte, with their content type, adding only the page's locale", async () => {
    const json = '{"method":"password","identifier":"ada@x.test","password":"p","csrf_token":"t"}';
    await app.inject({ method: 'POST', url: '/self-service/login?flow=j1', payload: json, headers: { 'content-type': 'application/json' } });
    expect(bodies.at(-1)).toBe(`application/json|{"transient_payload":{"locale":"en"},${json.slice(1)}`);
    expect(seen.at(-1)?.fields).toMatchObject({ identifier: 'ada@x.test', method: 'password' });
    const form = 'csrf_token=t&method=password&identifier=ada%40x.test&password=p%20q';
    await app.inject({ method: 'POST', url: '/self-service/login?flow=j2', payload: form, headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' } });
    expect(bodies.at(-1)).toBe(`application/x-www-form-urlencoded; charset=utf-8|${form}&transient_payload=%7B%22locale%22%3A%22en%22%7D`);
    expect(seen.at(-1)?.fields).not.toHaveProperty('transient_payload');
  });

  it("tells Kratos' courier the request's language on every submission that can send mail, and on nothing else", async () => {
    const form = 'method=code&identifier=ada%40x.test';
    const post = (url: string, headers: Record<string, string> = {}) =>
      app.inject({ method: 'POST', url, payload: form, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });
    for (const kind of ['login', 'registration', 'recovery', 'verification', 'settings']) {
      await post(`/self-service/${kind}?flow=l-${kind}`, { 'accept-language': 'de-AT, en;q=0.5' });
      expect(bodies.at(-1), kind).toBe(`application/x-www-form-urlencoded|${form}&transient_payload=%7B%22locale%22%3A%22de%22%7D`);
    }
    await post('/self-service/login?flow=l-fr', { cookie: 'ssohub_lang=fr', 'accept-language': 'de' });
    expect(bodies.at(-1)).toBe(`application/x-www-form-urlencoded|${form}&transient_payload=%7B%22locale%22%3A%22fr%22%7D`);
    // Not a flow submission: the body goes on as sent.
    await post('/self-service/logout?token=t', { 'accept-language': 'de' });
    expect(bodies.at(-1)).toBe(`application/x-www-form-urlencoded|${form}`);
  });

  // Found by the fuzz suite (seed 2078270241, case 14146): reply-from parsed the Content-Type of
  // an empty body and threw a TypeError on a malformed one, a 500.
  it('forwards a request with an empty body as one without a body, whatever its Content-Type says', async () => {
    bodies.length = 0;
    for (const contentType of ['text/plain; =broken', 'application/json; charset']) {
      const res = await app.inject({ method: 'DELETE', url: '/self-service/flows?empty=1', payload: '', headers: { 'content-type': contentType, 'content-length': '0' } });
      expect(res.statusCode, contentType).toBeLessThan(500);
    }
    expect(bodies).toEqual(['|', '|']);
  });

  it('serves Kratos schema URLs, whose ids are base64url', async () => {
    const res = await app.inject({ method: 'GET', url: '/schemas/ZGVmYXVsdA' });
    expect(res.statusCode).toBe(303);
    expect(forwarded.at(-1)).toBe('GET /schemas/ZGVmYXVsdA');
  });

  it('shows the guard the first of repeated fields, the value Kratos reads', async () => {
    await app.inject({ method: 'POST', url: '/self-service/login?flow=f2', payload: 'identifier=victim%40x.test&password=p&method=password&identifier=decoy%40x.test', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(seen.at(-1)?.fields.identifier).toBe('victim@x.test');
  });

  it.each([
    ['an escaped letter in the flow name', '/self-service/logi%6e?flow=f3'],
    ['an escaped letter in the API path', '/self-service/login/ap%69'],
    ['an escaped slash', '/self-service/login%2Fapi'],
    ['capitals', '/self-service/LOGIN/api'],
    ['a double slash', '/self-service//login'],
  ])('refuses %s without reaching Kratos or skipping the guard', async (_name, url) => {
    const before = forwarded.length;
    const res = await app.inject({ method: 'POST', url, payload: 'identifier=a%40x.test&password=p&method=password', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' } });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    expect(forwarded.length).toBe(before);
  });

  it('forwards a submission sent with Expect, Upgrade, Keep-Alive or chunked, without those hop-by-hop headers', async () => {
    // undici refuses all four: forwarded as sent, each was answered as a Kratos outage (503).
    const headers = [
      { expect: '100-continue' },
      { upgrade: 'websocket' },
      { 'keep-alive': 'timeout=5' },
      { 'transfer-encoding': 'chunked' },
    ];
    for (const [i, extra] of headers.entries()) {
      const res = await app.inject({ method: 'POST', url: `/self-service/login?flow=h${i}`, payload: 'identifier=ada%40x.test&method=password', headers: { 'content-type': 'application/x-www-form-urlencoded', ...extra } });
      expect(res.statusCode, JSON.stringify(extra)).toBe(303);
      expect(forwarded.at(-1)).toBe(`POST /self-service/login?flow=h${i}`);
      expect(bodies.at(-1)).toBe('application/x-www-form-urlencoded|identifier=ada%40x.test&method=password&transient_payload=%7B%22locale%22%3A%22en%22%7D');
    }
  });

  it('refuses API flows, which browsers must never use', async () => {
    const res = await app.inject({ method: 'GET', url: '/self-service/registration/api', headers: { accept: 'application/json' } });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.message).toMatch(/API flows are not available/);
  });
});
