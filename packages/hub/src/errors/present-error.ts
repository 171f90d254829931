import { hasMessage, type LocalizableText, t, text, translateText } from '../i18n/translate.ts';
import { isKratosOutage } from '../kratos/kratos-error.ts';
import { isStoreUnavailable } from '../storage/store-unavailable.ts';
import { isSchemaValidationError, validationMessage, validationPageMessage } from './schema-errors.ts';
import { type ErrorAction, SsoHubError, type SsoHubErrorCode } from './ssohub-error.ts';

/** What a user (or API caller) is allowed to learn about an error. */
export interface PresentedError {
  status: number;
  code: string;
  /** The page's title, in the request's language (only pages show it). */
  title: string;
  /** English: what logs, JSON and OAuth bodies carry. */
  message: string;
  /** The same message in the request's language, for the error page. */
  pageMessage: string;
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
      pageMessage: err.text ? translateText(err.text) : err.message,
      headers: err.headers ?? {},
      ...(err.actions ? { actions: err.actions } : {}),
    };
  }
  // A body, path or query parameter that fails its route's schema: the message names the field.
  if (isSchemaValidationError(err)) {
    return { status: 400, code: 'SSOHUB_ERR_BAD_REQUEST', title: titleOf(400), message: validationMessage(err), pageMessage: validationPageMessage(err), headers: {} };
  }
  const outage = clientAborted(err) ? undefined : outageOf(err);
  if (outage) {
    return { status: 503, code: outage, title: titleOf(503), ...said(text('errors.outage', { reference: requestId })), headers: {} };
  }
  const status = clientStatusOf(err) ?? (clientAborted(err) ? 400 : undefined);
  if (status !== undefined) {
    const message = status === 413 ? text('errors.too_large') : status === 415 ? text('errors.unsupported_type') : text('errors.malformed');
    return { status, code: 'SSOHUB_ERR_BAD_REQUEST', title: titleOf(status), ...said(message), headers: {} };
  }
  const s = err instanceof SsoHubError ? err.status : 500;
  return {
    status: s,
    code: err instanceof SsoHubError ? err.code : 'SSOHUB_ERR_INTERNAL',
    title: titleOf(s),
    ...said(text('errors.unexpected', { reference: requestId })),
    headers: {},
  };
}

/** A message in English (logs, APIs) and in the request's language (the page). */
function said(message: LocalizableText): { message: string; pageMessage: string } {
  return { message: message.english, pageMessage: translateText(message) };
}

/** Kratos first: its unreachable errors wrap the same socket codes a Redis outage carries. */
function outageOf(err: unknown): SsoHubErrorCode | undefined {
  if (isKratosOutage(err)) return 'SSOHUB_ERR_KRATOS_UNAVAILABLE';
  if (isStoreUnavailable(err)) return 'SSOHUB_ERR_STORE_UNAVAILABLE';
  return undefined;
}

/** The title of an error page, in the request's language: the status', else its class', else "Error". */
export function titleOf(status: number): string {
  for (const key of [`errors.title.${status}`, `errors.title.${Math.floor(status / 100) * 100}`]) if (hasMessage(key)) return t(key);
  return t('errors.title.other');
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
