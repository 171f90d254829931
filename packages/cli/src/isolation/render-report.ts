import type { CheckResult, IsolationReport, Verdict } from './report.ts';

const MARK: Record<Verdict, string> = { pass: 'PASS', fail: 'FAIL', warn: 'WARN', skip: 'SKIP' };

export function renderJson(report: IsolationReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** Markdown for pull requests and tickets: a summary table, then every check with its evidence. */
export function renderMarkdown(report: IsolationReport): string {
  const lines = [
    `# Session-isolation audit of ${report.hub}`,
    '',
    `${report.tool}, ${report.startedAt} to ${report.finishedAt}.`,
    '',
    `**${report.summary.pass} passed, ${report.summary.fail} failed, ${report.summary.warn} warnings, ${report.summary.skip} skipped.**`,
    '',
    '| verdict | check | target | finding |',
    '|---|---|---|---|',
    ...report.checks.map((c) => `| ${MARK[c.verdict]} | \`${c.id}\` ${cell(c.title)} | ${cell(c.target)} | ${cell(c.detail)} |`),
    '',
  ];
  for (const c of report.checks) {
    lines.push(`## ${MARK[c.verdict]} ${c.title}`, '', `\`${c.id}\` on ${c.target}`, '', c.detail, '', `*Why it matters:* ${c.why}`, '');
    for (const e of c.evidence) lines.push('```http', e.request, '', e.answer, '```', '');
  }
  return lines.join('\n');
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function esc(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

/** A self-contained HTML page (no external assets, no script) a reviewer can attach to an audit. */
export function renderHtml(report: IsolationReport): string {
  const rows = groups(report.checks)
    .map(([name, checks]) => `<section><h2>${esc(name)} <span class="muted">${checks.filter((c) => c.verdict === 'pass').length}/${checks.length} passed</span></h2>\n${checks.map((c) => checkHtml(c)).join('\n')}</section>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Session-isolation audit · ${esc(report.hub)}</title>
<style>
:root{--ink:#1b2333;--muted:#5b6579;--line:#d8deea;--pass:#067647;--fail:#b42318;--warn:#b54708;--skip:#5b6579}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);margin:0;background:#f4f6fb}
header{background:#fff;border-bottom:1px solid var(--line);padding:20px 28px}
h1{font-size:1.35rem;margin:0 0 4px} .muted{color:var(--muted)}
.summary{display:flex;gap:12px;margin-top:12px;flex-wrap:wrap}
.pill{padding:4px 10px;border-radius:999px;font-weight:600;font-size:.9rem;background:#eef1f7}
.pill.pass{color:var(--pass)} .pill.fail{color:var(--fail)} .pill.warn{color:var(--warn)} .pill.skip{color:var(--skip)}
main{padding:20px 28px;max-width:1100px}
details{background:#fff;border:1px solid var(--line);border-radius:10px;margin:0 0 10px;padding:10px 14px}
summary{cursor:pointer;display:flex;gap:12px;align-items:baseline;list-style:none}
.v{font-weight:700;min-width:3.2em} .v.pass{color:var(--pass)} .v.fail{color:var(--fail)} .v.warn{color:var(--warn)} .v.skip{color:var(--skip)}
code{font-family:ui-monospace,Menlo,monospace;font-size:.85em}
pre{background:#0f1420;color:#e8ecf5;padding:10px;border-radius:8px;overflow:auto;font-size:.8rem;white-space:pre-wrap;word-break:break-all}
.target{color:var(--muted);font-size:.85rem;margin-left:auto;white-space:nowrap}
.t{flex:1;min-width:0} .d{display:block;color:var(--muted);font-size:.85rem;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
h2{font-size:1.05rem;margin:22px 0 10px} h2 .muted{font-weight:400;font-size:.9rem}
details[open] .d{white-space:normal}
</style></head>
<body><header><h1>Session-isolation audit</h1>
<div class="muted">${esc(report.hub)} · ${esc(report.tool)} · ${esc(report.startedAt)}</div>
<div class="summary"><span class="pill pass">${report.summary.pass} passed</span><span class="pill fail">${report.summary.fail} failed</span><span class="pill warn">${report.summary.warn} warnings</span><span class="pill skip">${report.summary.skip} skipped</span></div>
</header><main>
${rows}
</main></body></html>
`;
}

function checkHtml(c: CheckResult): string {
  const evidence = c.evidence.map((e) => `<pre>${esc(e.request)}\n\n${esc(e.answer)}</pre>`).join('');
  return `<details${c.verdict === 'fail' ? ' open' : ''} data-check="${esc(c.id)}" data-verdict="${c.verdict}">
<summary><span class="v ${c.verdict}">${MARK[c.verdict]}</span><span class="t">${esc(c.title)} <code>${esc(c.id)}</code><span class="d">${esc(c.detail)}</span></span><span class="target">${esc(shortTarget(c.target))}</span></summary><p class="muted"><strong>Why it matters:</strong> ${esc(c.why)}</p>${evidence}
</details>`;
}

/** Sections of the report: the hub, the client registry, then each client app. */
function groups(checks: CheckResult[]): [string, CheckResult[]][] {
  const out = new Map<string, CheckResult[]>();
  for (const c of checks) {
    const name = c.id.startsWith('app.') ? `Client app ${c.target.replace(/^app /, '')}` : c.id.startsWith('client.') || c.id.startsWith('registry.') ? 'Client registry' : 'Hub';
    out.set(name, [...(out.get(name) ?? []), c]);
  }
  return [...out];
}

function shortTarget(target: string): string {
  return target.replace(/^app (\S+).*$/, '$1').replace(/ \(client [^)]+\)$/, '');
}
