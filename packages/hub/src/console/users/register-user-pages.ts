import type { FastifyInstance } from 'fastify';
import { SsoHubError } from '../../errors/ssohub-error.ts';
import { t } from '../../i18n/translate.ts';
import type { ConsoleDeps } from '../console-deps.ts';
import { isConfirmed } from '../console-html.ts';
import { sendConfirmation, sendConsolePage } from '../console-page.ts';
import { consoleActor, consoleSession } from '../console-request.ts';
import { methodName } from './method-name.ts';
import { renderUserDetail } from './render-user-detail.ts';
import { renderUserSearch } from './render-user-search.ts';
import { showUser } from './show-user.ts';
import { USER_ACTIONS, type UserAction } from './user-actions.ts';
import { userAdminFor } from './user-admin-for.ts';
import { userLabel, userPath } from './user-label.ts';

/** The most accounts one search shows. */
export const SEARCH_LIMIT = 50;

/**
 * What a refused action says on the account's page: a conflict in words of its own, else the
 * domain's reason. Only these actions refuse with a conflict (users/user-admin.ts): disabling a
 * disabled user runs again on purpose, and enabling an active one changes nothing.
 */
function refusal(action: UserAction, label: string, err: SsoHubError): string {
  if (err.status === 409) {
    if (action.name === 'delete') return t('console-users.error.conflict.delete', { user: label, reason: err.message });
    if (action.name === 'reset_mfa' || action.name === 'verify_resend') return t(`console-users.error.conflict.${action.name}`, { user: label });
  }
  return t('console-users.error.failed', { reason: err.message });
}

/**
 * The console's users pages: the search, one account's page, and the actions on it (disable,
 * enable, reset second factors, resend verification, delete). Each action is a POST that first
 * shows its confirmation page; confirmed, it calls UserAdmin with the console actor (which
 * records the audit event), keeps a notice for the next page and redirects (post/redirect/get).
 * A refused action (404, 409, 400 from the domain) is shown on the account's page.
 */
export function registerUserPages(console: FastifyInstance, deps: ConsoleDeps): void {
  const users = () => userAdminFor(deps.ctx);

  console.get<{ Querystring: { q?: string } }>('/users', async (request, reply) => {
    const raw = typeof request.query.q === 'string' ? request.query.q.trim() : '';
    const query = raw === '' ? undefined : raw.slice(0, 256);
    const found = query === undefined ? [] : await users().find(query, { limit: SEARCH_LIMIT });
    return sendConsolePage(request, reply, { title: t('console-users.search.title'), section: 'users', body: renderUserSearch({ query, users: found, limit: SEARCH_LIMIT }) });
  });

  console.get<{ Params: { id: string } }>('/users/:id', async (request, reply) => {
    const user = await showUser(users(), request.params.id);
    return sendConsolePage(request, reply, { title: t('console-users.detail.title', { user: userLabel(user) }), section: 'users', body: renderUserDetail(request, user) });
  });

  for (const action of USER_ACTIONS) {
    console.post<{ Params: { id: string } }>(`/users/:id/${action.segment}`, async (request, reply) => {
      const admin = users();
      const user = await showUser(admin, request.params.id);
      const label = userLabel(user);
      if (!isConfirmed(request.body)) {
        return sendConfirmation(request, reply, {
          title: t(`console-users.confirm.${action.name}.title`, { user: label }),
          lead:
            action.name === 'reset_mfa'
              ? t('console-users.confirm.reset_mfa.lead', { factors: user.secondFactors.map(methodName).join(', ') || '—' })
              : t(`console-users.confirm.${action.name}.lead`),
          facts: [
            [t('console-users.fact.email'), user.email ?? t('console-users.no_email')],
            [t('console-users.fact.id'), user.id],
          ],
          action: `${userPath(user.id)}/${action.segment}`,
          confirmLabel: t(`console-users.action.${action.name}`),
          cancelHref: userPath(user.id),
          danger: action.danger,
          section: 'users',
        });
      }
      try {
        const result = await action.run(admin, user.id, consoleActor(request));
        await deps.sessions.setNotice(consoleSession(request), action.notice(result, label));
      } catch (err) {
        if (!(err instanceof SsoHubError) || err.status >= 500) throw err;
        request.log.info({ code: err.code, status: err.status, action: action.name }, 'console user action refused');
        // The account as it is now (a 404 here means it went meanwhile: the console's 404 page).
        const now = await showUser(admin, user.id);
        return sendConsolePage(request, reply, {
          title: t('console-users.detail.title', { user: label }),
          section: 'users',
          status: err.status,
          body: renderUserDetail(request, now, refusal(action, label, err)),
        });
      }
      const after = action.name === 'delete' ? `/console/users?q=${encodeURIComponent(user.email ?? user.id)}` : userPath(user.id);
      return reply.header('cache-control', 'no-store').redirect(after, 303);
    });
  }
}
