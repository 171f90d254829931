import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type Hub } from '../app.ts';
import { createCookieSigner } from '../bridge/provider/cookie-signer.ts';
import { checkConfig } from '../config/check-config.ts';
import { createLogger } from '../http/create-logger.ts';
import type { Storage } from '../storage/storage.ts';

// The one error path (present-error.ts) for every failure a store or Kratos outage causes: the
// provider's endpoints, the interaction pages and the Kratos proxy answer the hub's 503 page or
// an OAuth JSON error with Retry-After, show the request id, log the failure once with its type
// and stack, and never show what Kratos (or PostgreSQL behind it) said.

const COOKIE_KEY = 'test-cookie-key-0123456789abcdefghijklmnop';
const SECRET = 'app-a-secret-0123456789abcdefghijklmnop';
const POSTGRES_TEXT = 'pq: password authentication failed for user "kratos" (SQLSTATE 28P01)';
const AUTH_URL =
  '/oidc/auth?client_id=app-a&response_type=code&scope=openid&state=st4te-0123456789&nonce=n0nce-0123456789' +
  `&redirect_uri=${encodeURIComponent('https://app-a.test/callback')}&code_challenge=${'E'.repeat(43)}&code_challenge_method=S256`;

type LogLine = { level: number; reqId?: string; msg: string; err?: { type?: string; message?: string; stack?: string }; code?: string };

/** A port nothing listens on: bound once by the OS, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

async function startHub({ kratosUrl, storage }: { kratosUrl: string; storage?: Storage }) {
  const lines: LogLine[] = [];
  const log = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
  const config = checkConfig({
    mode: 'development',
    publicUrl: 'http://login.localhost:4000',
    store: storage ? { kind: 'redis', url: 'redis://127.0.0.1:6379', prefix: 'unused' } : { kind: 'memory' },
    kratos: { publicUrl: kratosUrl, adminUrl: kratosUrl },
    bridge: {
      cookieKeys: [COOKIE_KEY],
      clients: [
        {
          client_id: 'app-a',
          client_secret: SECRET,
          redirect_uris: ['https://app-a.test/callback'],
          token_endpoint_auth_method: 'client_secret_basic',
          ssohub_first_party: true,
        },
      ],
    },
  });
  const hub = await buildApp(config, { log, ...(storage ? { storage } : {}) });
  await hub.app.ready();
  return { hub, lines };
}

/** The request id an answer shows: the page's reference, or the OAuth error's request_id. */
function shownRequestId(body: string): string {
  const fromPage = /data-testid="error\/reference">([0-9a-f-]{36})</.exec(body)?.[1];
  if (fromPage) return fromPage;
  return (JSON.parse(body) as { request_id: string }).request_id;
}

/** Checks the failure was logged once, as an error with type and stack, under the id it shows. */
function expectLoggedOnce(lines: LogLine[], requestId: string, type: RegExp) {
  const errors = lines.filter((l) => l.reqId === requestId && l.level >= 40);
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatchObject({ level: 50, msg: 'request failed' });
  expect(errors[0]!.err?.type).toMatch(type);
  expect(errors[0]!.err?.stack).toMatch(/\n\s+at /);
  // Nothing the error path does is logged without the request id (the provider's own line was).
  expect(lines.filter((l) => l.level >= 50 && !l.reqId && /server error|request failed/i.test(l.msg))).toEqual([]);
}

function expectOutagePage(res: { statusCode: number; headers: Record<string, unknown>; body: string }) {
  expect(res.statusCode).toBe(503);
  expect(res.headers['content-type']).toMatch(/^text\/html/);
  expect(res.headers['retry-after']).toMatch(/^\d+$/);
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.body).toContain('The sign-in service is unavailable');
  expect(res.body).toContain('temporarily unavailable');
}

function expectOAuthOutage(res: { statusCode: number; headers: Record<string, unknown>; body: string }) {
  expect(res.statusCode).toBe(503);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(res.headers['retry-after']).toMatch(/^\d+$/);
  const body = JSON.parse(res.body) as Record<string, unknown>;
  expect(body.error).toBe('temporarily_unavailable');
  expect(typeof body.error_description).toBe('string');
  expect(body.error_description).toContain(String(body.request_id));
}

