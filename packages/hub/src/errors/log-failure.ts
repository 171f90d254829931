import type { FastifyBaseLogger } from 'fastify';
import { scrubSecrets, serializeError } from '../http/serialize-error.ts';
import type { PresentedError } from './present-error.ts';

/**
 * The error as logged under `err`: its type, message, stack and cause chain, with what it may
 * carry of a secret left out (http/serialize-error.ts). The hub's logger applies the same
 * serializer to every `err`; this is for a logger that is not the hub's own.
 */
export function loggableError(err: unknown): Record<string, unknown> {
  return serializeError(err) as Record<string, unknown>;
}

/**
 * Logs a failed request once, on the request's logger (so with its request id): server-side
 * failures and outages as errors with type, message, stack and cause; refusals of the client's
 * request as one info line.
 */
export function logFailure(log: FastifyBaseLogger, err: unknown, shown: PresentedError): void {
  if (shown.status >= 500) log.error({ err: loggableError(err), code: shown.code, status: shown.status }, 'request failed');
  else log.info({ code: shown.code, status: shown.status, reason: scrubSecrets(String((err as Error)?.message)) }, 'request refused');
}
