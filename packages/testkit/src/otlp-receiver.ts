/**
 * An OTLP/HTTP trace receiver for tests: the hub, a client app and Ory Kratos export their spans
 * to it, and a test then asserts on what arrived. It takes both OTLP/HTTP encodings on one port
 * (binary protobuf from Go's otlptracehttp in Kratos and @opentelemetry/exporter-trace-otlp-proto;
 * JSON from @opentelemetry/exporter-trace-otlp-http), gzipped or not, and answers as the OTLP spec
 * (opentelemetry-proto docs/specification.md, "OTLP/HTTP") says a collector does.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { freePort } from './free-port.ts';
import { decodeJsonTraceRequest } from './otlp/decode-json.ts';
import { decodeProtobufTraceRequest } from './otlp/decode-protobuf.ts';
import type { ReceivedSpan } from './otlp/received-span.ts';

export type { AttributeValue, Attributes, ReceivedSpan, ReceivedSpanEvent, ReceivedSpanLink } from './otlp/received-span.ts';
export { SpanKindNumber, StatusCode } from './otlp/received-span.ts';

/** One request the receiver answered, accepted or not, for tests that check how spans were sent. */
export interface ReceivedRequest {
  method: string;
  path: string;
  /** The media type of Content-Type, lowercased, without parameters; '' when absent. */
  contentType: string;
  /** Content-Encoding as sent, lowercased; '' when absent. */
  contentEncoding: string;
  /** The HTTP status the receiver answered. */
  status: number;
  /** Spans taken from this request (0 when refused). */
  spanCount: number;
  /** Why the request was refused; undefined when it was accepted. */
  error: string | undefined;
}

export interface OtlpReceiver {
  /** `http://127.0.0.1:PORT`: what OTEL_EXPORTER_OTLP_ENDPOINT takes (exporters add /v1/traces). */
  readonly url: string;
  /** `${url}/v1/traces`: what an exporter's `url` option and OTEL_EXPORTER_OTLP_TRACES_ENDPOINT take. */
  readonly tracesUrl: string;
  /** `127.0.0.1:PORT`: what Kratos' `tracing.providers.otlp.server_url` takes (with `insecure: true`). */
  readonly hostPort: string;
  readonly port: number;
  /** Every span received so far, in arrival order. A live array: it grows, and clear() empties it. */
  readonly spans: readonly ReceivedSpan[];
  /** Every request answered so far, accepted or refused, in arrival order (also emptied by clear()). */
  readonly requests: readonly ReceivedRequest[];
  /**
   * Resolves with a copy of all spans received once `predicate` holds for them; checks at once
   * and after every accepted export. Rejects after `timeoutMs` (default 15 s: the SDKs' batch
   * processors export every 5 s) with what did arrive, when the predicate throws, and on close().
   */
  waitForSpans(
    predicate: (spans: readonly ReceivedSpan[]) => boolean,
    options?: { timeoutMs?: number },
  ): Promise<ReceivedSpan[]>;
  /** The spans of one trace (id in hex, any case), ordered by start time. */
  trace(traceId: string): ReceivedSpan[];
  /** Forgets every span and request received so far. */
  clear(): void;
  /** Stops listening, drops keep-alive connections, and rejects pending waitForSpans() calls. */
  close(): Promise<void>;
}

const TRACES_PATH = '/v1/traces';
// The OTLP spec recommends 64 MiB for collectors; a test's exports are far smaller, so a body
// this big means a runaway exporter, and the limit keeps it from exhausting the test's memory.
const MAX_BODY_BYTES = 16 * 1024 * 1024;
// google.rpc.Code values for the Status message the OTLP spec asks 4xx answers to carry.
const RPC_INVALID_ARGUMENT = 3;
const RPC_RESOURCE_EXHAUSTED = 8;

type Encoding = 'protobuf' | 'json';

const MEDIA_TYPES: Record<string, Encoding> = {
  'application/x-protobuf': 'protobuf',
  'application/json': 'json',
};

