import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestCertificates, trustTestCa } from '@ssohub/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuditTarget, type Discovery, Findings } from '../audit-context.ts';
import { checkDiscovery, checkHubHeaders } from './hub-transport.ts';

// hub.headers.security and hub.headers.hsts against stand-in login pages over http and https:
// HSTS is judged only on https (browsers ignore it over http), and no detail claims a header
// the evidence does not show.

let headers: Record<string, string>;
const handler = (req: IncomingMessage, res: ServerResponse) => {
  if (req.url?.startsWith('/oidc/.well-known/openid-configuration')) {
    const origin = `${req.socket.localPort === httpPort ? 'http' : 'https'}://${req.headers.host}`;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ issuer: `${origin}/oidc`, authorization_endpoint: `${origin}/oidc/auth`, token_endpoint: `${origin}/oidc/token`, jwks_uri: `${origin}/oidc/jwks`, code_challenge_methods_supported: ['S256'], authorization_response_iss_parameter_supported: true }));
    return;
  }
  res.writeHead(200, { 'content-type': 'text/html', ...headers }).end('<!doctype html><title>login</title>');
};
let httpServer: Server;
let httpsServer: Server;
let httpPort: number;
let httpsPort: number;

beforeAll(async () => {
  const certs = await createTestCertificates(join(tmpdir(), 'ssohub-cli-unit-tls'));
  trustTestCa(certs.caPem);
  httpServer = createHttpServer(handler);
  httpsServer = createHttpsServer({ cert: certs.certPem, key: certs.keyPem }, handler);
  await new Promise<void>((r) => httpServer.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => httpsServer.listen(0, '127.0.0.1', r));
  httpPort = (httpServer.address() as AddressInfo).port;
  httpsPort = (httpsServer.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((r) => httpServer.close(() => r()));
  await new Promise<void>((r) => httpsServer.close(() => r()));
});

const GOOD = { 'content-security-policy': "default-src 'self'; frame-ancestors 'none'", 'x-content-type-options': 'nosniff' };
const target = (hubUrl: string): AuditTarget => ({ hubUrl, issuer: `${hubUrl}/oidc`, adminUrl: undefined, adminToken: undefined, apps: [], testUser: undefined });

async function headerChecks(hubUrl: string) {
  const f = new Findings();
  await checkHubHeaders(target(hubUrl), f);
  return Object.fromEntries(f.checks.map((c) => [c.id, c]));
}

describe('hub.headers.* over http', () => {
  it('passes CSP and nosniff without a word about HSTS, and skips HSTS saying why (the issue #23 false "HSTS present")', async () => {
    headers = GOOD;
    const c = await headerChecks(`http://127.0.0.1:${httpPort}`);
    expect(c['hub.headers.security']!.verdict).toBe('pass');
    expect(c['hub.headers.security']!.detail).not.toMatch(/HSTS|Strict-Transport/);
    expect(c['hub.headers.hsts']!.verdict).toBe('skipped');
    expect(c['hub.headers.hsts']!.detail).toMatch(/served over http, where browsers ignore Strict-Transport-Security/);
  });

  it('fails without frame-ancestors or nosniff, naming what is missing', async () => {
    headers = { 'content-security-policy': "default-src 'self'" };
    const c = await headerChecks(`http://127.0.0.1:${httpPort}`);
    expect(c['hub.headers.security']!.verdict).toBe('fail');
    expect(c['hub.headers.security']!.detail).toBe("no frame-ancestors 'none' (nor X-Frame-Options: DENY); no X-Content-Type-Options: nosniff");
  });
});

describe('hub.headers.hsts over https', () => {
  it('fails when HSTS is missing, with evidence that shows none', async () => {
    headers = GOOD;
    const c = await headerChecks(`https://localhost:${httpsPort}`);
    expect(c['hub.headers.security']!.verdict).toBe('pass');
    expect(c['hub.headers.hsts']!.verdict).toBe('fail');
    expect(c['hub.headers.hsts']!.detail).toBe('No Strict-Transport-Security header.');
    expect(c['hub.headers.hsts']!.evidence[0]!.answer).toMatch(/Strict-Transport-Security: \(none\)/);
  });

  it('fails a short max-age and passes a year, quoting the header', async () => {
    headers = { ...GOOD, 'strict-transport-security': 'max-age=300' };
    expect((await headerChecks(`https://localhost:${httpsPort}`))['hub.headers.hsts']!.detail).toMatch(/max-age 300, below 100000/);
    headers = { ...GOOD, 'strict-transport-security': 'max-age=31536000; includeSubDomains' };
    const c = await headerChecks(`https://localhost:${httpsPort}`);
    expect(c['hub.headers.hsts']!.verdict).toBe('pass');
    expect(c['hub.headers.hsts']!.detail).toBe('Strict-Transport-Security: max-age=31536000; includeSubDomains.');
  });
});

describe('hub.https', () => {
  it('is skipped on a loopback host over http (browsers treat it as secure), with the endpoints as locations', async () => {
    const f = new Findings();
    const d = (await checkDiscovery(target(`http://127.0.0.1:${httpPort}`), f)) as Discovery;
    expect(d.issuer).toBe(`http://127.0.0.1:${httpPort}/oidc`);
    const https = f.checks.find((c) => c.id === 'hub.https')!;
    expect(https.verdict).toBe('skipped');
    expect(https.detail).toMatch(/loopback host over http/);
    expect(https.urls).toContain(`http://127.0.0.1:${httpPort}/oidc/token`);
  });

  it('makes discovery inconclusive (not a failure) when nothing answers, with a hint', async () => {
    const f = new Findings();
    const closed = createHttpServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    expect(await checkDiscovery(target(`http://127.0.0.1:${port}`), f)).toBeUndefined();
    expect(f.checks).toHaveLength(1);
    expect(f.checks[0]).toMatchObject({ id: 'hub.discovery.consistent', verdict: 'inconclusive' });
    expect(f.checks[0]!.detail).toMatch(/nothing listens on 127\.0\.0\.1:/);
    expect(f.checks[0]!.howToRun).toMatch(/Start the service/);
  });
});
