/**
 * Owns the SDK's OpenTelemetry spans: one per step an app takes through the hub (sign-in,
 * callback, refresh, sign-out, back-channel logout), and the W3C `traceparent` on every call the
 * SDK makes to the hub, so the hub's spans (and Kratos' behind it) join the app's trace.
 *
 * The SDK depends on the OpenTelemetry API only. An app that set up no OpenTelemetry SDK gets
 * the API's no-op tracer: no span is recorded, no header or parameter is added, and the cost is a
 * few object allocations per step. Spans carry the client id, the step's outcome and an error
 * code; never a token, code, state, session id, cookie or user attribute.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  type Attributes,
  type Context,
  context,
  isSpanContextValid,
  type Link,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  type SpanContext,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import type { CustomFetch } from 'openid-client';
import { SsoClientError } from '../errors.ts';

const tracer = trace.getTracer('@ssohub/client');

// The span of the step in progress, for the SDK's own calls to the hub (tracedFetch). Kept here
// rather than read from the OpenTelemetry context: that needs a context manager the app may not
// have registered, and the header must go out either way.
const currentStep = new AsyncLocalStorage<Span>();

export interface StepOptions {
  attributes?: Attributes;
  /** The parent, when it is not the caller's active span: the sign-in a callback completes. */
  parent?: SpanContext;
}

/**
 * Runs `fn` as one step of the SDK, in a span named `name`, active for the app's own
 * instrumentation too. An error ends the span with its SDK error code as the status message.
 */
export function inStep<T>(name: string, options: StepOptions, fn: (span: Span) => Promise<T>): Promise<T> {
  const active = context.active();
  let parent: Context = active;
  const links: Link[] = [];
  if (options.parent && isSpanContextValid(options.parent)) {
    parent = trace.setSpanContext(ROOT_CONTEXT, { ...options.parent, isRemote: true });
    // The request the step runs in (the app's own HTTP span, if any) stays reachable.
    const caller = trace.getSpanContext(active);
    if (caller && isSpanContextValid(caller)) links.push({ context: caller });
  }
  return tracer.startActiveSpan(name, { kind: SpanKind.INTERNAL, attributes: options.attributes, links }, parent, (span) =>
    currentStep.run(span, async () => {
      try {
        return await fn(span);
      } catch (err) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof SsoClientError ? err.code : 'failed' });
        throw err;
      } finally {
        span.end();
      }
    }),
  );
}

/** The W3C `traceparent` of `span`, or undefined when it is not a real span (no SDK in the app). */
export function traceparentOf(span: Span): string | undefined {
  const c = span.spanContext();
  if (!isSpanContextValid(c)) return undefined;
  return `00-${c.traceId}-${c.spanId}-${c.traceFlags.toString(16).padStart(2, '0')}`;
}

/** A `traceparent` value as a span context (a sign-in's, kept in its transaction cookie). */
export function spanContextOf(traceparent: string | undefined): SpanContext | undefined {
  const m = traceparent ? /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(traceparent) : null;
  if (!m) return undefined;
  const c: SpanContext = { traceId: m[1]!, spanId: m[2]!, traceFlags: Number.parseInt(m[3]!, 16) };
  return isSpanContextValid(c) ? c : undefined;
}

/**
 * openid-client's `customFetch`: the global fetch, with the current step's `traceparent` added
 * to calls made during a traced step (token, userinfo, introspection), so the hub's span of the
 * call is its child.
 */
export const tracedFetch: CustomFetch = (url, options) => {
  const span = currentStep.getStore();
  const traceparent = span && traceparentOf(span);
  const init = (traceparent ? { ...options, headers: { ...options.headers, traceparent } } : options) as RequestInit;
  return fetch(url, init);
};
