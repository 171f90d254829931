import type { FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';
import type { PresentedError } from './present-error.ts';

// What of an error reaches the log: its type, message and stack with those of its causes
// (pino's err serializer), and the facts the hub and its libraries put on errors on purpose.
// Everything else stays out: a KratosError's body may hold a whole flow with its CSRF token, an
// HTTP client's error its request headers with the browser's cookies.
const LOGGED_FIELDS = ['type', 'message', 'stack', 'code', 'errno', 'syscall', 'status', 'statusCode', 'errorId', 'detail', 'error', 'error_description', 'error_detail'];

/** The error as logged under `err`: see LOGGED_FIELDS. */
export function loggableError(err: unknown): Record<string, unknown> {
  // pino's err serializer runs again on what is logged under `err`: with no prototype (so no
  // constructor) it takes the type from `name`, and keeps the rest as it is.
  const out = Object.create(null) as Record<string, unknown>;
  if (!(err instanceof Error)) return Object.assign(out, { name: typeof err, type: typeof err, message: String(err) });
  const serialized = pino.stdSerializers.err(err) as unknown as Record<string, unknown>;
  for (const key of LOGGED_FIELDS) if (serialized[key] !== undefined) out[key] = serialized[key];
  out.name = serialized.type;
  return out;
}

/**
 * Logs a failed request once, on the request's logger (so with its request id): server-side
 * failures and outages as errors with type, message, stack and cause; refusals of the client's
 * request as one info line.
 */
export function logFailure(log: FastifyBaseLogger, err: unknown, shown: PresentedError): void {
  if (shown.status >= 500) log.error({ err: loggableError(err), code: shown.code, status: shown.status }, 'request failed');
  else log.info({ code: shown.code, status: shown.status, reason: (err as Error)?.message }, 'request refused');
}
