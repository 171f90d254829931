import { baselineState } from './baseline.ts';
import { checkInfo } from './check-catalogue.ts';
import { redactUrl } from './redact.ts';
import type { CheckResult, IsolationReport, Severity } from './report.ts';

/** SARIF levels of a failure by severity: critical and high are errors, medium a warning, low and info notes. */
const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' };

/** GitHub code scanning's numeric `security-severity` (CVSS-like bands); info findings carry none. */
const SECURITY_SEVERITY: Record<Severity, string | undefined> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: undefined };

/**
 * The report as one SARIF 2.1.0 run for CI: `tool.driver.rules` are the checks that ran (their
 * severity as the default level, why as the description, the fix as help); `results` are the
 * failures (kind `fail`, level by severity) and the inconclusive checks (kind `open`, level
 * `none`: the tool could not decide). Passes and skips are not results; the run's properties
 * carry the run context and every check that did not run. Locations are the probed URLs, or a
 * logical location (e.g. `client shop`) where a check judged no URL.
 */
export function renderSarif(report: IsolationReport): string {
  const ruleIds = [...new Set(report.checks.map((c) => c.id))];
  const firstOf = (id: string) => report.checks.find((c) => c.id === id)!;
  const rules = ruleIds.map((id) => {
    const c = firstOf(id);
    const info = checkInfo(id);
    const securitySeverity = SECURITY_SEVERITY[info.severity];
    return {
      id,
      shortDescription: { text: c.title },
      fullDescription: { text: c.why },
      help: { text: info.help || c.why },
      defaultConfiguration: { level: LEVEL[info.severity] },
      properties: { severity: info.severity, tags: ['security', 'session-isolation'], ...(securitySeverity ? { 'security-severity': securitySeverity } : {}) },
    };
  });
  const results = report.checks
    .filter((c) => c.verdict === 'fail' || c.verdict === 'inconclusive')
    .map((c) => {
      const fail = c.verdict === 'fail';
      return {
        ruleId: c.id,
        ruleIndex: ruleIds.indexOf(c.id),
        kind: fail ? 'fail' : 'open',
        level: fail ? LEVEL[c.severity] : 'none',
        message: { text: fail ? `${c.title}: ${c.detail}` : `Inconclusive, ${c.title.charAt(0).toLowerCase()}${c.title.slice(1)}: ${c.detail}${c.howToRun ? ` To run it: ${c.howToRun}` : ''}` },
        locations: [location(c)],
        partialFingerprints: { 'ssohubCheck/v1': `${c.id}|${c.target}` },
        ...(report.baseline ? { baselineState: baselineState(c, report.baseline) } : {}),
        properties: {
          target: c.target,
          verdict: c.verdict,
          severity: c.severity,
          ...(c.howToRun ? { howToRun: c.howToRun } : {}),
          evidence: c.evidence,
          ...(c.table ? { table: c.table } : {}),
        },
      };
    });
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'ssohub audit isolation', rules } },
        invocations: [{ executionSuccessful: true, startTimeUtc: report.startedAt, endTimeUtc: report.finishedAt }],
        results,
        properties: { hub: report.hub, context: report.context, summary: report.summary, failsBySeverity: report.failsBySeverity, ...(report.baseline ? { baseline: report.baseline } : {}) },
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}

function location(c: CheckResult): Record<string, unknown> {
  const url = c.urls?.[0] ?? /\bhttps?:\/\/[^\s)]+/.exec(c.target)?.[0];
  if (url) return { physicalLocation: { artifactLocation: { uri: redactUrl(url) } }, logicalLocations: [{ name: c.target, kind: 'resource' }] };
  return { logicalLocations: [{ name: c.target, kind: 'resource' }] };
}
