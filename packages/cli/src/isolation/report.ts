/** The verdict of one check. `warn` is a weakness that is not a hard failure; `skip` means the check could not run (and says why). */
export type Verdict = 'pass' | 'fail' | 'warn' | 'skip';

/** One request and its answer, redacted: no cookie value, token, code or secret survives. */
export interface Evidence {
  request: string;
  answer: string;
}

export interface CheckResult {
  /** Stable id, e.g. `hub.pkce.required`, used by tests and by reviewers to track findings. */
  id: string;
  target: string;
  title: string;
  verdict: Verdict;
  /** What was observed, in one or two sentences. */
  detail: string;
  /** Why this matters, for a reviewer who has not read the code. */
  why: string;
  evidence: Evidence[];
}

export interface IsolationReport {
  tool: string;
  hub: string;
  startedAt: string;
  finishedAt: string;
  checks: CheckResult[];
  summary: Record<Verdict, number>;
}

export function summarize(checks: CheckResult[]): Record<Verdict, number> {
  const summary: Record<Verdict, number> = { pass: 0, fail: 0, warn: 0, skip: 0 };
  for (const c of checks) summary[c.verdict]++;
  return summary;
}

/** A report fails when any check failed; warnings and skips do not change the exit code. */
export function reportFailed(report: IsolationReport): boolean {
  return report.summary.fail > 0;
}
