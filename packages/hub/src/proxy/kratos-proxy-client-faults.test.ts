import { randomUUID } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerErrorHandler } from '../errors/register-error-handler.ts';
import { createLogger } from '../http/create-logger.ts';
import { registerKratosProxy } from './register-kratos-proxy.ts';
import { createSignInTimeFloor } from './sign-in-time-floor.ts';
import type { SubmissionGuard } from './submission-guard.ts';

type LogLine = { level: number; reqId?: string; msg: string; err?: { type?: string; message?: string }; code?: string; status?: number };

// The proxy (configured as app.ts configures the hub) in front of a stand-in Kratos on loopback,
// fed what a fuzzer sends: addresses that are not valid percent-encoding, and clients that close
// or half-close their connection before the answer. Neither is the hub's failure: a 400 through
// the hub's error path, or an info line; never a 500 or an error-level line.
describe('the Kratos proxy and faulty clients', () => {
  let kratos: Server;
  let app: FastifyInstance;
  let hubPort: number;
  const lines: LogLine[] = [];
  const forwarded: string[] = [];
  const forwardedIds = new Set<string>();
  /** Emits `answered` with the request's x-test-id once the stand-in has answered it. */
  const upstream = new EventEmitter();
  const counted: string[] = [];
  const guard: SubmissionGuard = {
    async before() {},
    async after(_s, _answer, request) {
      counted.push(String(request.headers['x-test-id']));
    },
  };

  beforeAll(async () => {
    kratos = createServer((req, res) => {
      forwarded.push(`${req.method} ${req.url}`);
      const id = String(req.headers['x-test-id']);
      forwardedIds.add(id);
      req.resume();
      req.on('end', () => {
        if (req.url?.includes('slow=1')) {
          // Headers now, the body later: the client leaves while the hub streams the answer.
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.flushHeaders();
          upstream.emit('answered', id);
          setTimeout(() => res.end('late'), 300);
          return;
        }
        setTimeout(() => {
          res.writeHead(303, { location: '/login?flow=x' }).end();
          upstream.emit('answered', id);
        }, 100);
      });
    });
    await new Promise<void>((r) => kratos.listen(0, '127.0.0.1', () => r()));
    app = await proxyApp(`http://127.0.0.1:${(kratos.address() as AddressInfo).port}`, lines, guard);
    await app.listen({ port: 0, host: '127.0.0.1' });
    hubPort = (app.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await app?.close();
    await new Promise((r) => kratos?.close(r));
  });

  const errorLines = (reqId: string) => lines.filter((l) => l.reqId === reqId && l.level >= 50);

  describe('an address that is not valid percent-encoding', () => {
    it.each([
      ['GET', '/self-service/login/browser?x=%zz'],
      ['GET', '/self-service/registration/flows?id=%E0%A4%A'],
      ['GET', '/self-service/registration/browser?return_to=%E0%A4%A'],
      ['GET', '/sessions/whoami?x=%'],
      ['POST', '/self-service/login?flow=%zz'],
    ] as const)('%s %s answers 400 with the hub JSON error, logged at info, not forwarded', async (method, url) => {
      const before = forwarded.length;
      const id = randomUUID();
      const res = await app.inject({
        method,
        url,
        headers: { accept: 'application/json', 'x-test-id': id, ...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
        ...(method === 'POST' ? { payload: 'identifier=a%40x.test&password=p&method=password' } : {}),
      });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: { code: 'SSOHUB_ERR_BAD_REQUEST', status: 400, message: 'This address is not valid on the login domain.', requestId: id } });
      expect(forwarded.length).toBe(before);
      expect(errorLines(id)).toEqual([]);
      expect(lines.filter((l) => l.reqId === id && l.msg === 'request refused')).toMatchObject([{ level: 30, status: 400, code: 'SSOHUB_ERR_BAD_REQUEST' }]);
    });

    it('answers a browser with the hub error page', async () => {
      const id = randomUUID();
      const res = await app.inject({ method: 'GET', url: '/self-service/login/browser?x=%zz', headers: { accept: 'text/html', 'x-test-id': id } });
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toContain('data-code="SSOHUB_ERR_BAD_REQUEST"');
      expect(res.body).toContain(id);
      expect(errorLines(id)).toEqual([]);
    });

    // Fastify's router refuses these before any route or hook of the proxy runs (FST_ERR_BAD_URL).
    it.each(['/self-service/login/browser%E0%A4%A', '/self-service/registration/%E0%A4%A', '/schemas/%zz'])('refuses the path %s with a 400, not forwarded, no error logged', async (url) => {
      const before = forwarded.length;
      const errorsBefore = lines.filter((l) => l.level >= 50).length;
      const res = await app.inject({ method: 'GET', url, headers: { accept: 'application/json' } });
      expect(res.statusCode).toBe(400);
      expect(forwarded.length).toBe(before);
      expect(lines.filter((l) => l.level >= 50).length).toBe(errorsBefore);
    });
  });

  describe('a client that leaves before the answer', () => {
    /**
     * Sends `request` on a raw socket with `x-test-id: id`, then closes (or half-closes) the
     * connection once the stand-in Kratos has received it, and waits until the hub is done.
     */
    async function leave(id: string, request: string, how: 'destroy' | 'end', { body = '', after = 'forwarded' as 'forwarded' | 'answered' } = {}) {
      const answered = new Promise<void>((resolve) => {
        const on = (answeredId: string) => {
          if (answeredId !== id) return;
          upstream.off('answered', on);
          resolve();
        };
        upstream.on('answered', on);
      });
      const socket = connect(hubPort, '127.0.0.1');
      socket.on('error', () => {});
      await once(socket, 'connect');
      const head = `${request}\r\nhost: login.example.test\r\nx-test-id: ${id}\r\n`;
      socket.write(body ? `${head}content-type: application/x-www-form-urlencoded\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}` : `${head}\r\n`);
      if (after === 'forwarded') {
        // Kratos has the request and answers in 100 ms: leave before that.
        await waitFor(() => forwardedIds.has(id));
        await new Promise((r) => setTimeout(r, 30));
      } else {
        await answered;
        await new Promise((r) => setTimeout(r, 30));
      }
      if (how === 'destroy') socket.destroy();
      else socket.end();
      await answered;
      // The hub's side of it: whatever it logs for this request comes within a few ms.
      await new Promise((r) => setTimeout(r, 150));
      socket.destroy();
    }

    it.each(['destroy', 'end'] as const)('a sign-in submission (socket %s): counted by the guard, one info line, no error', async (how) => {
      const id = randomUUID();
      await leave(id, 'POST /self-service/login?flow=f1 HTTP/1.1', how, { body: 'identifier=a%40x.test&password=p&method=password' });
      expect(counted).toContain(id);
      expect(errorLines(id)).toEqual([]);
      expect(lines.filter((l) => l.reqId === id && l.level >= 40)).toEqual([]);
      expect(lines.filter((l) => l.reqId === id && l.msg === 'client closed the connection before the answer')).toMatchObject([{ level: 30 }]);
    });

    it.each(['destroy', 'end'] as const)('a GET (socket %s): no error', async (how) => {
      const id = randomUUID();
      await leave(id, 'GET /self-service/login/browser HTTP/1.1', how);
      expect(errorLines(id)).toEqual([]);
      expect(lines.filter((l) => l.reqId === id && l.level >= 40)).toEqual([]);
    });

    it.each(['destroy', 'end'] as const)('a submission whose answer is still streaming (socket %s): one info line, no error', async (how) => {
      const id = randomUUID();
      await leave(id, 'POST /self-service/login?flow=f2&slow=1 HTTP/1.1', how, { body: 'identifier=a%40x.test&password=p&method=password', after: 'answered' });
      expect(errorLines(id)).toEqual([]);
      expect(lines.filter((l) => l.reqId === id && l.msg === 'client closed the connection before the answer')).toMatchObject([{ level: 30 }]);
    });

    it('still answers the clients that stay', async () => {
      const res = await fetch(`http://127.0.0.1:${hubPort}/self-service/login/browser`, { redirect: 'manual' });
      expect(res.status).toBe(303);
    });
  });
});

