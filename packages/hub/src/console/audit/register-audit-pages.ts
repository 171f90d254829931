import type { FastifyInstance } from 'fastify';
import { AuditSearchQuery, auditFilterOf } from '../../audit/audit-filter-query.ts';
import type { StoredAuditEvent } from '../../audit/audit-log.ts';
import { SsoHubError } from '../../errors/ssohub-error.ts';
import { html } from '../../http/html.ts';
import { t } from '../../i18n/translate.ts';
import { CONSOLE_PATH } from '../console-cookie.ts';
import type { ConsoleDeps } from '../console-deps.ts';
import { dataTable, errorMessage, textField } from '../console-html.ts';
import { sendConsolePage } from '../console-page.ts';

const AUDIT = `${CONSOLE_PATH}/audit`;
const PAGE_SIZE = 50;
/** The fields of an event shown in their own columns; the rest go to "details". */
const COLUMNS = new Set(['id', 'time', 'type', 'actor', 'subject', 'clientId', 'outcome']);

/**
 * The console's audit trail: the newest events first, filtered by actor, subject, client, event
 * type and time (audit-log.ts query: whole values, or a prefix ending in `*`), fifty a page, with
 * a link to the older ones. Filters live in the query string, so a filtered view can be linked
 * (a client's page links to its events).
 */
export function registerAuditPages(console: FastifyInstance, { ctx }: ConsoleDeps): void {
  console.get<{ Querystring: AuditSearchQuery }>('/audit', { schema: { querystring: AuditSearchQuery } }, async (request, reply) => {
    const q = request.query;
    const { filter, badTimes } = auditFilterOf(q);
    const badTime = badTimes.length > 0;
    if (!ctx.audit.query) throw new SsoHubError('SSOHUB_ERR_INTERNAL', 'this hub\'s audit log cannot be searched', { status: 500 });
    const page = badTime ? { events: [], next: undefined } : await ctx.audit.query(filter, { count: PAGE_SIZE, ...(q.before ? { before: q.before } : {}) });
    const keep = new URLSearchParams(Object.entries({ actor: q.actor, subject: q.subject, client: q.client, type: q.type, from: q.from, to: q.to }).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''));
    const olderQuery = page.next ? new URLSearchParams([...keep, ['before', page.next]]).toString() : undefined;
    const body = html`<h1>${t('console.audit.title')}</h1>
<p class="lead">${t('console.audit.lead')}</p>
<form method="get" action="${AUDIT}" class="filters" role="search" aria-label="${t('console.audit.filters')}" data-testid="console/audit-filters">
${textField({ name: 'actor', label: t('console.audit.col.actor'), value: q.actor, hint: t('console.audit.hint.actor'), testid: 'console/audit-actor' })}
${textField({ name: 'subject', label: t('console.audit.col.subject'), value: q.subject, testid: 'console/audit-subject' })}
${textField({ name: 'client', label: t('console.audit.col.client'), value: q.client, testid: 'console/audit-client' })}
${textField({ name: 'type', label: t('console.audit.col.type'), value: q.type, hint: t('console.audit.hint.type'), testid: 'console/audit-type' })}
${textField({ name: 'from', label: t('console.audit.from'), value: q.from, type: 'datetime-local', hint: t('console.audit.hint.utc'), error: badTimes.includes('from') ? t('console.audit.bad_time') : undefined })}
${textField({ name: 'to', label: t('console.audit.to'), value: q.to, type: 'datetime-local', hint: t('console.audit.hint.utc'), error: badTimes.includes('to') ? t('console.audit.bad_time') : undefined })}
<div class="actions"><button type="submit">${t('console.audit.apply')}</button><a class="button-link secondary" href="${AUDIT}">${t('console.audit.reset')}</a></div>
</form>
${badTime ? errorMessage(t('console.audit.bad_time')) : ''}${dataTable({
  caption: t('console.audit.caption', { count: page.events.length }),
  columns: [t('console.audit.col.time'), t('console.audit.col.type'), t('console.audit.col.actor'), t('console.audit.col.subject'), t('console.audit.col.client'), t('console.audit.col.outcome'), t('console.audit.col.details')],
  rows: page.events.map((e) => [e.time, html`<code>${e.type}</code>`, e.actor, e.subject ?? '', e.clientId ?? '', e.outcome ?? '', html`<code>${details(e)}</code>`]),
  empty: t('console.audit.none'),
  testid: 'console/audit-events',
})}
<nav class="pager" aria-label="${t('console.audit.pages')}">
${q.before ? html`<a href="${AUDIT}${keep.size > 0 ? `?${keep}` : ''}">${t('console.audit.newest')}</a>` : html`<span></span>`}
${olderQuery ? html`<a href="${AUDIT}?${olderQuery}" data-testid="console/audit-older">${t('console.audit.older')}</a>` : ''}
</nav>`;
    return sendConsolePage(request, reply, { title: t('console.audit.title'), body, section: 'audit' });
  });
}

function details(event: StoredAuditEvent): string {
  const rest = Object.fromEntries(Object.entries(event).filter(([k]) => !COLUMNS.has(k)));
  return Object.keys(rest).length > 0 ? JSON.stringify(rest) : '';
}
