/**
 * Owns the spans the hub opens inside a request: each is a child of the request's span
 * (tracing/register-request-tracing.ts), found through the request's HubRequest, so Kratos calls,
 * store commands and provider steps join the request's trace wherever they run. Outside a traced
 * request (tracing off, background work) every function here does nothing and costs one lookup.
 *
 * Work that outlives its request (a back-channel logout delivered later, from the queue) keeps
 * the request's trace context as two strings (TraceContext) and opens its span under it
 * (startSpanUnder), with the tracer it is given: there is no request to find one through.
 *
 * What a span may carry: route patterns, status codes, command names, client ids, OAuth error
 * codes, and a delivery's attempt number and outcome. Never a URL's query, a store key, a header value, an identity id or an address: spans
 * leave the process for a collector with other retention and readers than the hub's logs.
 */
import { type Attributes, ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import { parseTraceParent, TraceState } from '@opentelemetry/core';
import { currentHubRequest } from '../request/hub-request.ts';

/** An open child span: end it once with whether the work failed. */
export interface ChildSpan {
  readonly span: Span;
  /** W3C trace context headers naming this span as the parent, for a call it makes. */
  headers(): Record<string, string>;
  end(failed?: boolean | string): void;
}

/**
 * Opens a child of the current request's span, or returns undefined when the request is not
 * traced (or not sampled: a span nobody records is not worth its allocation).
 */
export function startChildSpan(name: string, kind: SpanKind, attributes?: Attributes): ChildSpan | undefined {
  const traced = currentHubRequest()?.trace;
  if (!traced?.span.isRecording()) return undefined;
  return childSpan(traced.tracer.startSpan(name, { kind, attributes }, trace.setSpan(ROOT_CONTEXT, traced.span)));
}

function childSpan(span: Span): ChildSpan {
  return {
    span,
    headers: () => traceContextHeaders(span),
    end(failed) {
      if (failed) span.setStatus({ code: SpanStatusCode.ERROR, ...(typeof failed === 'string' ? { message: failed } : {}) });
      span.end();
    },
  };
}

/**
 * A trace context kept for later, as the W3C headers write it: the only thing of a trace that
 * leaves the process with a stored job (no attribute, no baggage).
 */
export interface TraceContext {
  readonly traceparent: string;
  readonly tracestate?: string;
}

/**
 * The current request's trace context when its span is sampled, for work it leaves to run later
 * (a queued job) to continue its trace; undefined when untraced or not sampled.
 */
export function requestTraceContext(): TraceContext | undefined {
  const span = currentHubRequest()?.trace?.span;
  if (!span?.isRecording()) return undefined;
  const c = span.spanContext();
  const traceparent = traceparentOf(c.traceId, c.spanId, c.traceFlags);
  const tracestate = c.traceState?.serialize();
  return tracestate ? { traceparent, tracestate } : { traceparent };
}

/**
 * Opens a span whose parent is a recorded trace context (requestTraceContext), outside any
 * request; undefined without a tracer (tracing off) or a parseable context (a job stored before
 * the field existed, or a damaged one): the work then runs untraced.
 */
export function startSpanUnder(tracer: Tracer | undefined, parent: TraceContext | undefined, name: string, kind: SpanKind, attributes?: Attributes): ChildSpan | undefined {
  if (!tracer || typeof parent?.traceparent !== 'string') return undefined;
  const parsed = parseTraceParent(parent.traceparent);
  if (!parsed) return undefined;
  const state = typeof parent.tracestate === 'string' && parent.tracestate !== '' ? new TraceState(parent.tracestate) : undefined;
  const context = trace.setSpanContext(ROOT_CONTEXT, { ...parsed, isRemote: true, ...(state ? { traceState: state } : {}) });
  return childSpan(tracer.startSpan(name, { kind, attributes }, context));
}

/** Whether the current request is traced and sampled: worth building a child span's name and attributes for. */
export function isTraced(): boolean {
  return currentHubRequest()?.trace?.span.isRecording() === true;
}

/** The current request's trace id when its span is sampled (an exemplar on a latency), else undefined. */
export function sampledTraceId(): string | undefined {
  const span = currentHubRequest()?.trace?.span;
  return span?.isRecording() ? span.spanContext().traceId : undefined;
}

/** Records `name` (a guard decision, a provider event) on the current request's span. */
export function addRequestEvent(name: string, attributes?: Attributes): void {
  const span = currentHubRequest()?.trace?.span;
  if (span?.isRecording()) span.addEvent(name, attributes);
}

/** Sets attributes (a client id once known) on the current request's span. */
export function setRequestAttributes(attributes: Attributes): void {
  const span = currentHubRequest()?.trace?.span;
  if (span?.isRecording()) span.setAttributes(attributes);
}

/**
 * The `traceparent` (and `tracestate`) of `span`, as W3C Trace Context writes them. Written here
 * rather than through a propagator: the hub registers no global one (start-tracing.ts), and the
 * format is one line.
 */
export function traceContextHeaders(span: Span): Record<string, string> {
  const c = span.spanContext();
  const headers: Record<string, string> = { traceparent: traceparentOf(c.traceId, c.spanId, c.traceFlags) };
  const state = c.traceState?.serialize();
  if (state) headers.tracestate = state;
  return headers;
}

export function traceparentOf(traceId: string, spanId: string, flags: number): string {
  return `00-${traceId}-${spanId}-${flags.toString(16).padStart(2, '0')}`;
}

export { SpanKind };
