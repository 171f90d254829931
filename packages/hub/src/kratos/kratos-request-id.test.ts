import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubRequest, runHubRequest } from '../request/hub-request.ts';
import { KratosEndpoint } from './kratos-endpoint.ts';

// A loopback stand-in for Kratos that notes the X-Request-Id of every call.
const seen: (string | string[] | undefined)[] = [];
const server = http.createServer((req, res) => {
  seen.push(req.headers['x-request-id']);
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{}');
});
let endpoint: KratosEndpoint;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = new KratosEndpoint(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, 2000);
});
afterAll(async () => {
  await endpoint.close();
  await new Promise((resolve) => server.close(resolve));
});

describe('the request id on calls to Kratos', () => {
  it('sends the id of the hub request a call is made for, and none for background work', async () => {
    seen.length = 0;
    const headers = { accept: 'application/json' };
    await runHubRequest(() => endpoint.send('/sessions/whoami', headers), new HubRequest('req-kratos-1'));
    await endpoint.send('/sessions/whoami', headers);
    await runHubRequest(async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      await endpoint.send('/sessions/whoami', { ...headers, 'x-request-id': 'from-a-caller' });
    }, new HubRequest('req-kratos-2'));
    expect(seen).toEqual(['req-kratos-1', undefined, 'req-kratos-2']);
    // The caller's headers are not changed for its next call.
    expect(headers).toEqual({ accept: 'application/json' });
  });
});
