/**
 * Owns the cookie that keeps a browser's sign-in in one trace. A browser sends no `traceparent`
 * header, so each page of a sign-in (the authorization request, the login page, the form posts
 * to Kratos, the return to the provider) would start a trace of its own. When the authorization
 * endpoint sends the browser to a hub page, the hub sets this cookie to its own span's trace
 * context; the browser's next requests continue that trace (register-request-tracing.ts). The
 * answer that sends the browser back to the app deletes it.
 *
 * It holds a trace id and a span id, nothing that identifies the user or authorizes anything;
 * it exists only while tracing is on, and lasts at most as long as an interaction.
 */
import type { Span } from '@opentelemetry/api';
import { traceparentOf } from './hub-spans.ts';

export const TRACE_COOKIE = 'ssohub_trace';

/** The interaction's lifetime bounds a sign-in; a cookie left by an abandoned one goes with it. */
const MAX_AGE_S = 60 * 60;

export function traceCookie(span: Span, secure: boolean): string {
  const c = span.spanContext();
  return `${TRACE_COOKIE}=${traceparentOf(c.traceId, c.spanId, c.traceFlags)}; Path=/; Max-Age=${MAX_AGE_S}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}

export function expiredTraceCookie(secure: boolean): string {
  return `${TRACE_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}
