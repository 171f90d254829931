import { isKratosOutage } from '../kratos/kratos-error.ts';
import { isStoreUnavailable } from '../storage/store-unavailable.ts';
import { isSchemaValidationError, validationMessage } from './schema-errors.ts';
import { type ErrorAction, SsoHubError, type SsoHubErrorCode } from './ssohub-error.ts';

/** What a user (or API caller) is allowed to learn about an error. */
export interface PresentedError {
  status: number;
  code: string;
  title: string;
  message: string;
  headers: Record<string, string>;
  /** The links the error page offers; absent: the page's default. */
  actions?: ErrorAction[];
  /** The same error as OAuth endpoints answer it (RFC 6749 5.2: `error` is a string code). */
  oauth: { error: string; error_description: string };
}

/**
 * Seconds a client is told to wait (Retry-After) when the store or Kratos is unavailable: long
 * enough for a Sentinel failover or a Kratos restart, short enough that a user retrying by hand
 * does not wait for nothing.
 */
export const OUTAGE_RETRY_AFTER_SECONDS = 5;

const TITLES: Record<number, string> = {
  400: 'That request could not be processed',
  401: 'Please sign in',
  403: 'Not allowed',
  404: 'Not found',
  409: 'Conflict',
  410: 'This page has expired',
  413: 'Request too large',
  415: 'Unsupported request',
  429: 'Too many attempts',
  500: 'Something went wrong',
  502: 'The sign-in service is unavailable',
  503: 'The sign-in service is unavailable',
};

/**
 * The one place that decides what leaves the process for an error: exposed errors keep their
 * code and message; an outage of the store or of Kratos (wherever it surfaced: the provider, an
 * interaction, a flow page, the proxy) is a 503 with Retry-After; anything else becomes a
 * generic message carrying the request id. Causes, details and upstream text go to the log only.
 */
export function presentError(err: unknown, requestId: string): PresentedError {
  const shown = decide(err, requestId);
  if (shown.status === 503 && !Object.keys(shown.headers).some((h) => h.toLowerCase() === 'retry-after')) {
    shown.headers = { ...shown.headers, 'retry-after': String(OUTAGE_RETRY_AFTER_SECONDS) };
  }
  return { ...shown, oauth: { error: oauthErrorCode(shown.status), error_description: shown.message } };
}

function decide(err: unknown, requestId: string): Omit<PresentedError, 'oauth'> {
  if (err instanceof SsoHubError && err.expose) {
    return {
      status: err.status,
      code: err.code,
      title: titleOf(err.status),
      message: err.message,
      headers: err.headers ?? {},
      ...(err.actions ? { actions: err.actions } : {}),
    };
  }
  // A body, path or query parameter that fails its route's schema: the message names the field.
  if (isSchemaValidationError(err)) {
    return { status: 400, code: 'SSOHUB_ERR_BAD_REQUEST', title: TITLES[400]!, message: validationMessage(err), headers: {} };
  }
  const outage = clientAborted(err) ? undefined : outageOf(err);
  if (outage) {
    return {
      status: 503,
      code: outage,
      title: TITLES[503]!,
      message: `The sign-in service is temporarily unavailable. Please try again in a moment. If it persists, contact support and quote reference ${requestId}.`,
      headers: {},
    };
  }
  const status = clientStatusOf(err) ?? (clientAborted(err) ? 400 : undefined);
  if (status !== undefined) {
    return {
      status,
      code: 'SSOHUB_ERR_BAD_REQUEST',
      title: TITLES[status] ?? TITLES[400]!,
      message: status === 413 ? 'The request body is too large.' : status === 415 ? 'This content type is not accepted here.' : 'The request was malformed.',
      headers: {},
    };
  }
  const s = err instanceof SsoHubError ? err.status : 500;
  return {
    status: s,
    code: err instanceof SsoHubError ? err.code : 'SSOHUB_ERR_INTERNAL',
    title: TITLES[s] ?? TITLES[500]!,
    message: `An unexpected error occurred. If it persists, contact support and quote reference ${requestId}.`,
    headers: {},
  };
}

/** Kratos first: its unreachable errors wrap the same socket codes a Redis outage carries. */
function outageOf(err: unknown): SsoHubErrorCode | undefined {
  if (isKratosOutage(err)) return 'SSOHUB_ERR_KRATOS_UNAVAILABLE';
  if (isStoreUnavailable(err)) return 'SSOHUB_ERR_STORE_UNAVAILABLE';
  return undefined;
}

function titleOf(status: number): string {
  return TITLES[status] ?? TITLES[Math.floor(status / 100) * 100] ?? 'Error';
}

/**
 * The OAuth error code for a status. `temporarily_unavailable` (RFC 6749 4.1.2.1, registered for
 * every endpoint by common practice) tells a client to retry after Retry-After; the token
 * endpoint's throttling (429) is the same advice.
 */
function oauthErrorCode(status: number): string {
  if (status === 503 || status === 429) return 'temporarily_unavailable';
  if (status >= 500) return 'server_error';
  if (status === 401) return 'invalid_client';
  return 'invalid_request';
}

/**
 * Node's error for a request body cut short by its client closing the connection: it carries the
 * ECONNRESET a dead Redis connection also carries, but it is the client's doing (a 400, as Fastify
 * marks it when it was reading the body; oidc-provider reads its own), not a store outage.
 */
function clientAborted(err: unknown): boolean {
  return err instanceof Error && err.message === 'aborted' && (err as { code?: unknown }).code === 'ECONNRESET';
}

/** Fastify's own 4xx errors (bad JSON, body too large, wrong content type) are the client's fault. */
function clientStatusOf(err: unknown): number | undefined {
  const code = (err as { statusCode?: unknown })?.statusCode;
  return typeof code === 'number' && code >= 400 && code < 500 ? code : undefined;
}
