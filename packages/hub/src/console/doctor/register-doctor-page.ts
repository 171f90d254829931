import type { FastifyInstance } from 'fastify';
import { runDoctor } from '../../doctor/run-doctor.ts';
import { html } from '../../http/html.ts';
import { t } from '../../i18n/translate.ts';
import type { ConsoleDeps } from '../console-deps.ts';
import { dataTable, factList } from '../console-html.ts';
import { sendConsolePage } from '../console-page.ts';

const VERDICT_CLASS = { ok: 'status-ok', warn: 'status-warn', fail: 'status-fail' } as const;

/**
 * The console's overview (/console): the doctor's report, as `GET /admin/doctor` and
 * `ssohub doctor` give it (doctor/run-doctor.ts), worst verdicts first. The checks' details and
 * fixes are the doctor's own English, the same words the CLI prints and runbooks quote.
 */
export function registerDoctorPage(console: FastifyInstance, { ctx }: ConsoleDeps): void {
  console.get('/', async (request, reply) => {
    const report = await runDoctor(ctx);
    const order = { fail: 0, warn: 1, ok: 2 } as const;
    const checks = [...report.checks].sort((a, b) => order[a.verdict] - order[b.verdict]);
    const count = (v: 'ok' | 'warn' | 'fail') => report.checks.filter((c) => c.verdict === v).length;
    const body = html`<h1>${t('console.overview.title')}</h1>
<p class="lead">${t('console.overview.lead')}</p>
${factList([
  [t('console.overview.version'), report.version],
  [t('console.overview.mode'), ctx.config.mode],
  [t('console.overview.public_url'), ctx.config.publicUrl],
  [t('console.overview.store'), report.store],
  [t('console.overview.summary'), html`<span data-testid="console/doctor-summary">${t('console.overview.counts', { fail: count('fail'), warn: count('warn'), ok: count('ok') })}</span>`],
])}
<h2>${t('console.overview.checks')}</h2>
${dataTable({
  caption: t('console.overview.checks_caption'),
  columns: [t('console.overview.col.verdict'), t('console.overview.col.check'), t('console.overview.col.detail'), t('console.overview.col.fix')],
  rows: checks.map((c) => [html`<span class="${VERDICT_CLASS[c.verdict]}">${t(`console.overview.verdict.${c.verdict}`)}</span>`, html`<code>${c.id}</code>`, c.detail, c.fix ?? '']),
  empty: t('console.overview.no_checks'),
  testid: 'console/doctor-checks',
})}
${report.signingKeys && report.signingKeys.length > 0
  ? html`<h2>${t('console.overview.keys')}</h2>
${dataTable({
  caption: t('console.overview.keys_caption'),
  columns: [t('console.overview.col.kid'), t('console.overview.col.alg'), t('console.overview.col.created')],
  rows: report.signingKeys.map((k) => [html`<code>${k.kid}</code>`, k.alg ?? '', k.createdAt ?? '']),
  empty: '',
})}`
  : ''}
<h2>${t('console.overview.config')}</h2>
<details><summary>${t('console.overview.config_hint')}</summary>
<pre class="secret" tabindex="0"><code>${JSON.stringify({ config: report.config, kratosDatabase: report.kratosDatabase }, null, 2)}</code></pre></details>`;
    return sendConsolePage(request, reply, { title: t('console.overview.title'), body, section: 'overview' });
  });
}
