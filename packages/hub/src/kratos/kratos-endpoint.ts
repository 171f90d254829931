import { Pool } from 'undici';
import { KratosError, KratosUnavailableError } from './kratos-error.ts';
import { currentHubRequest } from '../request/hub-request.ts';
import { type ChildSpan, isTraced, SpanKind, startChildSpan } from '../tracing/hub-spans.ts';

/** What Kratos answered: its status, its JSON body (undefined when there was none or it was not JSON) and its headers. */
export interface KratosAnswer {
  status: number;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * How one call goes out: GET unless said otherwise; `signal` bounds a call more tightly than the
 * endpoint's timeouts. `json` is sent as the request body (the admin API's PATCH, a server-side
 * flow's POST), with its content type.
 */
export interface KratosCall {
  method?: 'GET' | 'DELETE' | 'PATCH' | 'POST';
  signal?: AbortSignal;
  json?: unknown;
}

/**
 * Told of every call once it is over: its operation (method and path pattern, ids replaced:
 * see kratosOperation), its outcome (Kratos' status class, or `unreachable`) and its seconds.
 */
export type KratosCallObserver = (operation: string, outcome: string, seconds: number) => void;

/**
 * KratosEndpoint is one Kratos API (public or admin): kept-alive undici connections to its origin
 * and the path it is served under. Every call the hub makes to Kratos goes through `send`, so
 * connection failures, timeouts and unreadable answers are told apart in one place.
 *
 * undici's Pool, not the global fetch nor the generated axios client: fetch builds a WHATWG
 * Request, Headers, an AbortSignal timer and a body stream on every call (about three times the
 * client CPU on the hot calls), and axios added a second HTTP stack with its own agent and error
 * shapes (docs/decisions/0005-fetch-for-hot-kratos-calls.md).
 */
export class KratosEndpoint {
  readonly #pool: Pool;
  readonly #base: string;
  readonly #host: string;
  /** The hub's metrics (metrics/hub-metrics.ts `kratos`), set once the hub has them. */
  observer?: KratosCallObserver;

  /** `timeoutMs` bounds connecting, waiting for the answer's headers, and each gap in its body. */
  constructor(url: string, timeoutMs: number) {
    const { origin, pathname, hostname } = new URL(url);
    this.#host = hostname;
    this.#pool = new Pool(origin, { connections: 64, connectTimeout: timeoutMs, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
    this.#base = pathname.replace(/\/+$/, '');
  }

  /**
   * One call of `path` (with its query) under the endpoint's base path. Kratos' own answers come
   * back whatever their status; connection failures, timeouts and an unreadable 200 throw
   * KratosUnavailableError.
   */
  async send(path: string, headers: Record<string, string>, call?: KratosCall): Promise<KratosAnswer> {
    const observer = this.observer;
    const traced = isTraced();
    if (!observer && !traced) return this.#send(path, headers, call);
    const method = call?.method ?? 'GET';
    const operation = kratosOperation(method, path);
    // A child of the request's span when the request is traced; its traceparent goes to Kratos,
    // whose own spans (tracing on in deploy/kratos) then join the hub's trace.
    const span = traced
      ? startChildSpan(`kratos ${operation}`, SpanKind.CLIENT, {
          'http.request.method': method,
          'url.template': operation.slice(method.length + 1),
          'server.address': this.#host,
          'peer.service': 'kratos',
        })
      : undefined;
    const started = performance.now();
    try {
      const answer = await this.#send(path, headers, call, span);
      span?.span.setAttribute('http.response.status_code', answer.status);
      span?.end(answer.status >= 500);
      observer?.(operation, `${Math.floor(answer.status / 100)}xx`, (performance.now() - started) / 1000);
      return answer;
    } catch (err) {
      span?.end(unreachableCode(err) ?? 'no answer');
      observer?.(operation, 'unreachable', (performance.now() - started) / 1000);
      throw err;
    }
  }

