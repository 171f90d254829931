import type { FastifyServerOptions } from 'fastify';
import { pino, type Logger, type LoggerOptions } from 'pino';
import { currentHubRequest } from '../request/hub-request.ts';
import { serializeError } from './serialize-error.ts';

/**
 * Paths pino removes from every line. Secrets, tokens, codes, passwords and cookies never reach
 * a log (invariant 7); request logs carry method, path and status only, without query strings.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.client_secret',
  '*.code',
  '*.code_verifier',
  '*.refresh_token',
  '*.access_token',
  '*.id_token',
  '*.logout_token',
  '*.token',
  '*.csrf_token',
  '*.cookie',
  '*.secret',
];

export function createLogger(level: LoggerOptions['level'] = 'info', destination?: pino.DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    base: { service: 'ssohub-hub' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    // Fastify ignores its own `serializers` option when given a logger instance: the request
    // serializer must live on the instance, or query strings (state, nonce, id_token_hint,
    // Kratos logout tokens) would reach the log. `err`: type, message, stack and the cause chain,
    // without what an error may carry of a secret (http/serialize-error.ts).
    serializers: { req: serializeRequest, err: serializeError },
    // Lines logged on the hub's own logger while it works for a request (the bridge, the guard,
    // the store, the audit log) carry that request's id as Fastify's request loggers do.
    mixin: requestIdOfLine,
    mixinMergeStrategy: mergeRequestId,
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}

const kRequestLogger = Symbol('ssohub.requestLogger');
const NONE: Record<string, never> = Object.freeze({}) as Record<string, never>;

/**
 * Fastify's childLoggerFactory: the request's logger as Fastify makes it (bound to `reqId`),
 * marked so the mixin does not add the id a second time.
 */
export const requestChildLogger: NonNullable<FastifyServerOptions['childLoggerFactory']> = (logger, bindings, options) => {
  const child = logger.child(bindings, options);
  (child as unknown as Record<symbol, boolean>)[kRequestLogger] = true;
  return child;
};

function requestIdOfLine(_line: object, _level: number, logger: Logger): Record<string, unknown> {
  if ((logger as unknown as Record<symbol, boolean | undefined>)[kRequestLogger]) return NONE;
  const request = currentHubRequest();
  if (request?.id === undefined) return NONE;
  // A traced request's lines carry its trace and span ids (OpenTelemetry's log correlation
  // names), as its Fastify logger's do (tracing/register-request-tracing.ts binds them there).
  const traced = request.trace?.span.spanContext();
  return traced ? { reqId: request.id, trace_id: traced.traceId, span_id: traced.spanId } : { reqId: request.id };
}

function mergeRequestId(line: object, mixed: object): object {
  return mixed === NONE ? line : Object.assign(mixed, line);
}

/** The request line as logged: path without its query (which may carry codes or tokens). */
export function serializeRequest(req: { method?: string; url?: string; id?: string; headers?: Record<string, unknown> }) {
  return {
    method: req.method,
    path: req.url?.split('?')[0],
    host: req.headers?.host,
  };
}
