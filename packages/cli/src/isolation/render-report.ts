import type { BaselineDiff, ChangeLine, CheckResult, FindingTable, IsolationReport, Verdict } from './report.ts';

const MARK: Record<Verdict, string> = { pass: 'PASS', fail: 'FAIL', inconclusive: 'INCONCLUSIVE', skipped: 'SKIPPED' };

/** The mark of one check: failures carry their severity (`FAIL high`), nothing else has one to show. */
export function mark(c: Pick<CheckResult, 'verdict' | 'severity'>): string {
  return c.verdict === 'fail' ? `FAIL ${c.severity}` : MARK[c.verdict];
}

export function renderJson(report: IsolationReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** One line of totals, the same in every format. */
export function summaryLine(report: IsolationReport): string {
  const s = report.summary;
  const bySeverity = Object.entries(report.failsBySeverity)
    .filter(([, n]) => n > 0)
    .map(([sev, n]) => `${n} ${sev}`)
    .join(', ');
  return `${s.pass} passed, ${s.fail} failed${bySeverity ? ` (${bySeverity})` : ''}, ${s.inconclusive} inconclusive, ${s.skipped} skipped`;
}

/** The run context as `key: value` lines. */
function contextLines(report: IsolationReport): [string, string][] {
  const c = report.context;
  const options = Object.entries(c.options).map(([k, v]) => `${k} ${Array.isArray(v) ? v.join(' ') : v}`.trim());
  return [
    ['hub', report.hub],
    ['hub version', c.hubVersion],
    ['hub mode', c.hubMode],
    ['audit mode', `${c.auditMode === 'http+chromium' ? 'http probes, the live sign-ins in Chromium' : `${c.auditMode} probes`}; admin API ${c.adminApi ? 'given' : 'not given'}; test user ${c.testUser ? 'given' : 'not given'}`],
    ['options', options.length ? options.join('; ') : '(none)'],
    ['fails the run', c.failOn === 'none' ? 'never (--fail-on none)' : `a failure of severity ${c.failOn} or above`],
    ['ran', `${report.startedAt} to ${report.finishedAt}`],
  ];
}

function diffLines(d: BaselineDiff): string[] {
  const line = (l: ChangeLine) => `${l.id} on ${l.target}: ${l.from} → ${l.to}${l.to === 'fail' || l.from === 'fail' ? ` (${l.severity})` : ''}`;
  const group = (title: string, lines: ChangeLine[]) => (lines.length ? [`${title} (${lines.length}):`, ...lines.map((l) => `  ${line(l)}`)] : []);
  const all = [...group('New failures', d.newFails), ...group('Fixed', d.fixed), ...group('Verdict changes', d.changed), ...group('New checks', d.added), ...group('No longer checked', d.removed)];
  return all.length ? all : ['No change.'];
}

/** Plain text for a terminal: totals, the run context, then every check that is not a pass, with why and how to make it run. */
export function renderText(report: IsolationReport): string {
  const lines = [`Session-isolation audit of ${report.hub}`, summaryLine(report), ''];
  for (const [k, v] of contextLines(report)) lines.push(`${`${k}:`.padEnd(15)}${v}`);
  if (report.baseline) lines.push('', `Since the baseline ${report.baseline.file}${report.baseline.startedAt ? ` (${report.baseline.startedAt})` : ''}:`, ...diffLines(report.baseline).map((l) => `  ${l}`));
  const order: Verdict[] = ['fail', 'inconclusive', 'skipped', 'pass'];
  for (const verdict of order) {
    const checks = report.checks.filter((c) => c.verdict === verdict);
    if (!checks.length) continue;
    lines.push('', `${MARK[verdict]} (${checks.length})`);
    for (const c of checks) {
      lines.push(`  ${mark(c).padEnd(13)} ${c.id}  ${c.target}${took(c)}`);
      if (verdict !== 'pass') {
        lines.push(`                ${c.detail}`);
        if (c.howToRun) lines.push(`                to run it: ${c.howToRun}`);
      }
      if (c.table) lines.push(...textTable(c.table).map((l) => `                ${l}`));
    }
  }
  return `${lines.join('\n')}\n`;
}

/** How long a check took, where that is worth a reviewer's attention (the live checks sign in and log out). */
function took(c: CheckResult): string {
  return c.durationMs !== undefined && c.durationMs >= 1000 ? ` (${(c.durationMs / 1000).toFixed(1)} s)` : '';
}

/** A table as aligned columns for a terminal. */
export function textTable(table: FindingTable): string[] {
  const widths = table.columns.map((col, i) => Math.max(col.length, ...table.rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(table.columns), line(widths.map((w) => '-'.repeat(w))), ...table.rows.map(line)];
}

/** Markdown for pull requests and tickets: totals, run context, a summary table, then every check with its evidence. */
export function renderMarkdown(report: IsolationReport): string {
  const lines = [
    `# Session-isolation audit of ${report.hub}`,
    '',
    `${report.tool}, ${report.startedAt} to ${report.finishedAt}.`,
    '',
    `**${summaryLine(report)}.**`,
    '',
    '| run context | |',
    '|---|---|',
    ...contextLines(report).map(([k, v]) => `| ${k} | ${cell(v)} |`),
    '',
  ];
  if (report.baseline) lines.push(`## Since the baseline ${report.baseline.file}`, '', ...diffLines(report.baseline).map((l) => (l.startsWith('  ') ? `- ${l.trim()}` : l)), '');
  lines.push('| verdict | check | target | finding |', '|---|---|---|---|', ...report.checks.map((c) => `| ${mark(c)} | \`${c.id}\` ${cell(c.title)} | ${cell(c.target)} | ${cell(c.detail)} |`), '');
  for (const c of report.checks) {
    lines.push(`## ${mark(c)} ${c.title}`, '', `\`${c.id}\` on ${c.target}`, '', c.detail, '');
    if (c.howToRun) lines.push(`*To run it:* ${c.howToRun}`, '');
    if (c.table) lines.push(`| ${c.table.columns.map(cell).join(' | ')} |`, `|${c.table.columns.map(() => '---').join('|')}|`, ...c.table.rows.map((r) => `| ${r.map(cell).join(' | ')} |`), '');
    if (c.durationMs !== undefined) lines.push(`*Took* ${(c.durationMs / 1000).toFixed(1)} s.`, '');
    lines.push(`*Why it matters:* ${c.why}`, '');
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
:root{--ink:#1b2333;--muted:#5b6579;--line:#d8deea;--pass:#067647;--fail:#b42318;--inconclusive:#b54708;--skipped:#5b6579}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);margin:0;background:#f4f6fb}
header{background:#fff;border-bottom:1px solid var(--line);padding:20px 28px}
h1{font-size:1.35rem;margin:0 0 4px} .muted{color:var(--muted)}
.summary{display:flex;gap:12px;margin-top:12px;flex-wrap:wrap}
.pill{padding:4px 10px;border-radius:999px;font-weight:600;font-size:.9rem;background:#eef1f7}
.pill.pass{color:var(--pass)} .pill.fail{color:var(--fail)} .pill.inconclusive{color:var(--inconclusive)} .pill.skipped{color:var(--skipped)}
table.ctx{border-collapse:collapse;margin-top:12px;font-size:.85rem} table.ctx th{text-align:left;color:var(--muted);font-weight:500;padding:1px 12px 1px 0;vertical-align:top} table.ctx td{padding:1px 0}
.diff{background:#fff;border:1px solid var(--line);border-radius:10px;padding:10px 14px;margin:0 0 10px;white-space:pre-wrap;font-size:.85rem}
main{padding:20px 28px;max-width:1100px}
details{background:#fff;border:1px solid var(--line);border-radius:10px;margin:0 0 10px;padding:10px 14px}
summary{cursor:pointer;display:flex;gap:12px;align-items:baseline;list-style:none}
.v{font-weight:700;min-width:5.6em;font-size:.8rem} .v.pass{color:var(--pass)} .v.fail{color:var(--fail)} .v.inconclusive{color:var(--inconclusive)} .v.skipped{color:var(--skipped)}
.how{margin:6px 0}
table.map{border-collapse:collapse;margin:8px 0;font-size:.8rem;display:block;overflow-x:auto} table.map th,table.map td{border-bottom:1px solid var(--line);padding:2px 8px 2px 0;text-align:left;white-space:nowrap}
code{font-family:ui-monospace,Menlo,monospace;font-size:.85em}
pre{background:#0f1420;color:#e8ecf5;padding:10px;border-radius:8px;overflow:auto;font-size:.8rem;white-space:pre-wrap;word-break:break-all}
.target{color:var(--muted);font-size:.85rem;margin-left:auto;white-space:nowrap}
.t{flex:1;min-width:0} .d{display:block;color:var(--muted);font-size:.85rem;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
h2{font-size:1.05rem;margin:22px 0 10px} h2 .muted{font-weight:400;font-size:.9rem}
details[open] .d{white-space:normal}
/* On paper (an audit file): one page, every finding's line visible, evidence left to the JSON or HTML on screen. */
@media print{
@page{size:A4;margin:8mm}
body{background:#fff;font-size:7.5pt;line-height:1.15}
header{padding:0 0 3px;border:0}
h1{font-size:11pt;margin:0} h2{font-size:8.5pt;margin:4px 0 1px;break-after:avoid}
main{padding:0;max-width:none}
.summary{margin-top:2px;gap:4px} .pill{padding:0 5px;font-size:7.5pt;background:none;border:1px solid var(--line)}
table.ctx{margin-top:2px;font-size:7pt} table.ctx th{white-space:nowrap;padding:0 8px 0 0} table.ctx td{padding:0}
details{border:0;border-bottom:1px solid var(--line);border-radius:0;margin:0;padding:0;break-inside:avoid}
summary{gap:6px} .v{min-width:7em;font-size:7pt} .t{font-size:7.5pt} .d{white-space:normal;font-size:7pt} .target{font-size:6.5pt}
code{font-size:6.5pt}
details>:not(summary):not(table.map){display:none} details[data-verdict="pass"] .d{display:none}
table.map{display:table;font-size:6.5pt;margin:1px 0 3px} table.map th,table.map td{padding:0 5px 0 0}
.diff{border:0;padding:0;font-size:7pt}
}
</style></head>
<body><header><h1>Session-isolation audit</h1>
<div class="muted">${esc(report.hub)} · ${esc(report.tool)} · ${esc(report.startedAt)}</div>
<div class="summary"><span class="pill pass">${report.summary.pass} passed</span><span class="pill fail">${report.summary.fail} failed</span><span class="pill inconclusive">${report.summary.inconclusive} inconclusive</span><span class="pill skipped">${report.summary.skipped} skipped</span></div>
<table class="ctx" data-testid="run-context">${contextLines(report).map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>
</header><main>
${report.baseline ? `<section><h2>Since the baseline ${esc(report.baseline.file)}</h2><div class="diff" data-testid="baseline">${esc(diffLines(report.baseline).join('\n'))}</div></section>` : ''}
${rows}
</main></body></html>
`;
}

function checkHtml(c: CheckResult): string {
  const evidence = c.evidence.map((e) => `<pre>${esc(e.request)}\n\n${esc(e.answer)}</pre>`).join('');
  const how = c.howToRun ? `<p class="how"><strong>To run it:</strong> ${esc(c.howToRun)}</p>` : '';
  const table = c.table
    ? `<table class="map" data-testid="table-${esc(c.id)}"><thead><tr>${c.table.columns.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${c.table.rows.map((r) => `<tr>${r.map((v) => `<td>${esc(v)}</td>`).join('')}</tr>`).join('')}</tbody></table>`
    : '';
  return `<details${c.verdict === 'fail' || c.table ? ' open' : ''} data-check="${esc(c.id)}" data-verdict="${c.verdict}" data-severity="${c.severity}">
<summary><span class="v ${c.verdict}">${esc(mark(c))}</span><span class="t">${esc(c.title)} <code>${esc(c.id)}</code><span class="d">${esc(c.detail)}</span></span><span class="target">${esc(shortTarget(c.target))}</span></summary>${how}${table}<p class="muted"><strong>Why it matters:</strong> ${esc(c.why)}</p>${evidence}
</details>`;
}

/** Sections of the report: the hub, the client registry, then each client app. */
function groups(checks: CheckResult[]): [string, CheckResult[]][] {
  const out = new Map<string, CheckResult[]>();
  for (const c of checks) {
    const name = c.id.startsWith('session.') || c.id.startsWith('logout.') ? 'Sign-in and logout with the test user' : c.id.startsWith('app.') ? `Client app ${c.target.replace(/^app /, '')}` : c.id.startsWith('client.') || c.id.startsWith('registry.') ? 'Client registry' : 'Hub';
    out.set(name, [...(out.get(name) ?? []), c]);
  }
  return [...out];
}

function shortTarget(target: string): string {
  return target.replace(/^app (\S+).*$/, '$1').replace(/ \(client [^)]+\)$/, '');
}
