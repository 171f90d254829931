import { type Span, TraceFlags } from '@opentelemetry/api';
import type { FastifyRequest } from 'fastify';

/**
 * Where a request's span is kept on the Fastify request (register-request-tracing.ts), for the
 * hooks that run outside the request's async context (onResponse, onRequestAbort) and for the
 * request metrics' exemplars. A module of its own, so the metrics need not import the tracing
 * plugin (which imports their labels).
 */
const kSpan = Symbol('ssohub.requestSpan');

export function setRequestSpan(request: FastifyRequest, span: Span): void {
  (request as unknown as Record<symbol, Span>)[kSpan] = span;
}

export function requestSpanOf(request: FastifyRequest): Span | undefined {
  return (request as unknown as Record<symbol, Span | undefined>)[kSpan];
}

/** The trace id of the request's span when it is sampled (an exemplar on its latency), else undefined. */
export function sampledTraceIdOf(request: FastifyRequest): string | undefined {
  // By its sampled flag, not isRecording(): the span may already have ended (onResponse order).
  const c = requestSpanOf(request)?.spanContext();
  return c && (c.traceFlags & TraceFlags.SAMPLED) !== 0 ? c.traceId : undefined;
}
