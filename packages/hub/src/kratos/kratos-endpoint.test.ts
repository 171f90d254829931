import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KratosEndpoint, kratosError, setCookiesOf } from './kratos-endpoint.ts';
import { isKratosOutage, KratosError, KratosUnavailableError } from './kratos-error.ts';

// A loopback stand-in for Kratos that answers each path with one of the shapes an endpoint can
// meet: Kratos' error JSON, a proxy's HTML, no content, a garbled body, and answers that stall.
const stalled = new Set<http.ServerResponse>();
const seen: { method?: string; url?: string }[] = [];
const server = http.createServer((req, res) => {
  seen.push({ method: req.method, url: req.url });
  const json = (status: number, body: unknown, headers: Record<string, string | string[]> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
  switch (req.url) {
    case '/api/ok':
      return json(200, { id: 'x' }, { 'set-cookie': ['a=1; Path=/', 'b=2; Path=/'] });
    case '/api/one-cookie':
      return json(200, {}, { 'set-cookie': 'a=1; Path=/' });
    case '/api/expired':
      return json(410, { error: { id: 'self_service_flow_expired', code: 410, reason: 'too late' } });
    case '/api/numeric-id':
      return json(400, { error: { id: 42 } });
    case '/api/proxy-502':
      res.writeHead(502, { 'content-type': 'text/html' });
      return res.end('<html>Bad Gateway</html>');
    case '/api/garbled':
      return json(200, '{"id": ');
    case '/api/no-content':
      res.writeHead(204);
      return res.end();
    case '/api/silent':
      stalled.add(res);
      return;
    case '/api/trickle':
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"id": "x", ');
      stalled.add(res);
      return;
    default:
      return json(404, { error: { code: 404, status: 'Not Found' } });
  }
});
let origin: string;
let api: KratosEndpoint;

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  api = new KratosEndpoint(`${origin}/api/`, 300);
});
afterAll(async () => {
  for (const res of stalled) res.destroy();
  await api.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('KratosEndpoint answers', () => {
  it("sends under the URL's path, with the method asked for, and hands back status, JSON body and every Set-Cookie", async () => {
    const res = await api.send('/ok', { accept: 'application/json' });
    expect(res).toMatchObject({ status: 200, body: { id: 'x' } });
    expect(setCookiesOf(res)).toEqual(['a=1; Path=/', 'b=2; Path=/']);
    expect(setCookiesOf(await api.send('/one-cookie', {}))).toEqual(['a=1; Path=/']);
    await api.send('/gone', {}, { method: 'DELETE' });
    expect(seen.at(-1)).toEqual({ method: 'DELETE', url: '/api/gone' });
  });

  it('reads no body from a 204', async () => {
    expect(await api.send('/no-content', {})).toMatchObject({ status: 204, body: undefined });
  });
});

describe('kratosError, the one mapping of an unexpected answer', () => {
  it("keeps the status, Kratos' error id and the body; a 4xx is not an outage", async () => {
    const err = kratosError(await api.send('/expired', {}));
    expect(err).toBeInstanceOf(KratosError);
    expect(err).toMatchObject({ status: 410, errorId: 'self_service_flow_expired', body: { error: { reason: 'too late' } }, message: 'Kratos answered 410 (self_service_flow_expired)' });
    expect(isKratosOutage(err)).toBe(false);
  });

  it('keeps no error id that is not a string', async () => {
    expect(kratosError(await api.send('/numeric-id', {}))).toMatchObject({ status: 400, errorId: undefined });
  });

  it("keeps the status of an answer that is not JSON (a proxy's 502), and a 5xx is an outage", async () => {
    const err = kratosError(await api.send('/proxy-502', {}));
    expect(err).toMatchObject({ status: 502, errorId: undefined, body: undefined });
    expect(isKratosOutage(err)).toBe(true);
  });
});

describe('KratosEndpoint failures without an answer become KratosUnavailableError', () => {
  const failure = async (p: Promise<unknown>) => {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(KratosUnavailableError);
    expect(isKratosOutage(err)).toBe(true);
    return err as Error;
  };

  it('a 200 that cannot be read', async () => {
    expect((await failure(api.send('/garbled', {}))).message).toMatch(/^Kratos sent an unreadable answer: /);
  });

  it('a refused connection, naming its code and keeping the cause', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const nowhere = new KratosEndpoint(`http://127.0.0.1:${port}`, 300);
    const err = await failure(nowhere.send('/x', {}));
    await nowhere.close();
    expect(err.message).toBe('Kratos is unreachable: ECONNREFUSED');
    expect((err.cause as { code?: string }).code).toBe('ECONNREFUSED');
  });

  it('no headers within the timeout', async () => {
    const started = Date.now();
    expect((await failure(api.send('/silent', {}))).message).toBe('Kratos is unreachable: UND_ERR_HEADERS_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('a body that stops coming within the timeout', async () => {
    expect((await failure(api.send('/trickle', {}))).message).toMatch(/^Kratos sent an unreadable answer: Body Timeout/);
  });

  it('a signal that fires first (the health probes bound themselves tighter than the timeout)', async () => {
    const slow = new KratosEndpoint(`${origin}/api`, 10_000);
    expect((await failure(slow.send('/silent', {}, { signal: AbortSignal.timeout(50) }))).message).toBe('Kratos is unreachable: TimeoutError');
    await slow.close();
  });

  it('a call after close()', async () => {
    const closing = new KratosEndpoint(`${origin}/api`, 300);
    await closing.send('/ok', {});
    await closing.close();
    expect((await failure(closing.send('/ok', {}))).message).toBe('Kratos is unreachable: UND_ERR_DESTROYED');
  });
});
