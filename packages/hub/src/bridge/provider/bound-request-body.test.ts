import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { exportJWK, generateKeyPair } from 'jose';
import nock from 'nock';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type Hub } from '../../app.ts';
import { checkConfig } from '../../config/check-config.ts';
import { createLogger } from '../../http/create-logger.ts';
import { mountProvider } from './mount-provider.ts';
import { rawExchange } from '@ssohub/testkit';

// nock (test/setup/unit.ts) intercepts sockets too, and a raw client's socket.end() then never
// reaches the server: the server sees no half-close and the connection looks hung. These tests
// need real sockets; nothing here leaves loopback.
beforeAll(() => nock.restore());
afterAll(() => nock.activate());

const HEAD = 'POST /oidc/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n';
const BASIC = `Authorization: Basic ${Buffer.from('svc:svc-secret-svc-secret-svc-secret').toString('base64')}\r\n`;

const exchange = (port: number, parts: string[], options: { halfClose?: boolean; pauseMs?: number; waitMs?: number } = {}) => rawExchange(port, parts, options);

describe('a token request whose body stops arriving', () => {
  let app: FastifyInstance;
  let port: number;

  beforeAll(async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const provider = new Provider('http://127.0.0.1/oidc', {
      jwks: { keys: [{ ...(await exportJWK(privateKey)), alg: 'ES256', use: 'sig' } as never] },
      ttl: { ClientCredentials: 60 },
      clients: [{ client_id: 'svc', client_secret: 'svc-secret-svc-secret-svc-secret', grant_types: ['client_credentials'], response_types: [], redirect_uris: [], id_token_signed_response_alg: 'ES256' }],
      features: { clientCredentials: { enabled: true }, devInteractions: { enabled: false } },
    });
    app = Fastify();
    await mountProvider(app, provider, '/oidc', { https: false, bodyDeadlineMs: 300 });
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as AddressInfo).port;
  });
  afterAll(() => app.close());

  it('answers 400 invalid_request and closes once the deadline passes without the rest of a Content-Length body', async () => {
    const r = await exchange(port, [`${HEAD}Content-Length: 100\r\n\r\ngrant_type=client`]);
    expect(r.received).toMatch(/^HTTP\/1\.1 400 /);
    expect(r.received).toMatch(/\r\nconnection: close\r\n/i);
    expect(r.received).toContain('"error":"invalid_request"');
    expect(r.answeredAfter).toBeGreaterThanOrEqual(250);
    expect(r.closedAfter).toBeLessThan(2_000);
  });

  it('closes the connection with the refusal, so the rest of the body sent late is never read as a request', async () => {
    const r = await exchange(port, [`${HEAD}Content-Length: 40\r\n\r\ngrant_type=client`, '_credentials&scope=x&more=1234', 'GET /oidc/jwks HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'], {
      pauseMs: 500,
    });
    // One answer, the refusal: the late bytes are neither a body nor a next request.
    expect(r.received).toMatch(/^HTTP\/1\.1 400 /);
    expect(r.received.match(/HTTP\/1\.1 /g)).toHaveLength(1);
    expect(r.closedAfter).toBeLessThan(2_000);
  });

  it('closes a chunked body that stops arriving once the deadline passes (cut short it would look complete)', async () => {
    const r = await exchange(port, [`${HEAD}Transfer-Encoding: chunked\r\n\r\n20\r\ngrant_type=client`]);
    expect(r.received).toBe('');
    expect(r.closedAfter).toBeGreaterThanOrEqual(250);
    expect(r.closedAfter).toBeLessThan(2_000);
  });

  it('serves a body that arrives in pieces within the deadline, and keeps the connection for the next request', async () => {
    const body = 'grant_type=client_credentials';
    const r = await exchange(port, [`${HEAD}${BASIC}Content-Length: ${body.length}\r\n\r\ngrant_type=`, 'client_credentials'], { pauseMs: 100, waitMs: 1_000 });
    expect(r.received).toMatch(/^HTTP\/1\.1 200 /);
    expect(r.received).toContain('"access_token"');
    expect(r.received).not.toMatch(/\r\nconnection: close\r\n/i);
    // Still open at the end of the wait: the deadline of a served request never fires.
    expect(r.closedAfter).toBeUndefined();
  });
});

describe('a token request half-closed before its body is complete, at the hub over plain TCP', () => {
  let hub: Hub;
  let port: number;

  beforeAll(async () => {
    const config = checkConfig({
      mode: 'development',
      publicUrl: 'http://login.localhost:4000',
      store: { kind: 'memory' },
      kratos: { publicUrl: 'http://127.0.0.1:9', adminUrl: 'http://127.0.0.1:9' },
      bridge: { cookieKeys: ['test-cookie-key-0123456789abcdefghijklmnop'] },
    });
    hub = await buildApp(config, { log: createLogger('info', { write: () => {} }) });
    await hub.app.listen({ port: 0, host: '127.0.0.1' });
    port = (hub.app.server.address() as AddressInfo).port;
  });
  afterAll(() => hub.close());

  // Node reports the message cut short as a client error; Fastify answers 400 and closes.
  it.each([
    ['a Content-Length larger than what was sent', `${HEAD}Content-Length: 100\r\n\r\ngrant_type=client`],
    ['a chunk larger than what was sent', `${HEAD}Transfer-Encoding: chunked\r\n\r\n20\r\ngrant_type=client`],
  ])('%s: 400 and closed at once', async (_name, request) => {
    const r = await exchange(port, [request], { halfClose: true });
    expect(r.received).toMatch(/^HTTP\/1\.1 400 /);
    expect(r.closedAfter).toBeLessThan(1_000);
  });
});
