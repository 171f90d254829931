/** The outcome of one readiness check. */
export interface CheckResult {
  ok: boolean;
  error?: string;
}

/**
 * Runs a dependency check that may never settle (a frozen Redis keeps a PING pending for as long
 * as it is stopped) and answers `{ ok: false, error: '<name> did not answer within <ms> ms' }`
 * once `ms` pass. The check itself is not cancelled: its own timeout, if any, ends it later.
 */
export async function withDeadline(name: string, ms: number, check: () => Promise<CheckResult>): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, error: `${name} did not answer within ${ms} ms` }), ms);
  });
  try {
    return await Promise.race([check().catch((err: Error) => ({ ok: false, error: `${name}: ${err.message}` })), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
