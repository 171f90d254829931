import type { FastifyRequest } from 'fastify';
import type { BackchannelDeliveryView } from '../../bridge/logout/backchannel-deliveries.ts';
import { html, type SafeHtml } from '../../http/html.ts';
import { t } from '../../i18n/translate.ts';
import { dataTable, postForm } from '../console-html.ts';
import { renderTime } from '../users/render-time.ts';
import { userPath } from '../users/user-label.ts';

/** The console's address of "retry now" for one delivery. */
export const retryPath = (id: string) => `/console/backchannel/${encodeURIComponent(id)}/retry`;

function rows(request: FastifyRequest, list: readonly BackchannelDeliveryView[]) {
  return list.map((d) => [
    html`<code>${d.clientId}</code>`,
    html`<a href="${userPath(d.accountId)}" class="mono">${d.accountId}</a>`,
    d.reason,
    d.attempt,
    d.state === 'pending' ? (d.nextAttemptAt ? renderTime(d.nextAttemptAt) : t('console-users.backchannel.now')) : renderTime(d.failedAt),
    d.lastError ?? t('console-users.backchannel.no_error'),
    postForm(request, { action: retryPath(d.id), submit: t('console-users.backchannel.retry'), secondary: true, testid: `console/retry/${d.id}` }),
  ]);
}

/**
 * The deliveries page: back-channel logout notices still queued and those given up, each with
 * the app, the account, why it was sent, how often it was tried, when next (or when it was given
 * up), the last error (never a token) and "retry now".
 */
export function renderDeliveries(request: FastifyRequest, lists: { pending: BackchannelDeliveryView[]; failed: BackchannelDeliveryView[] }): SafeHtml {
  const columns = (when: string) => [
    t('console-users.column.app'),
    t('console-users.column.account'),
    t('console-users.column.reason'),
    t('console-users.column.attempts'),
    when,
    t('console-users.column.last_error'),
    t('console-users.column.action'),
  ];
  return html`<h1>${t('console-users.backchannel.title')}</h1>
<p class="lead">${t('console-users.backchannel.lead')}</p>
<section aria-labelledby="deliveries-failed">
<h2 id="deliveries-failed">${t('console-users.backchannel.failed')}</h2>
${dataTable({
  caption: t('console-users.backchannel.failed_caption'),
  columns: columns(t('console-users.column.given_up')),
  rows: rows(request, lists.failed),
  empty: t('console-users.backchannel.failed_none'),
  testid: 'console/deliveries-failed',
})}
</section>
<section aria-labelledby="deliveries-pending">
<h2 id="deliveries-pending">${t('console-users.backchannel.pending')}</h2>
${dataTable({
  caption: t('console-users.backchannel.pending_caption'),
  columns: columns(t('console-users.column.next_attempt')),
  rows: rows(request, lists.pending),
  empty: t('console-users.backchannel.pending_none'),
  testid: 'console/deliveries-pending',
})}
</section>`;
}