describe('the Kratos proxy with Kratos unreachable', () => {
  it('still answers 503 (the outage answer) and logs it as an error', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const lines: LogLine[] = [];
    const app = await proxyApp(`http://127.0.0.1:${port}`, lines, { async before() {}, async after() {} });
    try {
      const id = randomUUID();
      const res = await app.inject({ method: 'GET', url: '/self-service/login/browser', headers: { accept: 'application/json', 'x-test-id': id } });
      expect(res.statusCode).toBe(503);
      expect(res.json().error.code).toBe('SSOHUB_ERR_KRATOS_UNAVAILABLE');
      expect(lines.filter((l) => l.reqId === id && l.level >= 50)).toMatchObject([{ msg: 'request failed', err: { type: 'KratosUnavailableError' } }]);
    } finally {
      await app.close();
    }
  });
});

/** The proxy as app.ts builds the hub: its logger, router options, request ids and error path. */
async function proxyApp(kratosPublicUrl: string, lines: LogLine[], guard: SubmissionGuard): Promise<FastifyInstance> {
  const log = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
  const app = Fastify({
    loggerInstance: log,
    routerOptions: { ignoreTrailingSlash: true },
    requestIdHeader: false,
    genReqId: (req) => String(req.headers['x-test-id'] ?? randomUUID()),
  }) as unknown as FastifyInstance;
  registerErrorHandler(app);
  // No sign-in time floor here: what these tests time is the client leaving, not the answer.
  await registerKratosProxy(app, { kratosPublicUrl, publicUrl: 'https://login.example.test', sessionCookieName: 'acme_session', guard, signInFloor: createSignInTimeFloor({ initialMs: 0 }) });
  return app;
}

async function waitFor(condition: () => boolean, ms = 2000): Promise<void> {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}
