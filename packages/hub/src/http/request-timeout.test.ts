import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type Hub } from '../app.ts';
import { checkConfig } from '../config/check-config.ts';
import { createLogger } from './create-logger.ts';
import { CONNECTIONS_CHECK_INTERVAL_MS, REQUEST_TIMEOUT_MS } from './request-timeout.ts';
import { type RawExchange as Exchange, rawExchange } from '@ssohub/testkit';

// nock (test/setup/unit.ts) intercepts sockets too, and a raw client's writes then never reach
// the server as sent. These tests need real sockets; nothing here leaves loopback.
beforeAll(() => nock.restore());
afterAll(() => nock.activate());

const TOKEN = 'admin-token-0123456789abcdefghij';
/** The request timeout of the listeners under test, shortened from REQUEST_TIMEOUT_MS. */
const TIMEOUT_MS = 500;
/** How long the fake Kratos takes to answer: longer than TIMEOUT_MS. */
const KRATOS_DELAY_MS = 1_200;

type LogLine = { level: number; msg: string; reqId?: string; status?: number; code?: string; listener?: string };

const exchange = (port: number, request: string, waitMs = 4_000, { halfClose = false } = {}) => rawExchange(port, request, { waitMs, halfClose });

const statusOf = (r: Exchange) => Number(/^HTTP\/1\.1 (\d{3}) /.exec(r.received)?.[1]);
const headerOf = (r: Exchange, name: string) => new RegExp(`\\r\\n${name}: ([^\\r]*)\\r\\n`, 'i').exec(r.received)?.[1];
const bodyOf = (r: Exchange) => r.received.slice(r.received.indexOf('\r\n\r\n') + 4);

