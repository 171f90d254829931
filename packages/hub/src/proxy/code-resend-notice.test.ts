import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fastifyCookie from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerErrorHandler } from '../errors/register-error-handler.ts';
import { NOTICE_COOKIE } from '../login/flow-notice.ts';
import { registerKratosProxy } from './register-kratos-proxy.ts';
import { allowAllSubmissions } from './submission-guard.ts';

// Issue #20: Kratos answers "Send a new code" exactly as it answered the first send (same flow,
// same message), so the proxy, which sees the `resend=code` field, leaves the flow page a notice.
describe('the proxy marks a code resend for the next flow page', () => {
  let kratos: Server;
  let app: FastifyInstance;

  beforeAll(async () => {
    kratos = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(303, { location: '/registration?flow=r1', 'set-cookie': 'csrf_token_x=abc; Path=/; HttpOnly' }).end());
    });
    await new Promise<void>((r) => kratos.listen(0, '127.0.0.1', () => r()));
    app = Fastify();
    registerErrorHandler(app);
    await app.register(fastifyCookie);
    await registerKratosProxy(app, {
      kratosPublicUrl: `http://127.0.0.1:${(kratos.address() as AddressInfo).port}`,
      publicUrl: 'https://login.example.test',
      sessionCookieName: 'acme_session',
      guard: allowAllSubmissions,
    });
  });
  afterAll(async () => {
    await app.close();
    await new Promise((r) => kratos.close(r));
  });

  const post = (payload: string) =>
    app.inject({ method: 'POST', url: '/self-service/registration?flow=r1', payload, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  const cookies = (res: Awaited<ReturnType<typeof post>>) => ([] as string[]).concat(res.headers['set-cookie'] ?? []);

  it('a resend sets the code_resent notice, next to the cookies Kratos set', async () => {
    const res = await post('csrf_token=t&traits.email=ada%40x.test&method=code&resend=code');
    expect(res.statusCode).toBe(303);
    expect(cookies(res)).toContainEqual(expect.stringMatching(new RegExp(`^${NOTICE_COOKIE}=code_resent;.*HttpOnly.*Secure`)));
    expect(cookies(res)).toContainEqual(expect.stringMatching(/^csrf_token_x=abc/));
  });

  it('a first send or a code submission sets no notice', async () => {
    for (const body of ['csrf_token=t&traits.email=ada%40x.test&method=code', 'csrf_token=t&code=123456&method=code']) {
      const res = await post(body);
      expect(cookies(res).some((c) => c.startsWith(`${NOTICE_COOKIE}=`))).toBe(false);
    }
  });
});
