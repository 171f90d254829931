import type { BaselineDiff, ChangeLine, CheckResult, IsolationReport, Severity, Verdict } from './report.ts';
import { SEVERITIES, VERDICTS } from './report.ts';

/** What a baseline must hold to be compared: a JSON report of this command (any earlier version). */
export interface BaselineReport {
  startedAt?: string;
  checks: { id: string; target: string; verdict: string; severity?: string }[];
}

/** Earlier reports said `warn` (a weakness) and `skip` (could not run); they compare as `fail` and `inconclusive`. */
function normalize(verdict: string): Verdict {
  if (verdict === 'warn') return 'fail';
  if (verdict === 'skip') return 'inconclusive';
  return (VERDICTS as string[]).includes(verdict) ? (verdict as Verdict) : 'inconclusive';
}

const key = (c: { id: string; target: string }) => `${c.id}\u0000${c.target}`;

/** Parses a baseline file's text; throws an Error naming the problem (the CLI turns it into a usage error). */
export function parseBaseline(text: string): BaselineReport {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error('is not JSON (write one with --format json)');
  }
  const checks = (json as { checks?: unknown }).checks;
  if (!Array.isArray(checks) || !checks.every((c) => typeof c?.id === 'string' && typeof c?.target === 'string' && typeof c?.verdict === 'string')) {
    throw new Error('is not a report of ssohub audit isolation --format json (no checks with id, target and verdict)');
  }
  return json as BaselineReport;
}

/**
 * Compares a report with a baseline, check by check (id and target): new failures, fixed ones,
 * every other verdict change, and checks that appeared or disappeared.
 */
export function compareWithBaseline(report: Pick<IsolationReport, 'checks'>, baseline: BaselineReport, file: string): BaselineDiff {
  const before = new Map(baseline.checks.map((c) => [key(c), c]));
  const now = new Map(report.checks.map((c) => [key(c), c]));
  const diff: BaselineDiff = { file, startedAt: baseline.startedAt, newFails: [], fixed: [], changed: [], added: [], removed: [] };
  for (const c of report.checks) {
    const old = before.get(key(c));
    const from: Verdict | 'absent' = old ? normalize(old.verdict) : 'absent';
    const line: ChangeLine = { id: c.id, target: c.target, from, to: c.verdict, severity: c.severity };
    if (c.verdict === 'fail' && from !== 'fail') diff.newFails.push(line);
    else if (from === 'fail' && c.verdict === 'pass') diff.fixed.push(line);
    else if (from === 'absent') diff.added.push(line);
    else if (from !== c.verdict) diff.changed.push(line);
  }
  for (const old of baseline.checks) {
    if (now.has(key(old))) continue;
    const from = normalize(old.verdict);
    const severity = (SEVERITIES as string[]).includes(old.severity ?? '') ? (old.severity as Severity) : 'medium';
    const line: ChangeLine = { id: old.id, target: old.target, from, to: 'absent', severity };
    // Gone is not fixed: a check that no longer runs (an app left out, a --skip) proves nothing.
    diff.removed.push(line);
  }
  return diff;
}

/** The SARIF baselineState of one result against the baseline. */
export function baselineState(check: CheckResult, diff: BaselineDiff): 'new' | 'unchanged' | 'updated' {
  const k = key(check);
  if (diff.newFails.some((l) => key(l) === k && l.from === 'absent') || diff.added.some((l) => key(l) === k)) return 'new';
  if (diff.newFails.some((l) => key(l) === k) || diff.changed.some((l) => key(l) === k)) return 'updated';
  return 'unchanged';
}
