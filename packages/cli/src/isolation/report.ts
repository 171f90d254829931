/**
 * The verdict of one check:
 * - `pass`: the check ran and the deployment behaved as it must;
 * - `fail`: the check ran and found a weakness (its severity says how bad);
 * - `inconclusive`: the check should apply but could not run or could not decide (a missing
 *   option, an unreachable host, a broken precondition); it says why and how to make it run, and
 *   is never shown as a failure;
 * - `skipped`: the check does not apply to this deployment (e.g. HSTS over http on a loopback
 *   host) or was turned off with `--skip`; it says why.
 */
export type Verdict = 'pass' | 'fail' | 'inconclusive' | 'skipped';

export const VERDICTS: readonly Verdict[] = ['pass', 'fail', 'inconclusive', 'skipped'];

/**
 * How bad a failure of a check is, from the worst down (documented in docs/security-model.md):
 * - `critical`: a session or token of one app can be taken or forged by anyone (e.g. an app's
 *   back-channel endpoint accepts unsigned logout tokens, a loose redirect URI match);
 * - `high`: isolation breaks with one more step an attacker can usually arrange (a code usable
 *   twice, a token accepted by the wrong app, a session cookie readable by another host);
 * - `medium`: a defence in depth is missing (no frame-ancestors, an open redirect, replay of a
 *   logout token);
 * - `low`: a weaker but accepted practice (client_secret_post, offline access for third parties);
 * - `info`: worth knowing, not a weakness by itself (a public client relying on PKCE alone).
 */
export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';

/** Severities from the worst down; the index is the rank (lower is worse). */
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

/** True when `severity` is at or above `threshold` (critical is above high, and so on). */
export function atOrAbove(severity: Severity, threshold: Severity): boolean {
  return SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(threshold);
}

/** One request and its answer, redacted: no cookie value, token, code or secret survives. */
export interface Evidence {
  request: string;
  answer: string;
}

/** A table a check found (the cookie map): shown in every format, in the JSON as is. */
export interface FindingTable {
  columns: string[];
  rows: string[][];
}

export interface CheckResult {
  /** Stable id, e.g. `hub.pkce.required`, used by tests and by reviewers to track findings. */
  id: string;
  target: string;
  title: string;
  verdict: Verdict;
  /** How bad a failure of this check is (the check's own severity unless this finding is milder or worse). */
  severity: Severity;
  /** What was observed, in one or two sentences; for `inconclusive` and `skipped`, why. */
  detail: string;
  /** For `inconclusive`: what to give or fix so the check can run. */
  howToRun?: string;
  /** Why this matters, for a reviewer who has not read the code. */
  why: string;
  /** The URLs the check probed, for SARIF locations and for a reviewer to retry by hand. */
  urls?: string[];
  /** What the check measured as a table, when a list says it better than evidence lines (the cookie map). */
  table?: FindingTable;
  /** How long the check took, in milliseconds (the live checks sign in and log out; a reviewer budgets the run). */
  durationMs?: number;
  evidence: Evidence[];
}

/** What the audit knew and was told when it ran: enough to reproduce the run and to judge its reach. */
export interface RunContext {
  /** The hub's version if the hub says (admin API `/admin/doctor`), else `unknown`. */
  hubVersion: string;
  /** The hub's mode (`production` or `development`) if the admin API says, else `unknown`. */
  hubMode: string;
  /**
   * How the probes ran: `http` (Node, following what a browser follows); `http+chromium` with
   * `--browser` (the live checks' sign-ins in headless Chromium, every other probe over http).
   */
  auditMode: 'http' | 'http+chromium';
  /** Whether the admin API and a test user were given (they unlock the registry and sign-in checks). */
  adminApi: boolean;
  testUser: boolean;
  /** The options of the run as given, with secrets replaced by `[redacted]`. */
  options: Record<string, string | string[]>;
  /** The worst severity that does not yet fail the run is the one below this; `none`: fails never change the exit status. */
  failOn: Severity | 'none';
  /** Every check that did not run to a pass or fail, with why. */
  notRun: { id: string; target: string; verdict: 'inconclusive' | 'skipped'; reason: string }[];
  /** False when the hub's discovery document could not be fetched at all (exit 5). */
  hubReachable: boolean;
}

/** What changed since a previous report (`--baseline`). */
export interface BaselineDiff {
  /** The baseline file and when its run started. */
  file: string;
  startedAt: string | undefined;
  /** Failing now, not failing (or absent) before. */
  newFails: ChangeLine[];
  /** Failing before, passing or absent now. */
  fixed: ChangeLine[];
  /** Every other verdict change (e.g. pass → inconclusive). */
  changed: ChangeLine[];
  /** Checks that exist now and did not before (other than new fails), and the reverse. */
  added: ChangeLine[];
  removed: ChangeLine[];
}

export interface ChangeLine {
  id: string;
  target: string;
  from: Verdict | 'absent';
  to: Verdict | 'absent';
  severity: Severity;
}

export interface IsolationReport {
  tool: string;
  hub: string;
  startedAt: string;
  finishedAt: string;
  context: RunContext;
  checks: CheckResult[];
  summary: Record<Verdict, number>;
  /** Failures per severity (only `fail` verdicts count). */
  failsBySeverity: Record<Severity, number>;
  baseline?: BaselineDiff;
}

export function summarize(checks: CheckResult[]): Record<Verdict, number> {
  const summary: Record<Verdict, number> = { pass: 0, fail: 0, inconclusive: 0, skipped: 0 };
  for (const c of checks) summary[c.verdict]++;
  return summary;
}

export function failsBySeverity(checks: CheckResult[]): Record<Severity, number> {
  const out: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const c of checks) if (c.verdict === 'fail') out[c.severity]++;
  return out;
}

/**
 * True when a check failed at or above `failOn` (default `low`: info findings never fail a run).
 * Inconclusive and skipped checks never count as failures.
 */
export function reportFailed(report: Pick<IsolationReport, 'checks'>, failOn: Severity | 'none' = 'low'): boolean {
  if (failOn === 'none') return false;
  return report.checks.some((c) => c.verdict === 'fail' && atOrAbove(c.severity, failOn));
}
