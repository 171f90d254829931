import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { hubRequestPlugin } from '../http/register-hub-request.ts';
import { addRequestEvent, SpanKind as Kind, startChildSpan } from './hub-spans.ts';
import { requestTracingPlugin } from './register-request-tracing.ts';
import { TRACE_COOKIE } from './trace-cookie.ts';

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
const tracer = provider.getTracer('test');

async function listener() {
  const app = Fastify();
  await app.register(hubRequestPlugin);
  await app.register(requestTracingPlugin, { tracer, browser: { authorizationPath: '/oidc/auth' } });
  app.get('/items/:id', async () => {
    const child = startChildSpan('redis get', Kind.CLIENT, { 'db.operation.name': 'get' });
    child?.end();
    addRequestEvent('ssohub.guard.allowed', { kind: 'ip' });
    return { headers: child?.headers() };
  });
  app.get('/oidc/auth', async () => 'ok');
  app.get('/fail', async (_request, reply) => reply.code(503).send('down'));
  return app;
}

const finished = (): ReadableSpan[] => exporter.getFinishedSpans();
const TRACE = '0af7651916cd43dd8448eb211c80319c';
const PARENT = 'b7ad6b7169203331';

describe('a span per request (register-request-tracing.ts)', () => {
  afterEach(() => exporter.reset());

  it('names a SERVER span by method and route pattern, with its status, and nothing of the URL', async () => {
    const app = await listener();
    const res = await app.inject('/items/alice@example.com?token=secret-value');
    await app.inject('/fail');
    const [child, request, failed] = finished();
    expect(request!.name).toBe('GET /items/:id');
    expect(request!.kind).toBe(SpanKind.SERVER);
    expect(request!.attributes).toMatchObject({ 'http.route': '/items/:id', 'http.request.method': 'GET', 'http.response.status_code': 200 });
    expect(JSON.stringify(request!.attributes)).not.toMatch(/alice|secret-value/);
    expect(request!.events.map((e) => e.name)).toEqual(['ssohub.guard.allowed']);
    // Children of the request's span, and their traceparent names them to the callee.
    expect(child!.name).toBe('redis get');
    expect(child!.parentSpanContext?.spanId).toBe(request!.spanContext().spanId);
    expect(res.json().headers.traceparent).toBe(`00-${child!.spanContext().traceId}-${child!.spanContext().spanId}-01`);
    expect(failed!.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('continues the caller’s trace from traceparent, an authorization request’s parameter, or the sign-in cookie', async () => {
    const app = await listener();
    await app.inject({ url: '/items/1', headers: { traceparent: `00-${TRACE}-${PARENT}-01` } });
    await app.inject(`/oidc/auth?client_id=a&traceparent=00-${TRACE}-${PARENT}-01`);
    await app.inject({ url: '/items/2', headers: { cookie: `a=b; ${TRACE_COOKIE}=00-${TRACE}-${PARENT}-01` } });
    // The parameter counts at the authorization endpoint only; a malformed value starts a new trace.
    await app.inject(`/items/3?traceparent=00-${TRACE}-${PARENT}-01`);
    await app.inject({ url: '/items/4', headers: { traceparent: '00-zz-yy-01' } });
    const requests = finished().filter((s) => s.kind === SpanKind.SERVER);
    expect(requests.slice(0, 3).map((s) => [s.spanContext().traceId, s.parentSpanContext?.spanId])).toEqual([
      [TRACE, PARENT],
      [TRACE, PARENT],
      [TRACE, PARENT],
    ]);
    expect(requests.slice(3).map((s) => s.spanContext().traceId)).not.toContain(TRACE);
    expect(requests.slice(3).every((s) => s.parentSpanContext === undefined)).toBe(true);
  });

  it('follows a caller that sampled its trace out, and records nothing of it', async () => {
    const app = await listener();
    await app.inject({ url: '/items/1', headers: { traceparent: `00-${TRACE}-${PARENT}-00` } });
    // The parent-based default: the caller's "not sampled" is kept, so the hub's children are not made either.
    expect(finished()).toEqual([]);
  });

  it('puts the trace id on the request’s log lines', async () => {
    const lines: string[] = [];
    const app = Fastify({ logger: { level: 'info', stream: { write: (l: string) => lines.push(l) } } });
    await app.register(hubRequestPlugin);
    await app.register(requestTracingPlugin, { tracer });
    app.get('/', async (request) => {
      request.log.info('inside');
      return 'ok';
    });
    await app.inject({ url: '/', headers: { traceparent: `00-${TRACE}-${PARENT}-01` } });
    const inside = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'inside' || l.msg === 'request completed');
    expect(inside).toHaveLength(2);
    for (const line of inside) expect(line).toMatchObject({ trace_id: TRACE, span_id: expect.stringMatching(/^[0-9a-f]{16}$/) });
  });

  it('leaves untraced requests alone: no span, no child, no header', async () => {
    const app = Fastify();
    await app.register(hubRequestPlugin);
    app.get('/', async () => ({ child: startChildSpan('x', Kind.CLIENT) === undefined }));
    expect((await app.inject('/')).json()).toEqual({ child: true });
    expect(trace.getSpan(ROOT_CONTEXT)).toBeUndefined();
  });
});
