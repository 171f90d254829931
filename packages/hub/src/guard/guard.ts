import type { SubmissionGuard } from '../proxy/submission-guard.ts';

export interface Lockout {
  key: string;
  identifier: string;
  ip: string | undefined;
  until: string;
  failures: number;
}

/** Guard throttles and locks out on the login domain, and lets admins see and clear lockouts. */
export interface Guard extends SubmissionGuard {
  listLockouts(): Promise<Lockout[]>;
  clearLockout(identifier: string): Promise<number>;
}
