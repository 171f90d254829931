import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckCannotRun, explainNetworkError, httpRequest, isLocalhostName, isLoopbackHost } from './audit-http.ts';

// The audit's HTTP client resolves *.localhost to loopback itself, as browsers do (Node's resolver
// asks DNS). Names under .localhost are loopback by definition (RFC 6761), so these stay local.
nock.enableNetConnect((host) => /^(127\.0\.0\.1|localhost|[a-z0-9.-]+\.localhost)(:\d+)?$/.test(host));

let server: Server;
let port: number;
beforeAll(async () => {
  server = createServer((req, res) => {
    res.setHeader('set-cookie', ['a=1; Path=/', 'b=2; Secure; Path=/']);
    res.writeHead(200, { 'content-type': 'text/plain', 'x-host': req.headers.host ?? '' }).end(`hello ${req.method}`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('httpRequest', () => {
  it('reaches a server on 127.0.0.1 through a *.localhost name, with the Host header and every Set-Cookie kept apart', async () => {
    const res = await httpRequest(`http://login.demo.localhost:${port}/x`);
    expect(res.status).toBe(200);
    expect(res.body).toBe('hello GET');
    expect(res.headers.get('x-host')).toBe(`login.demo.localhost:${port}`);
    expect(res.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; Secure; Path=/']);
  });

  it('sends a body with its length', async () => {
    const res = await httpRequest(`http://app-a.localhost:${port}/`, { method: 'POST', body: 'x=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.body).toBe('hello POST');
  });

  it('turns a refused connection into CheckCannotRun naming the host and what to do', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const free = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const err = await httpRequest(`http://shop.localhost:${free}/`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckCannotRun);
    expect((err as CheckCannotRun).message).toContain(`nothing listens on shop.localhost:${free}`);
    expect((err as CheckCannotRun).howToRun).toMatch(/Start the service at http:\/\/shop\.localhost/);
  });

  it('turns a timeout into CheckCannotRun', async () => {
    const slow = createServer(() => undefined);
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    const p = (slow.address() as AddressInfo).port;
    const err = await httpRequest(`http://127.0.0.1:${p}/`, { timeoutMs: 200 }).catch((e: unknown) => e);
    slow.closeAllConnections();
    slow.close();
    expect(err).toBeInstanceOf(CheckCannotRun);
    expect((err as Error).message).toMatch(/no answer within 0\.2 s/);
  });
});

describe('explainNetworkError', () => {
  const errno = (code: string) => Object.assign(new Error(`failed ${code}`), { code });
  it('says which name does not resolve and that .localhost names are handled', () => {
    const e = explainNetworkError(errno('ENOTFOUND'), new URL('https://login.corp.internal/oidc/.well-known/openid-configuration'), 'GET', 10_000);
    expect(e.message).toBe('GET https://login.corp.internal/oidc/.well-known/openid-configuration: the host name login.corp.internal does not resolve (ENOTFOUND).');
    expect(e.howToRun).toMatch(/DNS or \/etc\/hosts/);
    expect(e.howToRun).toMatch(/\.localhost resolve to 127\.0\.0\.1/);
  });
  it('names NODE_EXTRA_CA_CERTS for an untrusted certificate', () => {
    const e = explainNetworkError(errno('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), new URL('https://login.example.com/'), 'GET', 10_000);
    expect(e.message).toMatch(/TLS certificate of login\.example\.com is not trusted/);
    expect(e.howToRun).toMatch(/NODE_EXTRA_CA_CERTS=/);
  });
});

describe('host names', () => {
  it('knows localhost and *.localhost as browsers do, and loopback addresses as trustworthy', () => {
    expect(isLocalhostName('localhost')).toBe(true);
    expect(isLocalhostName('Login.LOCALHOST')).toBe(true);
    expect(isLocalhostName('localhost.example')).toBe(false);
    expect(isLocalhostName('evillocalhost')).toBe(false);
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('[::1]')).toBe(true);
    expect(isLoopbackHost('10.0.0.1')).toBe(false);
  });
});
