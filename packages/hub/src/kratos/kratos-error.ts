/**
 * KratosError carries a non-2xx answer from Kratos: its status, its error id (e.g.
 * `self_service_flow_expired`, `security_csrf_violation`, `session_inactive`) and the body,
 * which for browser flows submitted as JSON is the updated flow itself.
 */
export class KratosError extends Error {
  override name = 'KratosError';
  readonly status: number;
  readonly errorId: string | undefined;
  readonly body: unknown;
  constructor(status: number, errorId: string | undefined, body: unknown, options?: { cause?: unknown }) {
    super(`Kratos answered ${status}${errorId ? ` (${errorId})` : ''}`, options);
    this.status = status;
    this.errorId = errorId;
    this.body = body;
  }
}

/** KratosUnavailableError means Kratos could not be reached at all (connection refused, timeout). */
export class KratosUnavailableError extends Error {
  override name = 'KratosUnavailableError';
}

/**
 * True when `err`, or an error it wraps through `cause`, says Kratos cannot serve requests right
 * now: it could not be reached, or it answered 5xx (its database is down, it is restarting). The
 * error path answers those with the 503 page and Retry-After, never with Kratos' own text.
 */
export function isKratosOutage(err: unknown): boolean {
  // Wrappers nest a few levels at most; the bound keeps a cyclic `cause` from looping.
  for (let e = err, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof KratosUnavailableError) return true;
    if (e instanceof KratosError && e.status >= 500) return true;
  }
  return false;
}
