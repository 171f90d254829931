import { createServer, type Server, connect } from 'node:net';
import { isTestHost } from './test-hosts.ts';

export interface TestHostProxy {
  /** http://127.0.0.1:<port>, for HTTPS_PROXY. */
  url: string;
  stop(): Promise<void>;
}

/**
 * An HTTP CONNECT proxy that takes programs which cannot be taught our host names (Kratos, in Go:
 * it resolves through the system, where `*.test` is unknown) to the test servers on loopback.
 * Give it to them as HTTPS_PROXY: TLS still runs end to end with the test certificate, so the
 * program checks the real host name. Only test host names are tunnelled; anything else is refused.
 */
export async function startTestHostProxy(): Promise<TestHostProxy> {
  const sockets = new Set<import('node:net').Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.once('close', () => sockets.delete(client));
    client.once('error', () => client.destroy());
    let head = '';
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      client.off('data', onData);
      const [method, target] = head.slice(0, head.indexOf('\r\n')).split(' ');
      const m = /^([^:]+):(\d+)$/.exec(target ?? '');
      if (method !== 'CONNECT' || !m || !isTestHost(m[1]!)) {
        client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
        return;
      }
      const upstream = connect(Number(m[2]), '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        const rest = Buffer.from(head.slice(end + 4), 'latin1');
        if (rest.length) upstream.write(rest);
        client.pipe(upstream);
        upstream.pipe(client);
      });
      sockets.add(upstream);
      upstream.once('close', () => sockets.delete(upstream));
      upstream.once('error', () => client.destroy());
    };
    client.on('data', onData);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