describe('requests whose body stops arriving, and requests Node cannot parse', () => {
  let hub: Hub;
  let kratos: Server;
  let port: number;
  let adminPort: number;
  const built: Record<string, { requestTimeout: number; headersTimeout: number; interval: number }> = {};
  const lines: LogLine[] = [];

  beforeAll(async () => {
    // A Kratos that answers everything, slowly.
    kratos = createServer((req, res) => {
      req.resume();
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'), KRATOS_DELAY_MS);
    });
    await new Promise<void>((r) => kratos.listen(0, '127.0.0.1', r));
    const kratosUrl = `http://127.0.0.1:${(kratos.address() as AddressInfo).port}`;
    const config = checkConfig({
      mode: 'development',
      publicUrl: 'http://login.localhost:4000',
      store: { kind: 'memory' },
      kratos: { publicUrl: kratosUrl, adminUrl: kratosUrl },
      admin: { token: TOKEN },
      bridge: { cookieKeys: ['test-cookie-key-0123456789abcdefghijklmnop'] },
    });
    hub = await buildApp(config, { log: createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) }) });
    // Node keeps the option as a property of the server (not in @types/node).
    type Checked = Server & { connectionsCheckingInterval: number };
    for (const [name, server] of [['app', hub.app.server as Checked], ['admin', hub.admin.server as Checked]] as const) {
      built[name] = { requestTimeout: server.requestTimeout, headersTimeout: server.headersTimeout, interval: server.connectionsCheckingInterval };
      // Shortened for the test (both, as app.ts sets both); Node starts its checks when the
      // server starts listening.
      server.requestTimeout = TIMEOUT_MS;
      server.headersTimeout = TIMEOUT_MS;
      server.connectionsCheckingInterval = 50;
    }
    await hub.app.listen({ port: 0, host: '127.0.0.1' });
    await hub.admin.listen({ port: 0, host: '127.0.0.1' });
    port = (hub.app.server.address() as AddressInfo).port;
    adminPort = (hub.admin.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await hub?.close();
    await new Promise((r) => kratos?.close(r));
  });

  it('bounds how long a request may take to arrive on both listeners (Fastify leaves it unbounded)', () => {
    expect(REQUEST_TIMEOUT_MS).toBeGreaterThan(0);
    const bound = { requestTimeout: REQUEST_TIMEOUT_MS, headersTimeout: REQUEST_TIMEOUT_MS, interval: CONNECTIONS_CHECK_INTERVAL_MS };
    expect(built).toEqual({ app: bound, admin: bound });
  });

  it.each([
    ['the sign-out form', 'POST /logout HTTP/1.1\r\nHost: login.localhost:4000\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nreturn_to='],
    ['a Kratos form through the proxy', 'POST /self-service/login?flow=f HTTP/1.1\r\nHost: login.localhost:4000\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nidentifier=a'],
    ['a chunked Kratos form through the proxy', 'POST /self-service/login?flow=f HTTP/1.1\r\nHost: login.localhost:4000\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n20\r\nidentifier=a'],
  ])('%s: 408 on the hub\'s error page, with the reference of the request\'s own log lines, and closed', async (_name, request) => {
    const before = lines.length;
    const r = await exchange(port, request);
    expect(statusOf(r)).toBe(408);
    expect(headerOf(r, 'content-type')).toMatch(/^text\/html/);
    expect(headerOf(r, 'connection')).toBe('close');
    expect(headerOf(r, 'content-security-policy')).toContain("default-src 'none'");
    expect(bodyOf(r)).toContain('data-code="SSOHUB_ERR_BAD_REQUEST">The request did not arrive in time');
    expect(r.closedAfter).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(r.closedAfter).toBeLessThan(TIMEOUT_MS + 1_000);
    const reference = /data-testid="error\/reference">([^<]+)</.exec(bodyOf(r))?.[1];
    const logged = lines.slice(before);
    // The request's own line ("incoming request") and the refusal carry the id the page shows.
    expect(logged.find((l) => l.msg === 'incoming request')?.reqId).toBe(reference);
    expect(logged.filter((l) => l.status === 408)).toEqual([expect.objectContaining({ msg: 'request refused', reqId: reference, level: 30 })]);
    expect(logged.filter((l) => l.level >= 50)).toEqual([]);
  });

  it('an admin API body: 408 in the hub\'s JSON, and closed', async () => {
    const r = await exchange(
      adminPort,
      `POST /admin/clients HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"client_id":`,
    );
    expect(statusOf(r)).toBe(408);
    expect(JSON.parse(bodyOf(r))).toEqual({ error: { code: 'SSOHUB_ERR_BAD_REQUEST', status: 408, message: expect.stringMatching(/did not arrive in time/), requestId: expect.any(String) } });
    expect(r.closedAfter).toBeLessThan(TIMEOUT_MS + 1_000);
  });

  it('never cuts a request that arrived whole, however long its answer takes (a slow Kratos behind the proxy)', async () => {
    const get = await exchange(port, 'GET /sessions/whoami HTTP/1.1\r\nHost: login.localhost:4000\r\n\r\n', KRATOS_DELAY_MS + 1_000);
    expect(statusOf(get)).toBe(200);
    expect(bodyOf(get)).toContain('{"ok":true}');
    expect(get.answeredAfter).toBeGreaterThanOrEqual(KRATOS_DELAY_MS - 50);
    // Kept open for the next request: the deadline of a request that arrived never fires.
    expect(get.closedAfter).toBeUndefined();
    const body = 'identifier=ada%40example.test&method=code';
    const post = await exchange(
      port,
      `POST /self-service/login?flow=f HTTP/1.1\r\nHost: login.localhost:4000\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      KRATOS_DELAY_MS + 1_000,
    );
    expect(statusOf(post)).toBe(200);
    expect(post.answeredAfter).toBeGreaterThanOrEqual(KRATOS_DELAY_MS - 50);
    expect(post.closedAfter).toBeUndefined();
  });

  it('a request Node cannot parse: 400 in the hub\'s format with a reference found in the log, instead of Fastify\'s "Client Error"', async () => {
    const before = lines.length;
    const page = await exchange(port, 'GET / HTTP/1.1\r\nHost: login.localhost:4000\r\nBad Header\r\n\r\n');
    expect(statusOf(page)).toBe(400);
    expect(headerOf(page, 'content-type')).toMatch(/^text\/html/);
    expect(bodyOf(page)).toContain('data-code="SSOHUB_ERR_BAD_REQUEST">The request was malformed.</p>');
    const reference = /data-testid="error\/reference">([^<]+)</.exec(bodyOf(page))?.[1];
    expect(reference).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines.slice(before)).toEqual([expect.objectContaining({ msg: 'request refused', reqId: reference, status: 400 })]);
    expect(page.closedAfter).toBeLessThan(1_000);

    const json = await exchange(adminPort, 'GET /admin/clients HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header\r\n\r\n');
    expect(statusOf(json)).toBe(400);
    expect(JSON.parse(bodyOf(json))).toEqual({ error: { code: 'SSOHUB_ERR_BAD_REQUEST', status: 400, message: 'The request was malformed.', requestId: expect.any(String) } });
  });

  it('a body cut short by a half-close: 400 on the hub\'s error page at once, one log line for the request', async () => {
    const before = lines.length;
    const r = await exchange(port, 'POST /logout HTTP/1.1\r\nHost: login.localhost:4000\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nreturn_to=', 4_000, { halfClose: true });
    expect(statusOf(r)).toBe(400);
    expect(bodyOf(r)).toContain('data-code="SSOHUB_ERR_BAD_REQUEST">The request was malformed.</p>');
    expect(r.closedAfter).toBeLessThan(TIMEOUT_MS);
    const reference = /data-testid="error\/reference">([^<]+)</.exec(bodyOf(r))?.[1];
    expect(lines.slice(before).filter((l) => l.msg === 'request refused')).toEqual([expect.objectContaining({ reqId: reference, status: 400 })]);
  });

  it('headers too large: 431 in the hub\'s format', async () => {
    const r = await exchange(port, `GET / HTTP/1.1\r\nHost: login.localhost:4000\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(statusOf(r)).toBe(431);
    expect(bodyOf(r)).toContain('The request headers are too large.');
  });
});
