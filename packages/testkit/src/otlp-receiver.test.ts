import { createServer } from 'node:http';
import { gzipSync } from 'node:zlib';
import { context, type Span, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanExporter,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from './otlp-receiver.ts';
import { ProtobufReader } from './otlp/protobuf-reader.ts';

type ExporterConfig = NonNullable<ConstructorParameters<typeof ProtoExporter>[0]>;

// nock's interceptor inflates every gzipped request body before letting it through to loopback,
// and throws on a body that only claims to be gzip: these tests send such bodies on purpose, to
// loopback servers they start themselves.
beforeAll(() => nock.restore());
afterAll(() => nock.activate());

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  await Promise.all(open.splice(0).map((o) => o.close()));
});

async function receiver(): Promise<OtlpReceiver> {
  const r = await startOtlpReceiver();
  open.push(r);
  return r;
}

/** A provider that hands every ended span to each exporter at once (SimpleSpanProcessor). */
function provider(...exporters: SpanExporter[]): TracerProvider {
  const p = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'ssohub-hub', 'deployment.environment.name': 'test' }),
    spanProcessors: exporters.map((e) => new SimpleSpanProcessor({ exporter: e })),
  });
  open.push({ close: () => p.shutdown() });
  return p;
}

/**
 * A small trace shaped like a sign-in: a server span, a client child with an event, an exception
 * and an error status, an internal grandchild with a link, and attributes of every OTLP type.
 */
function recordSignIn(tracer: Tracer): { server: Span; client: Span; render: Span } {
  const server = tracer.startSpan('GET /login', {
    kind: SpanKind.SERVER,
    attributes: {
      'http.request.method': 'GET',
      'http.response.status_code': 200,
      'ssohub.ratio': 0.25,
      'ssohub.cached': false,
      'ssohub.negative': -42,
      'ssohub.big': 2 ** 60,
      'ssohub.tags': ['a', 'b'],
      'ssohub.codes': [1, 2, 3],
      'ssohub.flags': [true, false],
      'ssohub.unicode': 'connexion réussie ✓',
    },
  });
  const client = tracer.startSpan(
    'kratos whoami',
    { kind: SpanKind.CLIENT, attributes: { 'server.address': '127.0.0.1', 'server.port': 4433 } },
    trace.setSpan(context.active(), server),
  );
  client.addEvent('retry', { attempt: 2, reason: 'timeout' });
  client.recordException(new Error('upstream answered 502'));
  client.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream 502' });
  const render = tracer.startSpan(
    'render login page',
    { links: [{ context: client.spanContext(), attributes: { 'link.reason': 'retry of' } }] },
    trace.setSpan(context.active(), client),
  );
  render.end();
  client.end();
  server.setStatus({ code: SpanStatusCode.OK });
  server.end();
  return { server, client, render };
}

const nanos = ([s, ns]: [number, number]) => BigInt(s) * 1_000_000_000n + BigInt(ns);

function byName(spans: readonly ReceivedSpan[], name: string): ReceivedSpan {
  const found = spans.filter((s) => s.name === name);
  expect(found, `spans named ${name}`).toHaveLength(1);
  return found[0]!;
}

