import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backchannelPostHeaders, providerLogoutSender } from './provider-backchannel.ts';

describe('providerLogoutSender: the provider’s own POST, with an attempt’s trace context', () => {
  const received: http.IncomingHttpHeaders[] = [];
  const app = http.createServer((req, res) => {
    received.push(req.headers);
    req.resume().on('end', () => res.writeHead(200).end());
  });
  let provider: Provider;

  beforeAll(async () => {
    await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    provider = new Provider('http://127.0.0.1', {
      clients: [
        {
          client_id: 'app-a',
          client_secret: 'app-a-secret',
          redirect_uris: ['https://app-a.test/callback'],
          id_token_signed_response_alg: 'ES256',
          backchannel_logout_uri: `http://127.0.0.1:${(app.address() as AddressInfo).port}/bc`,
          backchannel_logout_session_required: true,
        },
      ],
      jwks: { keys: [{ ...(await exportJWK(privateKey)), alg: 'ES256', use: 'sig', kid: 'k1' } as never] },
      features: { devInteractions: { enabled: false }, backchannelLogout: { enabled: true } },
      // As the hub's `fetch` (provider/create-provider.ts) does for a registered back-channel URI:
      // no SSRF guard (the endpoint is on loopback), and the headers of the attempt under way.
      fetch: async (url, options) => {
        const { dispatcher: _guard, ...rest } = options as RequestInit & { dispatcher?: unknown };
        const headers = new Headers(rest.headers);
        for (const [name, value] of Object.entries(backchannelPostHeaders() ?? {})) headers.set(name, value);
        return fetch(url, { ...rest, headers, redirect: 'manual' });
      },
    });
  });
  afterAll(() => new Promise((r) => app.close(r)));

  it('puts the attempt’s headers on the POST, for that POST only', async () => {
    const send = providerLogoutSender(provider);
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    expect(await send('app-a', 'ada', 'sid-1', { traceparent, tracestate: 'vendor=a1' })).toBe(true);
    expect(backchannelPostHeaders()).toBeUndefined();
    expect(await send('app-a', 'ada', 'sid-1')).toBe(true);
    expect(received.map((h) => [h.traceparent, h.tracestate])).toEqual([
      [traceparent, 'vendor=a1'],
      [undefined, undefined],
    ]);
    expect(received[0]!['content-type']).toBe('application/x-www-form-urlencoded');
  });

  it('answers false for a client that does not exist, without a POST', async () => {
    received.length = 0;
    expect(await providerLogoutSender(provider)('gone', 'ada', 'sid-1', { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' })).toBe(false);
    expect(received).toEqual([]);
  });
});
