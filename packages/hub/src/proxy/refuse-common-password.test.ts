import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fastifyCookie from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { registerErrorHandler } from '../errors/register-error-handler.ts';
import { NOTICE_COOKIE } from '../login/flow-notice.ts';
import { registerKratosProxy } from './register-kratos-proxy.ts';
import { allowAllSubmissions } from './submission-guard.ts';

const FLOW = '5f3c9a1e-2b4d-4c6e-8f00-1234567890ab';

// Issue #21: a new password on the shipped list is refused by the proxy; Kratos never sees it.
describe('the proxy refuses a common password', () => {
  let kratos: Server;
  let app: FastifyInstance;
  let forwarded: string[];
  const logLines: string[] = [];

  beforeAll(async () => {
    kratos = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        forwarded.push(body);
        res.writeHead(303, { location: `/registration?flow=${FLOW}` }).end();
      });
    });
    await new Promise<void>((r) => kratos.listen(0, '127.0.0.1', () => r()));
    app = Fastify({ logger: { level: 'trace', stream: { write: (line: string) => logLines.push(line) } } });
    registerErrorHandler(app);
    await app.register(fastifyCookie);
    await registerKratosProxy(app, {
      kratosPublicUrl: `http://127.0.0.1:${(kratos.address() as AddressInfo).port}`,
      publicUrl: 'https://login.example.test',
      sessionCookieName: 'acme_session',
      guard: allowAllSubmissions,
    });
  });
  beforeEach(() => {
    forwarded = [];
  });
  afterAll(async () => {
    await app.close();
    await new Promise((r) => kratos.close(r));
  });

  const form = (flow: string, payload: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: `/self-service/${flow}?flow=${FLOW}`, payload, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });
  const cookies = (res: { headers: Record<string, unknown> }) => ([] as string[]).concat((res.headers['set-cookie'] as string[] | string | undefined) ?? []);

  it.each(['registration', 'settings'])('%s: back to the same flow page with the notice, nothing forwarded', async (flow) => {
    const res = await form(flow, 'csrf_token=t&traits.email=ada%40x.test&method=password&password=Qwerty123456');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/${flow}?flow=${FLOW}`);
    expect(cookies(res)).toContainEqual(expect.stringMatching(new RegExp(`^${NOTICE_COOKIE}=password_common;.*HttpOnly.*Secure`)));
    expect(forwarded).toEqual([]);
    // Logged as refused, without the password.
    expect(logLines.some((l) => l.includes('refused a new password on the common-password list'))).toBe(true);
    expect(logLines.join('\n')).not.toContain('Qwerty123456');
  });

  it('a JSON submission gets a 400 saying why, and nothing is forwarded', async () => {
    const res = await app.inject({
      method: 'POST',
      url: `/self-service/settings?flow=${FLOW}`,
      payload: JSON.stringify({ csrf_token: 't', method: 'password', password: 'leavemealone' }),
      headers: { 'content-type': 'application/json', accept: 'application/json' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'SSOHUB_ERR_VALIDATION', status: 400, message: expect.stringMatching(/list of common and leaked passwords/) } });
    expect(res.body).not.toContain('leavemealone');
    expect(forwarded).toEqual([]);
  });

  it('an uncommon password, another method, or a sign-in with a common password goes on to Kratos', async () => {
    expect((await form('registration', 'csrf_token=t&method=password&password=violet+tugboat+sermon+47')).statusCode).toBe(303);
    expect((await form('settings', 'csrf_token=t&method=profile&traits.email=a%40x.test&password=password')).statusCode).toBe(303);
    // Signing in with an old, common password must still work: the list applies to new ones.
    expect((await form('login', 'csrf_token=t&method=password&identifier=a%40x.test&password=password')).statusCode).toBe(303);
    expect(forwarded).toHaveLength(3);
  });

  it('a flow id that is no UUID is not echoed into the redirect', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/self-service/registration?flow=%2F%2Fevil.test',
      payload: 'method=password&password=password',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/registration');
  });
});