describe('the error path when the store (Redis) is down', () => {
  let hub: Hub;
  let lines: LogLine[];
  let redis: Redis;

  beforeAll(async () => {
    // A real client on a port nothing listens on, failing fast as the configured timeouts would.
    redis = new Redis({ host: '127.0.0.1', port: await closedPort(), lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    redis.on('error', () => {});
    const storage: Storage = { kind: 'redis', redis, prefix: 'ssohub-test-down:', description: 'redis: closed port (test)', close: async () => redis.disconnect() };
    ({ hub, lines } = await startHub({ kratosUrl: `http://127.0.0.1:${await closedPort()}`, storage }));
  });
  afterAll(async () => {
    await hub?.close();
    redis?.disconnect();
  });

  it('answers /oidc/auth with the 503 page, not a bare text/plain 500', async () => {
    const res = await hub.app.inject({ method: 'GET', url: AUTH_URL, headers: { accept: 'text/html' } });
    expectOutagePage(res);
    expectLoggedOnce(lines, shownRequestId(res.body), /./);
  });

  it('answers /oidc/token with an OAuth error (error is a string) and Retry-After', async () => {
    const res = await hub.app.inject({
      method: 'POST',
      url: '/oidc/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', authorization: `Basic ${Buffer.from(`app-a:${SECRET}`).toString('base64')}` },
      payload: 'grant_type=authorization_code&code=abc&redirect_uri=https%3A%2F%2Fapp-a.test%2Fcallback&code_verifier=' + 'v'.repeat(43),
    });
    expectOAuthOutage(res);
    expectLoggedOnce(lines, shownRequestId(res.body), /./);
  });

  it('answers a JSON endpoint the provider itself failed on (userinfo) as temporarily_unavailable', async () => {
    const res = await hub.app.inject({ method: 'GET', url: '/oidc/me', headers: { accept: 'application/json', authorization: `Bearer ${'a'.repeat(43)}` } });
    expectOAuthOutage(res);
    expectLoggedOnce(lines, shownRequestId(res.body), /./);
  });

  it('answers /interaction/:uid with 503, not "expired or belongs to another browser"', async () => {
    const sig = createCookieSigner([COOKIE_KEY]).sign('_interaction=uid-0123456789');
    const res = await hub.app.inject({ method: 'GET', url: '/interaction/uid-0123456789', headers: { cookie: `_interaction=uid-0123456789; _interaction.sig=${sig}` } });
    expectOutagePage(res);
    expect(res.body).not.toContain('another browser');
    expectLoggedOnce(lines, shownRequestId(res.body), /./);
  });

  it('still tells a browser without an interaction cookie that its sign-in is not this one (400)', async () => {
    const res = await hub.app.inject({ method: 'GET', url: '/interaction/uid-0123456789' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('another browser');
  });
});

describe('the error path when Kratos fails', () => {
  let failing: Server;
  const hubs: Hub[] = [];

  beforeAll(async () => {
    // Kratos with its database gone: every answer a 500 quoting PostgreSQL.
    failing = createServer((_req, res) => {
      res.writeHead(500, { 'content-type': 'application/json', 'set-cookie': 'csrf_token_x=leak; Path=/' });
      res.end(JSON.stringify({ error: { code: 500, status: 'Internal Server Error', reason: POSTGRES_TEXT, message: `An internal server error occurred: ${POSTGRES_TEXT}` } }));
    });
    await new Promise<void>((r) => failing.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    for (const h of hubs) await h.close();
    await new Promise((r) => failing.close(r));
  });

  const kratosCases = [
    ['answering 500 with PostgreSQL text', async () => `http://127.0.0.1:${(failing.address() as AddressInfo).port}`],
    ['refusing connections', async () => `http://127.0.0.1:${await closedPort()}`],
  ] as const;

  describe.each(kratosCases)('Kratos %s', (_name, kratosUrl) => {
    let hub: Hub;
    let lines: LogLine[];
    beforeAll(async () => {
      ({ hub, lines } = await startHub({ kratosUrl: await kratosUrl() }));
      hubs.push(hub);
    });

    it('answers proxied Kratos pages with the 503 page and none of Kratos\' text', async () => {
      const res = await hub.app.inject({ method: 'GET', url: '/self-service/login/browser', headers: { accept: 'text/html' } });
      expectOutagePage(res);
      expect(res.body).not.toMatch(/pq:|password authentication|SQLSTATE|Internal Server Error/);
      expect(res.headers['set-cookie']).toBeUndefined();
      expectLoggedOnce(lines, shownRequestId(res.body), /^Kratos(Unavailable)?Error$/);
    });

    it('answers proxied JSON calls with the hub\'s JSON error, never Kratos\' body', async () => {
      const res = await hub.app.inject({ method: 'GET', url: '/sessions/whoami', headers: { accept: 'application/json', cookie: 'ory_kratos_session=x' } });
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toMatch(/^\d+$/);
      expect(res.body).not.toMatch(/pq:|password authentication|SQLSTATE/);
      const body = res.json() as { error: { code: string; requestId: string } };
      expect(body.error.code).toBe('SSOHUB_ERR_KRATOS_UNAVAILABLE');
      expectLoggedOnce(lines, body.error.requestId, /^Kratos(Unavailable)?Error$/);
    });

    it('answers the interaction page with the 503 page', async () => {
      const auth = await hub.app.inject({ method: 'GET', url: AUTH_URL });
      expect(auth.statusCode).toBe(303);
      const location = String(auth.headers.location);
      expect(location).toMatch(/\/interaction\/[\w-]+$/);
      const cookie = ([] as string[]).concat(auth.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');
      const res = await hub.app.inject({ method: 'GET', url: new URL(location, 'http://login.localhost:4000').pathname, headers: { cookie, accept: 'text/html' } });
      expectOutagePage(res);
      expect(res.body).not.toMatch(/pq:|password authentication|SQLSTATE/);
      expectLoggedOnce(lines, shownRequestId(res.body), /^Kratos(Unavailable)?Error$/);
    });

    it('answers the login page with the 503 page', async () => {
      const res = await hub.app.inject({ method: 'GET', url: '/login?flow=0f6c4a3e-1b2d-4c5e-8f70-123456789abc', headers: { accept: 'text/html' } });
      expectOutagePage(res);
      expect(res.body).not.toMatch(/pq:|password authentication|SQLSTATE/);
      expectLoggedOnce(lines, shownRequestId(res.body), /^(SsoHubError|Kratos(Unavailable)?Error)$/);
    });

    it('keeps the provider\'s own OAuth answers to protocol errors', async () => {
      const res = await hub.app.inject({
        method: 'POST',
        url: '/oidc/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('app-a:wrong').toString('base64')}` },
        payload: 'grant_type=authorization_code&code=abc',
      });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ error: 'invalid_client' });
      const bad = await hub.app.inject({ method: 'GET', url: '/oidc/auth?client_id=nobody&response_type=code', headers: { accept: 'text/html' } });
      expect(bad.statusCode).toBe(400);
      expect(bad.body).toContain('data-code="invalid_client"');
    });
  });
});

describe('the error path for requests Fastify turns away before any route', () => {
  it('answers a malformed escape in the path with the hub\'s 400 (page or JSON), its request id and one info line', async () => {
    const { hub, lines } = await startHub({ kratosUrl: `http://127.0.0.1:${await closedPort()}` });
    try {
      const json = await hub.app.inject({ method: 'GET', url: '/self-service/login/browser%E0%A4%A', headers: { accept: 'application/json' } });
      expect(json.statusCode).toBe(400);
      const body = json.json() as { error: { code: string; requestId?: string; request_id?: string } };
      expect(body.error.code).toBe('SSOHUB_ERR_BAD_REQUEST');
      const page = await hub.app.inject({ method: 'GET', url: '/login%zz', headers: { accept: 'text/html' } });
      expect(page.statusCode).toBe(400);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.body).toContain('data-code="SSOHUB_ERR_BAD_REQUEST"');
      expect(lines.filter((l) => l.level >= 50)).toEqual([]);
      expect(lines.filter((l) => l.msg === 'request refused' || l.code === 'SSOHUB_ERR_BAD_REQUEST').length).toBeGreaterThanOrEqual(2);
    } finally {
      await hub.close();
    }
  });
});
