import type { Submission } from './submission-guard.ts';

/** Before any password sign-in succeeded here: about what Kratos' default hasher costs. */
export const INITIAL_FLOOR_MS = 500;
/** A floor never holds an answer longer than this, whatever one slow sign-in took. */
export const FLOOR_CAP_MS = 3_000;
const WINDOW = 32;

export interface SignInTimeFloor {
  /** Notes how long Kratos took to accept a password sign-in (it checked a real hash). */
  succeeded(ms: number): void;
  /** How much longer a failed password sign-in that took `ms` must wait before its answer. */
  waitBeforeFailure(ms: number): number;
}

/**
 * Makes a failed password sign-in answer no sooner than a successful one does, so the time of a
 * "wrong email or password" answer no longer tells an unknown identifier (Kratos answers in
 * ~30 ms) from a known one with a wrong password (it checks the hash first: ~640 ms measured
 * here). Decision 0013 says why this and not more.
 *
 * The floor is the 90th percentile of the last 32 successful password sign-ins on this hub
 * instance, so it follows Kratos' hasher settings and the hardware without configuration. Only
 * successes count: failures are what an attacker can produce at will (with unknown identifiers,
 * all fast), and counting them would let the attacker lower the floor.
 */
export function createSignInTimeFloor({ initialMs = INITIAL_FLOOR_MS, capMs = FLOOR_CAP_MS }: { initialMs?: number; capMs?: number } = {}): SignInTimeFloor {
  const recent: number[] = [];
  let floor = initialMs;
  return {
    succeeded(ms) {
      recent.push(ms);
      if (recent.length > WINDOW) recent.shift();
      const sorted = [...recent].sort((a, b) => a - b);
      floor = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.9))] ?? initialMs;
    },
    waitBeforeFailure(ms) {
      return Math.max(0, Math.min(capMs, floor) - ms);
    },
  };
}

/** A password sign-in: the one submission whose answer time depends on whether the account exists. */
export function isPasswordSignIn(submission: Submission | undefined): boolean {
  return submission?.kind === 'login' && submission.fields.method === 'password';
}
