import { type Context, ROOT_CONTEXT, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import { parseTraceParent, TraceState } from '@opentelemetry/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { cookieValue } from '../http/cookie-value.ts';
import { requestChildLogger } from '../http/create-logger.ts';
import { requestLabels } from '../metrics/register-request-metrics.ts';
import { currentHubRequest } from '../request/hub-request.ts';
import { requestSpanOf, setRequestSpan } from './request-span.ts';
import { TRACE_COOKIE } from './trace-cookie.ts';

export interface RequestTracingOptions {
  tracer: Tracer;
  /**
   * Where a browser's request finds its parent when it carries no `traceparent` header (browsers
   * never send one): the `traceparent` parameter an app's SDK put on its authorization request
   * (at `authorizationPath` only), then the sign-in's trace cookie (trace-cookie.ts). Public
   * listener only: the admin listener's callers send the header or start their own trace.
   */
  browser?: { authorizationPath: string };
}

const kEnded = Symbol('ssohub.spanEnded');

/**
 * A SERVER span for every request of the listener, named by method and route pattern (the
 * provider's own endpoint name for /oidc/*: `GET provider:authorization`), never the URL. Its
 * parent is the caller's W3C `traceparent` when there is one. The span is the request's
 * (HubRequest.trace), so the hub's parts open children under it (hub-spans.ts).
 */
export function registerRequestTracing(listener: FastifyInstance, { tracer, browser }: RequestTracingOptions): void {
  listener.addHook('onRequest', (request, reply, done) => {
    const hubRequest = currentHubRequest();
    if (hubRequest) {
      const route = request.routeOptions.url;
      const span = tracer.startSpan(`${request.method} ${route ?? 'unmatched'}`, { kind: SpanKind.SERVER }, parentOf(request, browser));
      hubRequest.trace = { span, tracer };
      // onResponse and onRequestAbort may run outside the request's async context.
      setRequestSpan(request, span);
      // What only a recorded span needs is done for a sampled one only: at a 10% ratio, nine
      // requests in ten skip it (npm run bench:tracing measured the difference).
      if (span.isRecording()) {
        span.setAttributes({
          'http.request.method': request.method,
          'url.scheme': request.protocol,
          'ssohub.request_id': request.id,
          ...(route ? { 'http.route': route } : {}),
        });
        // Every line of the request's logger, Fastify's own included, names the trace.
        const { traceId, spanId } = span.spanContext();
        request.log = requestChildLogger.call(listener, request.log, { trace_id: traceId, span_id: spanId }, {}, request.raw);
        reply.log = request.log;
      }
    }
    done();
  });
  listener.addHook('onResponse', (request, reply, done) => {
    const span = requestSpanOf(request);
    if (span?.isRecording() && !(span as unknown as Record<symbol, boolean>)[kEnded]) {
      const { route } = requestLabels(request, reply);
      span.updateName(`${request.method} ${route}`);
      span.setAttributes({ 'http.route': route, 'http.response.status_code': reply.statusCode });
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      end(span);
    }
    done();
  });
  // A client that went away before the answer: onResponse never runs.
  listener.addHook('onRequestAbort', (request, done) => {
    const span = requestSpanOf(request);
    if (span && !(span as unknown as Record<symbol, boolean>)[kEnded]) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'the client closed the connection before the answer' });
      end(span);
    }
    done();
  });
}

function end(span: ReturnType<Tracer['startSpan']>): void {
  (span as unknown as Record<symbol, boolean>)[kEnded] = true;
  span.end();
}

/** The caller's trace context, as the W3C Trace Context header, the authorization parameter, or the sign-in's cookie. */
function parentOf(request: FastifyRequest, browser: RequestTracingOptions['browser']): Context {
  const header = request.headers.traceparent;
  let parent = typeof header === 'string' ? remoteContext(header, request.headers.tracestate) : undefined;
  if (!parent && browser) {
    if (request.url.startsWith(browser.authorizationPath) && isPath(request.url, browser.authorizationPath)) {
      const param = (request.query as { traceparent?: unknown } | undefined)?.traceparent;
      if (typeof param === 'string') parent = remoteContext(param, undefined);
    }
    if (!parent) {
      const cookie = cookieValue(request.headers.cookie, TRACE_COOKIE);
      if (cookie) parent = remoteContext(cookie, undefined);
    }
  }
  return parent ?? ROOT_CONTEXT;
}

function isPath(url: string, path: string): boolean {
  const next = url.charAt(path.length);
  return next === '' || next === '?';
}

function remoteContext(traceparent: string, tracestate: string | string[] | undefined): Context | undefined {
  const parsed = parseTraceParent(traceparent);
  if (!parsed) return undefined;
  const state = typeof tracestate === 'string' ? tracestate : undefined;
  return trace.setSpanContext(ROOT_CONTEXT, { ...parsed, isRemote: true, ...(state ? { traceState: new TraceState(state) } : {}) });
}


/**
 * registerRequestTracing as a plugin of the listener itself, right behind the hub request's (whose
 * HubRequest holds the span). Registered only when tracing is on: off, no hook runs at all.
 */
export const requestTracingPlugin = fp(async (listener: FastifyInstance, options: RequestTracingOptions) => registerRequestTracing(listener, options), {
  name: 'ssohub-request-tracing',
  fastify: '5.x',
  dependencies: ['ssohub-hub-request'],
});
