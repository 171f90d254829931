import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Export requests and body bytes received on one path. */
export interface SinkCount {
  requests: number;
  bytes: number;
}

/** A running OTLP sink: its base URL, counts by request path, and how to stop it. */
export interface OtlpSink {
  url: string;
  counts(path: string): SinkCount;
  stop(): Promise<void>;
}

/**
 * An OTLP/HTTP endpoint that accepts every POST, counts it and its bytes by path, and throws the
 * body away. It never decodes: a benchmark of the hub's tracing runs it in its own process on the
 * same cores, and decoding protobuf would take CPU from the hub under test. A collector would do
 * that work on another machine.
 */
export async function startOtlpSink(): Promise<OtlpSink> {
  const byPath = new Map<string, SinkCount>();
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    const count = byPath.get(path) ?? { requests: 0, bytes: 0 };
    byPath.set(path, count);
    req.on('data', (chunk: Buffer) => {
      count.bytes += chunk.length;
    });
    req.on('end', () => {
      count.requests++;
      // An empty ExportTraceServiceResponse: the exporter reads 200 as "all accepted".
      res.writeHead(req.method === 'POST' ? 200 : 405, { 'content-type': 'application/x-protobuf', 'content-length': '0' }).end();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts: (path) => ({ ...(byPath.get(path) ?? { requests: 0, bytes: 0 }) }),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