describe('startOtlpReceiver', () => {
  it('listens on loopback and says where, in the forms exporters and Kratos take', async () => {
    const r = await receiver();
    expect(r.url).toBe(`http://127.0.0.1:${r.port}`);
    expect(r.tracesUrl).toBe(`${r.url}/v1/traces`);
    expect(r.hostPort).toBe(`127.0.0.1:${r.port}`);
    expect(r.spans).toEqual([]);
  });

  it('decodes the same spans from the protobuf and the JSON exporter, as the SDK recorded them', async () => {
    const protoReceiver = await receiver();
    const jsonReceiver = await receiver();
    const memory = new InMemorySpanExporter();
    const p = provider(
      memory,
      new ProtoExporter({ url: protoReceiver.tracesUrl }),
      new JsonExporter({ url: jsonReceiver.tracesUrl }),
    );
    recordSignIn(p.getTracer('ssohub-test', '1.2.3'));
    await p.forceFlush();

    const fromProto = await protoReceiver.waitForSpans((s) => s.length === 3, { timeoutMs: 5_000 });
    const fromJson = await jsonReceiver.waitForSpans((s) => s.length === 3, { timeoutMs: 5_000 });
    expect(protoReceiver.requests.map((q) => [q.contentType, q.status])).toEqual([
      ['application/x-protobuf', 200],
      ['application/x-protobuf', 200],
      ['application/x-protobuf', 200],
    ]);
    expect(jsonReceiver.requests.map((q) => [q.contentType, q.status])).toEqual([
      ['application/json', 200],
      ['application/json', 200],
      ['application/json', 200],
    ]);

    const recorded = new Map(memory.getFinishedSpans().map((s) => [s.name, s] as const));
    const sdk = (name: string): ReadableSpan => recorded.get(name)!;
    const server = byName(fromProto, 'GET /login');
    const client = byName(fromProto, 'kratos whoami');
    const render = byName(fromProto, 'render login page');

    expect(server).toEqual({
      traceId: sdk('GET /login').spanContext().traceId,
      spanId: sdk('GET /login').spanContext().spanId,
      parentSpanId: undefined,
      traceState: '',
      name: 'GET /login',
      kind: 2,
      service: 'ssohub-hub',
      scope: 'ssohub-test',
      scopeVersion: '1.2.3',
      attributes: {
        'http.request.method': 'GET',
        'http.response.status_code': 200,
        'ssohub.ratio': 0.25,
        'ssohub.cached': false,
        'ssohub.negative': -42,
        // Past 2^53 an int64 no longer fits a JS number exactly.
        'ssohub.big': 2n ** 60n,
        'ssohub.tags': ['a', 'b'],
        'ssohub.codes': [1, 2, 3],
        'ssohub.flags': [true, false],
        'ssohub.unicode': 'connexion réussie ✓',
      },
      events: [],
      links: [],
      status: { code: 1, message: '' },
      startTimeUnixNano: nanos(sdk('GET /login').startTime),
      endTimeUnixNano: nanos(sdk('GET /login').endTime),
      resourceAttributes: sdk('GET /login').resource.attributes,
    });
    expect(server.resourceAttributes).toMatchObject({ 'service.name': 'ssohub-hub', 'deployment.environment.name': 'test' });
    expect(server.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(server.spanId).toMatch(/^[0-9a-f]{16}$/);

    expect(client).toMatchObject({
      traceId: server.traceId,
      spanId: sdk('kratos whoami').spanContext().spanId,
      parentSpanId: server.spanId,
      kind: 3,
      attributes: { 'server.address': '127.0.0.1', 'server.port': 4433 },
      status: { code: 2, message: 'upstream 502' },
    });
    expect(client.events.map((e) => e.name)).toEqual(['retry', 'exception']);
    expect(client.events[0]).toEqual({
      name: 'retry',
      timeUnixNano: nanos(sdk('kratos whoami').events[0]!.time),
      attributes: { attempt: 2, reason: 'timeout' },
    });
    expect(client.events[1]!.attributes).toMatchObject({
      'exception.type': 'Error',
      'exception.message': 'upstream answered 502',
    });
    expect(client.events[1]!.attributes['exception.stacktrace']).toEqual(expect.stringContaining('upstream answered 502'));

    expect(render).toMatchObject({
      traceId: server.traceId,
      parentSpanId: client.spanId,
      kind: 1,
      links: [{ traceId: server.traceId, spanId: client.spanId, attributes: { 'link.reason': 'retry of' } }],
      status: { code: 0, message: '' },
    });

    // The same spans, byte for byte the same recording, decode identically from either encoding.
    const sorted = (spans: ReceivedSpan[]) => [...spans].sort((a, b) => a.name.localeCompare(b.name));
    expect(sorted(fromJson)).toEqual(sorted(fromProto));
  });

  it('takes gzip-compressed exports from both exporters', async () => {
    const r = await receiver();
    // The option is typed with the exporter base's CompressionAlgorithm enum, whose GZIP is 'gzip'.
    const gzip = { compression: 'gzip' as ExporterConfig['compression'] };
    const p = provider(
      new ProtoExporter({ url: r.tracesUrl, ...gzip }),
      new JsonExporter({ url: r.tracesUrl, ...gzip }),
    );
    p.getTracer('gzip').startSpan('compressed', { attributes: { 'payload.size': 'x'.repeat(2_000) } }).end();
    await p.forceFlush();
    const spans = await r.waitForSpans((s) => s.length === 2, { timeoutMs: 5_000 });
    expect(r.requests.map((q) => [q.contentType, q.contentEncoding, q.status])).toEqual(
      expect.arrayContaining([
        ['application/x-protobuf', 'gzip', 200],
        ['application/json', 'gzip', 200],
      ]),
    );
    expect(spans[0]).toEqual(spans[1]);
    expect(spans[0]!.attributes['payload.size']).toBe('x'.repeat(2_000));
  });

  it('takes a hand-gzipped protobuf export and the spec example in gzipped JSON (uppercase hex ids)', async () => {
    const body = await captureExport(new ProtoCapture(), 'captured');
    const r = await receiver();
    const proto = await post(r, gzipSync(body), { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' });
    expect(proto.status).toBe(200);
    expect(proto.headers.get('content-type')).toBe('application/x-protobuf');
    expect(proto.body.length).toBe(0);
    expect(r.spans.map((s) => s.name)).toEqual(['captured']);

    const json = await post(r, gzipSync(JSON.stringify(SPEC_EXAMPLE)), {
      'content-type': 'application/json; charset=utf-8',
      'content-encoding': 'gzip',
    });
    expect(json.status).toBe(200);
    expect(json.headers.get('content-type')).toBe('application/json');
    expect(JSON.parse(json.body.toString())).toEqual({});
    expect(r.trace('5B8EFFF798038103D269B633813FC60C')).toEqual([
      {
        traceId: '5b8efff798038103d269b633813fc60c',
        spanId: 'eee19b7ec3c1b174',
        parentSpanId: 'eee19b7ec3c1b173',
        traceState: '',
        name: "I'm a server span",
        kind: 2,
        service: 'my.service',
        scope: 'my.library',
        scopeVersion: '1.0.0',
        attributes: { 'my.span.attr': 'some value' },
        events: [],
        links: [],
        status: { code: 0, message: '' },
        startTimeUnixNano: 1544712660000000000n,
        endTimeUnixNano: 1544712661000000000n,
        resourceAttributes: { 'service.name': 'my.service' },
      },
    ]);
  });

  it('reads OTEL_EXPORTER_OTLP_ENDPOINT as `url`: the exporter adds /v1/traces itself', async () => {
    const r = await receiver();
    vi.stubEnv('OTEL_EXPORTER_OTLP_ENDPOINT', r.url);
    const p = provider(new ProtoExporter());
    p.getTracer('env').startSpan('from env').end();
    await p.forceFlush();
    const spans = await r.waitForSpans((s) => s.length === 1, { timeoutMs: 5_000 });
    expect(spans[0]!.name).toBe('from env');
  });

  it('answers malformed protobuf with 400 and a google.rpc.Status, and keeps receiving', async () => {
    const r = await receiver();
    const headers = { 'content-type': 'application/x-protobuf' };
    // resource_spans (field 1, length-delimited) whose length varint never ends.
    const truncated = await post(r, Buffer.from([0x0a, 0xff]), headers);
    expect(truncated.status).toBe(400);
    expect(truncated.headers.get('content-type')).toBe('application/x-protobuf');
    expect(rpcStatus(truncated.body)).toEqual({ code: 3, message: expect.stringContaining('truncated') });

    // A span whose trace_id is 3 bytes: ResourceSpans > ScopeSpans > Span > trace_id.
    const span = Buffer.from([0x0a, 3, 1, 2, 3]);
    const scope = Buffer.concat([Buffer.from([0x12, span.length]), span]);
    const rs = Buffer.concat([Buffer.from([0x12, scope.length]), scope]);
    const shortId = await post(r, Buffer.concat([Buffer.from([0x0a, rs.length]), rs]), headers);
    expect(shortId.status).toBe(400);
    expect(rpcStatus(shortId.body).message).toContain('Span.trace_id is 3 bytes long, not 16');

    const notGzip = await post(r, Buffer.from('plain'), { ...headers, 'content-encoding': 'gzip' });
    expect(notGzip.status).toBe(400);
    expect(rpcStatus(notGzip.body).message).toContain('Content-Encoding is gzip but the body is not');

    expect(r.spans).toEqual([]);
    expect(r.requests.map((q) => q.status)).toEqual([400, 400, 400]);
    await expectStillReceiving(r);
  });

  it('answers malformed JSON with 400 and a JSON Status naming the field, and keeps receiving', async () => {
    const r = await receiver();
    const headers = { 'content-type': 'application/json' };
    const cases: Array<[string, string]> = [
      ['{"resourceSpans": [', 'the body is not JSON'],
      ['[]', 'the body is not a JSON object'],
      [withSpan({ traceId: 'W47/95gDgQPSabYzgT/GDA==' }), 'resourceSpans[0].scopeSpans[0].spans[0].traceId is not 32 hex digits'],
      [withSpan({ kind: 'SPAN_KIND_SERVER' }), 'spans[0].kind is not an integer enum value'],
      [withSpan({ startTimeUnixNano: '1.5' }), 'spans[0].startTimeUnixNano is not an integer'],
      [withSpan({ attributes: [{ key: 'k', value: { stringValue: 'a', intValue: '1' } }] }), 'sets stringValue and intValue'],
    ];
    for (const [body, message] of cases) {
      const answer = await post(r, Buffer.from(body), headers);
      expect(answer.status, body).toBe(400);
      expect(answer.headers.get('content-type')).toBe('application/json');
      const status = JSON.parse(answer.body.toString());
      expect(status.code).toBe(3);
      expect(status.message, body).toContain(message);
    }
    expect(r.spans).toEqual([]);
    await expectStillReceiving(r);
  });

  it('refuses what is not an OTLP trace export: 415, 404, 405, 413', async () => {
    const r = await receiver();
    const text = await post(r, Buffer.from('{}'), { 'content-type': 'text/plain' });
    expect(text.status).toBe(415);
    expect(text.body.toString()).toContain('send application/x-protobuf or application/json');
    expect((await post(r, Buffer.from('{}'), {})).status).toBe(415);
    const brotli = await post(r, Buffer.from('{}'), { 'content-type': 'application/json', 'content-encoding': 'br' });
    expect(brotli.status).toBe(415);
    expect(brotli.body.toString()).toContain('Content-Encoding "br" is not supported');

    const metrics = await post(r, Buffer.from('{}'), { 'content-type': 'application/json' }, '/v1/metrics');
    expect(metrics.status).toBe(404);
    expect(metrics.body.toString()).toContain('POST /v1/traces');
    const get = await fetch(r.tracesUrl);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');

    // 17 MiB of zeros gzip to a few KiB: the limit applies to the inflated body too.
    const bomb = await post(r, gzipSync(Buffer.alloc(17 * 1024 * 1024)), {
      'content-type': 'application/x-protobuf',
      'content-encoding': 'gzip',
    });
    expect(bomb.status).toBe(413);
    expect(rpcStatus(bomb.body).message).toContain('inflates to more than');

    expect(r.requests.map((q) => q.status)).toEqual([415, 415, 415, 404, 405, 413]);
    expect(r.requests[0]!.error).toContain('Content-Type "text/plain"');
    await expectStillReceiving(r);
  });

  it('survives random bytes: every answer is 200 or 400, never a crash', async () => {
    const r = await receiver();
    const valid = await captureExport(new ProtoCapture(), 'fuzzed');
    let seed = 22;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed;
    };
    const statuses = new Set<number>();
    for (let i = 0; i < 150; i++) {
      // Half pure noise, half a real export with a few bytes changed.
      const body = i % 2 ? Buffer.from(Array.from({ length: random() % 64 }, () => random() % 256)) : Buffer.from(valid);
      if (i % 2 === 0) for (let k = 0; k < 3; k++) body[random() % body.length] = random() % 256;
      const answer = await post(r, body, { 'content-type': 'application/x-protobuf' });
      statuses.add(answer.status);
      expect([200, 400]).toContain(answer.status);
    }
    expect(statuses.has(400)).toBe(true);
    await expectStillReceiving(r);
  });

  describe('waitForSpans, trace, clear, close', () => {
    it('resolves once the predicate holds, with every span received', async () => {
      const r = await receiver();
      const p = provider(new JsonExporter({ url: r.tracesUrl }));
      const waiting = r.waitForSpans((s) => s.some((span) => span.name === 'second'), { timeoutMs: 5_000 });
      const tracer = p.getTracer('wait');
      const first = tracer.startSpan('first');
      first.end();
      tracer.startSpan('second', {}, trace.setSpan(context.active(), first)).end();
      const spans = await waiting;
      expect(spans.map((s) => s.name)).toEqual(['first', 'second']);
      expect(r.trace(first.spanContext().traceId.toUpperCase()).map((s) => s.name)).toEqual(['first', 'second']);
      expect(r.trace('0'.repeat(32))).toEqual([]);
      r.clear();
      expect(r.spans).toEqual([]);
      expect(r.requests).toEqual([]);
    });

    it('rejects on timeout with what did arrive, and with the last refusal', async () => {
      const r = await receiver();
      await post(r, Buffer.from('nope'), { 'content-type': 'application/json' });
      const p = provider(new ProtoExporter({ url: r.tracesUrl }));
      p.getTracer('t').startSpan('only this').end();
      await p.forceFlush();
      await expect(r.waitForSpans((s) => s.length > 5, { timeoutMs: 200 })).rejects.toThrow(
        /within 200 ms; 1 spans received \(ssohub-hub:only this\), 2 requests, 1 refused \(last: 400 not OTLP JSON/,
      );
    });

    it('rejects when the predicate throws, and pending waits on close', async () => {
      const r = await startOtlpReceiver();
      await expect(
        r.waitForSpans(() => {
          throw new Error('bad predicate');
        }),
      ).rejects.toThrow('bad predicate');
      const pending = r.waitForSpans(() => false, { timeoutMs: 60_000 });
      await r.close();
      await expect(pending).rejects.toThrow('closed while waiting');
      await expect(r.waitForSpans(() => true)).rejects.toThrow('closed');
      await expect(fetch(r.tracesUrl, { method: 'POST' })).rejects.toThrow();
    });
  });
});

/** An export arrives after refusals: the receiver is not wedged by what it refused. */
async function expectStillReceiving(r: OtlpReceiver): Promise<void> {
  const p = provider(new ProtoExporter({ url: r.tracesUrl }));
  p.getTracer('after').startSpan('still receiving').end();
  await p.forceFlush();
  const spans = await r.waitForSpans((s) => s.some((span) => span.name === 'still receiving'), { timeoutMs: 5_000 });
  expect(spans.at(-1)!.service).toBe('ssohub-hub');
}

async function post(
  r: OtlpReceiver,
  body: Buffer,
  headers: Record<string, string>,
  path = '/v1/traces',
): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const res = await fetch(`${r.url}${path}`, { method: 'POST', body: new Uint8Array(body), headers });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

/** Decodes a google.rpc.Status: code = 1 (int32), message = 2 (string). */
function rpcStatus(body: Buffer): { code: number; message: string } {
  const out = { code: 0, message: '' };
  const reader = new ProtobufReader(body);
  while (!reader.atEnd()) {
    const { field, wireType } = reader.tag();
    if (field === 1) out.code = reader.int32();
    else if (field === 2) out.message = reader.string();
    else reader.skip(wireType, field);
  }
  return out;
}

/** A loopback server that keeps the raw body of one export, to replay it by hand. */
class ProtoCapture {
  body: Buffer | undefined;
  readonly server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      this.body = Buffer.concat(chunks);
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
}

/** The protobuf bytes @opentelemetry/exporter-trace-otlp-proto sends for one span named `name`. */
async function captureExport(capture: ProtoCapture, name: string): Promise<Buffer> {
  await new Promise<void>((resolve) => capture.server.listen(0, '127.0.0.1', resolve));
  const address = capture.server.address();
  if (!address || typeof address !== 'object') throw new Error('no port');
  const p = provider(new ProtoExporter({ url: `http://127.0.0.1:${address.port}/v1/traces` }));
  p.getTracer('capture').startSpan(name, { attributes: { n: 1, s: 'x', b: true } }).end();
  await p.forceFlush();
  capture.server.closeAllConnections();
  await new Promise((resolve) => capture.server.close(resolve));
  if (!capture.body?.length) throw new Error('the exporter sent nothing');
  return capture.body;
}

/** A JSON export with one span, `overrides` applied to the span. */
function withSpan(overrides: Record<string, unknown>): string {
  const span = { traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', name: 's', ...overrides };
  return JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] });
}

// opentelemetry-proto examples/trace.json, as the OTLP spec gives it.
const SPEC_EXAMPLE = {
  resourceSpans: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'my.service' } }] },
      scopeSpans: [
        {
          scope: {
            name: 'my.library',
            version: '1.0.0',
            attributes: [{ key: 'my.scope.attribute', value: { stringValue: 'some scope attribute' } }],
          },
          spans: [
            {
              traceId: '5B8EFFF798038103D269B633813FC60C',
              spanId: 'EEE19B7EC3C1B174',
              parentSpanId: 'EEE19B7EC3C1B173',
              name: "I'm a server span",
              startTimeUnixNano: '1544712660000000000',
              endTimeUnixNano: '1544712661000000000',
              kind: 2,
              attributes: [{ key: 'my.span.attr', value: { stringValue: 'some value' } }],
            },
          ],
        },
      ],
    },
  ],
};