const gunzipAsync = promisify(gunzip);

/** Starts an OTLP/HTTP trace receiver on 127.0.0.1, on a free port. */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const requests: ReceivedRequest[] = [];
  const waiters = new Set<{ check: () => void; fail: (error: Error) => void }>();
  let closed = false;

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // Only a bug of the receiver gets here; the test still gets an answer and a record of it.
      const message = `the OTLP receiver failed: ${(error as Error).message}`;
      requests.push(record(req, 500, 0, message));
      if (!res.headersSent) plain(res, 500, message);
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://receiver').pathname;
    const refuse = (status: number, message: string, headers: Record<string, string> = {}) => {
      requests.push(record(req, status, 0, message));
      req.resume();
      plain(res, status, message, headers);
    };
    if (path !== TRACES_PATH) {
      return refuse(404, `nothing at ${path}: this receiver takes OTLP traces only, at POST ${TRACES_PATH}`);
    }
    if (req.method !== 'POST') {
      return refuse(405, `${req.method} ${TRACES_PATH}: OTLP exports are POSTed`, { allow: 'POST' });
    }
    const contentType = mediaType(req);
    const encoding = MEDIA_TYPES[contentType];
    if (!encoding) {
      return refuse(
        415,
        `Content-Type "${contentType}" is not an OTLP encoding: send application/x-protobuf or application/json`,
      );
    }
    const contentEncoding = (req.headers['content-encoding'] ?? '').trim().toLowerCase();
    if (contentEncoding !== '' && contentEncoding !== 'identity' && contentEncoding !== 'gzip') {
      return refuse(415, `Content-Encoding "${contentEncoding}" is not supported: send gzip or no encoding`);
    }

    const fail = (status: number, code: number, message: string) => {
      requests.push(record(req, status, 0, message));
      statusAnswer(res, encoding, status, code, message);
    };
    let raw: Buffer | undefined;
    try {
      raw = await readBody(req);
    } catch (error) {
      // The sender hung up mid-body: nobody is left to answer.
      requests.push(record(req, 400, 0, `the body ended early: ${(error as Error).message}`));
      res.destroy();
      return;
    }
    if (raw === undefined) {
      return fail(413, RPC_RESOURCE_EXHAUSTED, `the body is larger than ${MAX_BODY_BYTES} bytes`);
    }
    let body: Uint8Array = raw;
    if (contentEncoding === 'gzip') {
      try {
        body = await gunzipAsync(raw, { maxOutputLength: MAX_BODY_BYTES });
      } catch (error) {
        if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
          return fail(413, RPC_RESOURCE_EXHAUSTED, `the body inflates to more than ${MAX_BODY_BYTES} bytes`);
        }
        return fail(400, RPC_INVALID_ARGUMENT, `Content-Encoding is gzip but the body is not: ${(error as Error).message}`);
      }
    }
    let received: ReceivedSpan[];
    try {
      received = encoding === 'protobuf' ? decodeProtobufTraceRequest(body) : decodeJsonTraceRequest(body);
    } catch (error) {
      // OtlpDecodeError, or anything else a hostile body provokes: the sender's fault either way.
      const kind = encoding === 'protobuf' ? 'an OTLP protobuf' : 'OTLP JSON';
      return fail(400, RPC_INVALID_ARGUMENT, `not ${kind} ExportTraceServiceRequest: ${(error as Error).message}`);
    }
    // Not push(...received): a spread of a very large export overflows the call stack.
    for (const span of received) spans.push(span);
    requests.push(record(req, 200, received.length, undefined));
    // An empty ExportTraceServiceResponse: full success leaves partial_success unset.
    if (encoding === 'protobuf') res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': 0 }).end();
    else res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    for (const waiter of waiters) waiter.check();
  }

  const port = await listen(server);
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    tracesUrl: `${url}${TRACES_PATH}`,
    hostPort: `127.0.0.1:${port}`,
    port,
    spans,
    requests,
    waitForSpans(predicate, { timeoutMs = 15_000 } = {}) {
      if (closed) return Promise.reject(new Error('waitForSpans() on a closed OTLP receiver'));
      return new Promise<ReceivedSpan[]>((resolve, reject) => {
        const waiter = {
          check() {
            let done: boolean;
            try {
              done = predicate(spans);
            } catch (error) {
              finish();
              reject(error);
              return;
            }
            if (done) {
              finish();
              resolve([...spans]);
            }
          },
          fail(error: Error) {
            finish();
            reject(error);
          },
        };
        const timer = setTimeout(
          () => waiter.fail(new Error(`no spans satisfied the predicate within ${timeoutMs} ms; ${summary(spans, requests)}`)),
          timeoutMs,
        );
        const finish = () => {
          clearTimeout(timer);
          waiters.delete(waiter);
        };
        waiters.add(waiter);
        waiter.check();
      });
    },
    trace(traceId) {
      const id = traceId.toLowerCase();
      return spans
        .filter((s) => s.traceId === id)
        .sort((a, b) => (a.startTimeUnixNano < b.startTimeUnixNano ? -1 : a.startTimeUnixNano > b.startTimeUnixNano ? 1 : 0));
    },
    clear() {
      spans.length = 0;
      requests.length = 0;
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const waiter of waiters) waiter.fail(new Error('the OTLP receiver was closed while waiting for spans'));
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      // Exporters keep their connections alive; without this, close() waits for them to time out.
      server.closeAllConnections();
      await stopped;
    },
  };
}

