import { pino, type Logger, type LoggerOptions } from 'pino';

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
    // Kratos logout tokens) would reach the log.
    serializers: { req: serializeRequest },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}

/** The request line as logged: path without its query (which may carry codes or tokens). */
export function serializeRequest(req: { method?: string; url?: string; id?: string; headers?: Record<string, unknown> }) {
  return {
    method: req.method,
    path: req.url?.split('?')[0],
    host: req.headers?.host,
  };
}
