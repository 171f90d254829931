/**
 * What of an error reaches the log under `err` (the logger's serializer, http/create-logger.ts):
 * its type, message and stack, those of its causes as nested `cause` objects, and the facts the
 * hub and its libraries put on errors on purpose (LOGGED_FIELDS).
 *
 * Everything else stays out: a KratosError's body may hold a whole flow with its CSRF token, an
 * HTTP client's error its request headers with the browser's cookies, an ioredis error the
 * arguments of the command. What is kept is text an error carries by construction, and that text
 * can quote a secret too (a Redis URL with its password in a connection error, a DSN, an
 * Authorization header echoed by a library): scrubSecrets takes those out.
 */

const LOGGED_FIELDS = ['code', 'errno', 'syscall', 'status', 'statusCode', 'errorId', 'detail', 'error', 'error_description', 'error_detail'];

/** Causes logged below an error; a deeper chain ends in a note (a cycle ends sooner). */
export const MAX_CAUSE_DEPTH = 5;

const SERIALIZED = Symbol('ssohub.serializedError');

type ErrorLike = { message: string; name?: unknown; stack?: unknown; cause?: unknown; errors?: unknown; constructor?: unknown };

function isErrorLike(value: unknown): value is ErrorLike {
  return typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string';
}

/**
 * The error as logged: `{type, message, stack, cause?, aggregateErrors?, …LOGGED_FIELDS}`, with
 * secrets scrubbed from every string. Anything that is not an error is logged as its scrubbed
 * text. Serializing what this returned returns it unchanged (pino runs the serializer on what a
 * caller already serialized).
 */
export function serializeError(err: unknown): unknown {
  if (typeof err === 'object' && err !== null && SERIALIZED in err) return err;
  if (!isErrorLike(err)) return { type: err === null ? 'null' : typeof err, message: scrubSecrets(String(err)) };
  return serializeOne(err, 0, new Set());
}

function serializeOne(err: ErrorLike, depth: number, seen: Set<unknown>): Record<string, unknown> {
  seen.add(err);
  const out: Record<string, unknown> = {
    type: typeOf(err),
    message: scrubSecrets(err.message),
  };
  Object.defineProperty(out, SERIALIZED, { value: true });
  if (typeof err.stack === 'string') out.stack = scrubSecrets(err.stack);
  for (const key of LOGGED_FIELDS) {
    const value = (err as Record<string, unknown>)[key];
    if (value !== undefined) out[key] = scrubValue(value);
  }
  if (Array.isArray(err.errors) && err.errors.length > 0) {
    out.aggregateErrors = err.errors.slice(0, MAX_CAUSE_DEPTH).map((e) => (isErrorLike(e) && !seen.has(e) && depth < MAX_CAUSE_DEPTH ? serializeOne(e, depth + 1, seen) : scrubValue(String(e))));
  }
  const cause = err.cause;
  if (cause !== undefined && cause !== null) {
    if (seen.has(cause)) out.cause = { type: 'Cycle', message: 'the cause chain loops back to an error above' };
    else if (depth >= MAX_CAUSE_DEPTH) out.cause = { type: 'Truncated', message: `causes deeper than ${MAX_CAUSE_DEPTH} are not logged` };
    else if (isErrorLike(cause)) out.cause = serializeOne(cause, depth + 1, seen);
    else out.cause = { type: typeof cause, message: scrubSecrets(String(cause)) };
  }
  return out;
}

function typeOf(err: ErrorLike): string {
  const ctor = err.constructor as { name?: unknown } | undefined;
  if (typeof ctor === 'function' && typeof ctor.name === 'string' && ctor.name !== 'Object') return ctor.name;
  return typeof err.name === 'string' ? err.name : 'Error';
}

/**
 * Strings scrubbed; numbers and booleans as they are; an object (a `detail`) key by key and a list
 * item by item, one level deep (what lies deeper is logged as `[object]`).
 */
function scrubValue(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return scrubScalar(value);
  if (Array.isArray(value)) return value.slice(0, 20).map(scrubScalar);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? '[redacted]' : Array.isArray(v) ? v.slice(0, 20).map(scrubScalar) : scrubScalar(v);
  return out;
}

function scrubScalar(value: unknown): unknown {
  if (typeof value === 'string') return scrubSecrets(value);
  return typeof value === 'object' && value !== null ? '[object]' : value;
}

const SECRET_KEY = /^(password|passwd|secret|client_secret|token|access_token|refresh_token|id_token|id_token_hint|logout_token|code|code_verifier|csrf_token|cookie|set-cookie|authorization)$/i;

const SCRUBS: [RegExp, string][] = [
  // The userinfo of any URL: redis://:password@host, postgres://user:password@host/db (DSNs).
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#"'<>]*@/gi, '$1[redacted]@'],
  // Authorization and cookie headers quoted by a library (`authorization: Bearer …`, JSON or not).
  [/\b((?:proxy-)?authorization|cookie|set-cookie)(["']?\s*[:=]\s*["']?)[^"'\n\r]*/gi, '$1$2[redacted]'],
  // Credentials wherever they stand alone.
  [/\b(Bearer|Basic|Digest)\s+[A-Za-z0-9\-._~+/]+=*/g, '$1 [redacted]'],
  // Secret query parameters (an authorization code, a token hint in a URL a library quotes).
  [/([?&](?:code|state|nonce|[a-z_]*token[a-z_]*|[a-z_]*secret|password|code_verifier)=)[^&\s"'#]*/gi, '$1[redacted]'],
  // Secret key=value and key: value pairs (libpq DSNs: `host=db password=…`, JSON quoted in a message).
  [
    /\b(password|passwd|pwd|secret|client_secret|token|access_token|refresh_token|id_token|id_token_hint|logout_token|code_verifier|csrf_token)(["']?\s*[=:]\s*["']?)(?!\[redacted\])[^\s&"',;)}]+/gi,
    '$1$2[redacted]',
  ],
];

/** The text with URL credentials, Authorization and cookie values, and secret parameters replaced by `[redacted]`. */
export function scrubSecrets(text: string): string {
  let out = text;
  for (const [pattern, replacement] of SCRUBS) out = out.replace(pattern, replacement);
  return out;
}
