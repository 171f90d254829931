export type { AppTarget, AuditTarget } from './audit-context.ts';
export { type BaselineReport, compareWithBaseline, parseBaseline } from './baseline.ts';
export { CHECKS, type CheckInfo } from './check-catalogue.ts';
export { renderHtml, renderJson, renderMarkdown, renderText } from './render-report.ts';
export { renderSarif } from './render-sarif.ts';
export { type BaselineDiff, type CheckResult, type IsolationReport, reportFailed, type RunContext, SEVERITIES, type Severity, type Verdict } from './report.ts';
export { runIsolationAudit } from './run-isolation-audit.ts';