/** Listens on a free loopback port; retries when another process takes the port first. */
async function listen(server: ReturnType<typeof createServer>): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => {
          server.off('error', reject);
          resolve();
        });
      });
      return port;
    } catch (error) {
      if ((error as { code?: string }).code !== 'EADDRINUSE' || attempt >= 5) throw error;
    }
  }
}

/** The body, or undefined when it is larger than MAX_BODY_BYTES (then read to its end and dropped). */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  }
  return size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks);
}

function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

function record(req: IncomingMessage, status: number, spanCount: number, error: string | undefined): ReceivedRequest {
  return {
    method: req.method ?? '',
    path: new URL(req.url ?? '/', 'http://receiver').pathname,
    contentType: mediaType(req),
    contentEncoding: (req.headers['content-encoding'] ?? '').trim().toLowerCase(),
    status,
    spanCount,
    error,
  };
}

function plain(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...headers, 'content-type': 'text/plain; charset=utf-8' }).end(`${message}\n`);
}

/**
 * A refusal of an OTLP request, in its own encoding, as the spec asks: a google.rpc.Status with
 * `code` (field 1, int32) and `message` (field 2, string).
 */
function statusAnswer(res: ServerResponse, encoding: Encoding, status: number, code: number, message: string): void {
  if (encoding === 'json') {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ code, message }));
    return;
  }
  const text = Buffer.from(message, 'utf8');
  const body = Buffer.concat([Buffer.from([0x08, code, 0x12]), varint(text.length), text]);
  res.writeHead(status, { 'content-type': 'application/x-protobuf' }).end(body);
}

function varint(n: number): Buffer {
  const bytes: number[] = [];
  while (n > 0x7f) {
    bytes.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  bytes.push(n);
  return Buffer.from(bytes);
}

/** What arrived, for a timeout's message: span names and the last refusal, if any. */
function summary(spans: readonly ReceivedSpan[], requests: readonly ReceivedRequest[]): string {
  const names = spans.slice(0, 20).map((s) => `${s.service ?? '?'}:${s.name}`);
  const more = spans.length > 20 ? `, and ${spans.length - 20} more` : '';
  const refused = requests.filter((r) => r.error !== undefined);
  const last = refused.at(-1);
  return (
    `${spans.length} spans received${spans.length ? ` (${names.join(', ')}${more})` : ''}` +
    `, ${requests.length} requests, ${refused.length} refused${last ? ` (last: ${last.status} ${last.error})` : ''}`
  );
}
