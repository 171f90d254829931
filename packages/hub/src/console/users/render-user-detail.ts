import type { FastifyRequest } from 'fastify';
import { html, type SafeHtml } from '../../http/html.ts';
import { t } from '../../i18n/translate.ts';
import type { UserDetail } from '../../users/user-admin.ts';
import { dataTable, errorMessage, factList, postForm } from '../console-html.ts';
import { renderSessionTable } from '../sessions/render-session-table.ts';
import { sessionsOfPath } from '../sessions/session-paths.ts';
import { methodName } from './method-name.ts';
import { renderTime } from './render-time.ts';
import { stateText, verifiedText } from './render-user-search.ts';
import { USER_ACTIONS } from './user-actions.ts';
import { userLabel, userPath } from './user-label.ts';

/** The list of a user's methods or factors, in words, each tagged for tests; `none` when empty. */
function methodList(methods: readonly string[], none: string, testid: string): SafeHtml {
  if (methods.length === 0) return html`<p class="muted" data-testid="${testid}-none">${none}</p>`;
  return html`<ul data-testid="${testid}">${methods.map((m) => html`<li data-testid="${testid}/${m}">${methodName(m)}</li>`)}</ul>`;
}

/**
 * One account's page: its state and addresses, how it signs in (methods and second factors),
 * where it is signed in (sessions with devices and apps), the apps holding access, and the
 * actions the console offers on it, each a form that leads to its confirmation page.
 */
export function renderUserDetail(request: FastifyRequest, user: UserDetail, error?: string): SafeHtml {
  const label = userLabel(user);
  const appNames = new Map(user.apps.map((a) => [a.clientId, a.name]));
  const actions = USER_ACTIONS.filter((a) => a.offered(user));
  return html`<p><a href="/console/users${user.email ? `?q=${encodeURIComponent(user.email)}` : ''}" data-testid="console/back-to-search">${t('console-users.detail.back')}</a></p>
<h1 data-testid="console/user-title">${t('console-users.detail.title', { user: label })}</h1>
${error ? errorMessage(error) : ''}${user.state === 'inactive' ? html`<p class="msg info" data-testid="console/user-disabled">${t('console-users.detail.disabled_note')}</p>` : ''}
${factList([
  [t('console-users.fact.email'), user.email ?? t('console-users.no_email')],
  [t('console-users.fact.id'), html`<code data-testid="console/user-id">${user.id}</code>`],
  [t('console-users.fact.state'), stateText(user.state)],
  [t('console-users.fact.created'), renderTime(user.createdAt)],
])}
<p class="toolbar"><a href="/console/audit?subject=${encodeURIComponent(user.id)}" data-testid="console/user-audit">${t('console-users.detail.audit')}</a>
<a href="${sessionsOfPath(user.id)}" data-testid="console/user-sessions-link">${t('console-users.detail.sessions_link')}</a></p>
<section aria-labelledby="user-addresses">
<h2 id="user-addresses">${t('console-users.addresses.heading')}</h2>
${dataTable({
  caption: t('console-users.addresses.caption'),
  columns: [t('console-users.column.address'), t('console-users.column.verified')],
  rows: user.addresses.map((a) => [html`<span class="mono">${a.value}</span>`, verifiedText(a.verified)]),
  empty: t('console-users.addresses.none'),
  testid: 'console/user-addresses',
})}
</section>
<section aria-labelledby="user-methods">
<h2 id="user-methods">${t('console-users.methods.heading')}</h2>
${methodList(user.methods, t('console-users.methods.none'), 'console/user-methods')}
</section>
<section aria-labelledby="user-factors">
<h2 id="user-factors">${t('console-users.factors.heading')}</h2>
${methodList(user.secondFactors, t('console-users.factors.none'), 'console/user-factors')}
</section>
<section aria-labelledby="user-sessions">
<h2 id="user-sessions">${t('console-users.sessions.title')}</h2>
${renderSessionTable(request, { userId: user.id, sessions: user.sessions, appNames })}
</section>
<section aria-labelledby="user-apps">
<h2 id="user-apps">${t('console-users.apps.heading')}</h2>
${dataTable({
  caption: t('console-users.apps.caption'),
  columns: [t('console-users.column.app'), t('console-users.column.client_id')],
  rows: user.apps.map((a) => [a.name, html`<code>${a.clientId}</code>`]),
  empty: t('console-users.apps.none'),
  testid: 'console/user-apps',
})}
</section>
<section aria-labelledby="user-actions">
<h2 id="user-actions">${t('console-users.actions.heading')}</h2>
<p class="hint">${t('console-users.actions.lead')}</p>
<div class="toolbar">${actions.map((a) =>
    postForm(request, {
      action: `${userPath(user.id)}/${a.segment}`,
      submit: t(`console-users.action.${a.name}`),
      danger: a.danger,
      secondary: !a.danger,
      testid: `console/user-action/${a.segment}`,
    }),
  )}</div>
</section>`;
}
