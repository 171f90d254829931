import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { createDrainSwitch } from './drain-switch.ts';

describe('createDrainSwitch', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
  });

  it('serves in-flight and new requests once draining, each with Connection: close, even when the handler sets keep-alive', async () => {
    let release: (() => void) | undefined;
    server = createServer((req, res) => {
      if (req.url === '/slow') {
        release = () => res.end('slow');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain', Connection: 'keep-alive', 'keep-alive': 'timeout=72' });
      res.end('ok');
    });
    const drain = createDrainSwitch([server]);
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const agent = new Agent({ keepAliveTimeout: 60_000 });
    try {
      const before = await request(`${url}/fast`, { dispatcher: agent });
      await before.body.text();
      expect(before.headers.connection).toBe('keep-alive');

      const slow = request(`${url}/slow`, { dispatcher: new Agent() });
      for (let i = 0; i < 50 && !release; i++) await new Promise((r) => setTimeout(r, 10));
      drain.start();
      expect(drain.draining).toBe(true);
      release!();
      const inFlight = await slow;
      expect(await inFlight.body.text()).toBe('slow');
      expect(inFlight.headers).toMatchObject({ connection: 'close' });

      // Arrives on the connection kept alive before the drain started.
      const after = await request(`${url}/fast`, { dispatcher: agent });
      expect(await after.body.text()).toBe('ok');
      expect(after.statusCode).toBe(200);
      expect(after.headers.connection).toBe('close');
      expect(after.headers['keep-alive']).toBeUndefined();
    } finally {
      await agent.close();
    }
  });
});
