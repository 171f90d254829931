/**
 * Exit codes of `ssohub`, documented in docs/cli.md. Scripts may rely on them.
 */
export const EXIT = {
  /** Done; for doctor: no check failed. */
  OK: 0,
  /** doctor: at least one check failed (or warned, with --strict); other commands: the hub failed unexpectedly. */
  CHECK_FAILED: 1,
  /** Bad arguments, or the hub refused the input as invalid (HTTP 400). */
  USAGE: 2,
  /** The client, user, session or lockout does not exist (HTTP 404). */
  NOT_FOUND: 3,
  /** No admin token, or the hub refused it (HTTP 401/403). */
  AUTH: 4,
  /** The admin API did not answer (wrong --admin-url, hub down, timeout). */
  UNREACHABLE: 5,
  /** The change conflicts with the current state, e.g. the client id exists or comes from configuration (HTTP 409). */
  CONFLICT: 6,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
