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
