import { html, type SafeHtml } from '../../http/html.ts';
import { t } from '../../i18n/translate.ts';
import type { UserSummary } from '../../users/user-admin.ts';
import { dataTable, textField } from '../console-html.ts';
import { renderTime } from './render-time.ts';
import { userPath } from './user-label.ts';

export interface UserSearchView {
  /** What was searched for; undefined before the first search. */
  query: string | undefined;
  users: UserSummary[];
  /** The most the search returns: reaching it means there may be more. */
  limit: number;
}

/** A state or verified flag in words, with a class the stylesheet colours (never colour alone). */
export function stateText(state: UserSummary['state']): SafeHtml {
  return state === 'active'
    ? html`<span class="status-ok" data-testid="console/user-state">${t('console-users.state.active')}</span>`
    : html`<span class="status-fail" data-testid="console/user-state">${t('console-users.state.inactive')}</span>`;
}

export function verifiedText(verified: boolean): SafeHtml {
  return verified ? html`<span class="status-ok">${t('console-users.verified.yes')}</span>` : html`<span class="status-warn">${t('console-users.verified.no')}</span>`;
}

/** The users page: a search form (a GET, nothing changes) and the accounts it found, each a link to its page. */
export function renderUserSearch(view: UserSearchView): SafeHtml {
  const results =
    view.query === undefined
      ? ''
      : html`${dataTable({
          caption: t('console-users.search.caption', { query: view.query }),
          columns: [t('console-users.column.email'), t('console-users.column.state'), t('console-users.column.address'), t('console-users.column.created'), t('console-users.column.id')],
          rows: view.users.map((u) => [
            html`<a href="${userPath(u.id)}" data-testid="console/user-link">${u.email ?? t('console-users.no_email')}</a>`,
            stateText(u.state),
            verifiedText(u.verified),
            renderTime(u.createdAt),
            html`<code>${u.id}</code>`,
          ]),
          empty: t('console-users.search.none', { query: view.query }),
          testid: 'console/users',
        })}${view.users.length >= view.limit ? html`<p class="hint" data-testid="console/users-limited">${t('console-users.search.limited', { count: view.limit })}</p>` : ''}`;
  return html`<h1>${t('console-users.search.title')}</h1>
<p class="lead">${t('console-users.search.lead')}</p>
<form method="get" action="/console/users" class="filters" role="search" data-testid="console/user-search">
${textField({ name: 'q', label: t('console-users.search.query'), hint: t('console-users.search.query_hint'), value: view.query, required: true, testid: 'console/user-query' })}
<div class="actions"><button type="submit" data-testid="console/user-find">${t('console-users.search.submit')}</button></div>
</form>
${results}`;
}
