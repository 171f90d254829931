export type { AppTarget, AuditTarget } from './audit-context.ts';
export { renderHtml, renderJson, renderMarkdown } from './render-report.ts';
export { type CheckResult, type IsolationReport, reportFailed, type Verdict } from './report.ts';
export { runIsolationAudit } from './run-isolation-audit.ts';