  async #send(path: string, headers: Record<string, string>, call?: KratosCall, span?: ChildSpan): Promise<KratosAnswer> {
    let res: Awaited<ReturnType<Pool['request']>>;
    const base = call?.json === undefined ? headers : { ...headers, 'content-type': 'application/json' };
    const sent = span ? { ...withRequestId(base), ...span.headers() } : withRequestId(base);
    const payload = call?.json === undefined ? undefined : JSON.stringify(call.json);
    try {
      res = await this.#pool.request({ method: call?.method ?? 'GET', path: this.#base + path, headers: sent, signal: call?.signal, ...(payload === undefined ? {} : { body: payload }) });
    } catch (err) {
      throw unreachable(err);
    }
    const status = res.statusCode;
    // No content (a revoked session, a completed logout): nothing to parse, and JSON.parse('') would throw.
    if (status === 204) {
      await res.body.dump();
      return { status, body: undefined, headers: res.headers };
    }
    let body: unknown;
    try {
      body = await res.body.json();
    } catch (err) {
      // An error answer without JSON (a proxy's 502 page) still carries its status; a 200 that
      // cannot be read is as good as no answer.
      if (status === 200) throw new KratosUnavailableError(`Kratos sent an unreadable answer: ${(err as Error).message}`, { cause: err });
    }
    return { status, body, headers: res.headers };
  }

  /** Closes the kept-alive connections once the calls in flight have their answers. */
  async close(): Promise<void> {
    await this.#pool.close();
  }
}

/**
 * A call as a metric label: `GET /admin/identities/:id/sessions`. The query goes, and so does any
 * path segment holding a digit (Kratos' ids are UUIDs), so the label set stays the hub's few
 * call sites whatever the ids.
 */
export function kratosOperation(method: string, path: string): string {
  const pattern = path
    .split('?')[0]!
    .split('/')
    .map((segment) => (/\d/.test(segment) ? ':id' : segment))
    .join('/');
  return `${method} ${pattern}`;
}

/**
 * kratosError is the one mapping of an answer the caller did not expect to an error: its status
 * and Kratos' error id (`self_service_flow_expired`, `session_aal2_required`…) from Kratos'
 * `{"error": {"id", "code", "reason"}}` shape. A 5xx counts as an outage (isKratosOutage).
 */
export function kratosError(answer: KratosAnswer): KratosError {
  const id = (answer.body as { error?: { id?: unknown } } | undefined)?.error?.id;
  return new KratosError(answer.status, typeof id === 'string' ? id : undefined, answer.body);
}

/** The Set-Cookie headers of an answer (a flow's CSRF cookie, the expired session cookie of a logout). */
export function setCookiesOf(answer: KratosAnswer): string[] {
  const header = answer.headers['set-cookie'];
  return Array.isArray(header) ? header : typeof header === 'string' ? [header] : [];
}

/**
 * A call that got no answer: refused or reset connections, undici's connect, headers and body
 * timeouts, a `signal` that fired, a closed endpoint. The message names the code an operator can
 * search for (ECONNREFUSED, UND_ERR_HEADERS_TIMEOUT…).
 */
function unreachable(err: unknown): KratosUnavailableError {
  const e = err as { code?: unknown; name?: unknown; message?: unknown };
  // DOMException (an AbortSignal.timeout firing) has a numeric legacy `code`: its name says more.
  const code = typeof e.code === 'string' ? e.code : e.name === 'TimeoutError' ? 'TimeoutError' : String(e.message);
  const failure = new KratosUnavailableError(`Kratos is unreachable: ${code}`, { cause: err });
  unreachableCodes.set(failure, code);
  return failure;
}

// Kept beside the error, not on it: KratosUnavailableError stays a message and a cause for every
// other caller, and a `code` property would reach the log as "[redacted]" (REDACT_PATHS has `*.code`).
const unreachableCodes = new WeakMap<KratosUnavailableError, string>();

/**
 * The code a call that got no answer failed with (ECONNREFUSED, UND_ERR_HEADERS_TIMEOUT,
 * TimeoutError…), as the doctor shows it; undefined for any other error, an answer that could
 * not be read included.
 */
export function unreachableCode(err: unknown): string | undefined {
  return err instanceof KratosUnavailableError ? unreachableCodes.get(err) : undefined;
}

/**
 * The call's headers with the id of the hub request it is made for, as `X-Request-Id`: Kratos
 * logs it with the request (http_request.headers), so its lines meet the hub's. Background calls
 * (no request) go without.
 */
function withRequestId(headers: Record<string, string>): Record<string, string> {
  const id = currentHubRequest()?.id;
  return id === undefined ? headers : { ...headers, 'x-request-id': id };
}
