import { SsoHubError } from './ssohub-error.ts';

/** What a user (or API caller) is allowed to learn about an error. */
export interface PresentedError {
  status: number;
  code: string;
  title: string;
  message: string;
  headers: Record<string, string>;
}

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
 * code and message; anything else becomes a generic message carrying the request id, with the
 * cause left to the log.
 */
export function presentError(err: unknown, requestId: string): PresentedError {
  if (err instanceof SsoHubError && err.expose) {
    return {
      status: err.status,
      code: err.code,
      title: TITLES[err.status] ?? TITLES[Math.floor(err.status / 100) * 100] ?? 'Error',
      message: err.message,
      headers: err.headers ?? {},
    };
  }
  const status = clientStatusOf(err);
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

/** Fastify's own 4xx errors (bad JSON, body too large, wrong content type) are the client's fault. */
function clientStatusOf(err: unknown): number | undefined {
  const code = (err as { statusCode?: unknown })?.statusCode;
  return typeof code === 'number' && code >= 400 && code < 500 ? code : undefined;
}
