import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SsoHubError } from '../../errors/ssohub-error.ts';
import { html } from '../../http/html.ts';
import { t } from '../../i18n/translate.ts';
import { endUserSession } from '../../users/end-user-session.ts';
import { endAllUserSessions, type UserDetail } from '../../users/user-admin.ts';
import type { ConsoleDeps } from '../console-deps.ts';
import { errorMessage, isConfirmed, textField } from '../console-html.ts';
import { sendConfirmation, sendConsolePage } from '../console-page.ts';
import { consoleActor, consoleSession } from '../console-request.ts';
import { showUser } from '../users/show-user.ts';
import { userAdminFor } from '../users/user-admin-for.ts';
import { userLabel, userPath } from '../users/user-label.ts';
import { renderSessionTable } from './render-session-table.ts';
import { endAllPath, endSessionPath, sessionsOfPath } from './session-paths.ts';

/**
 * The console's sessions pages: pick an account (by email or id), see its active sessions with
 * their devices and the apps each reached, and end one or all of them, each confirmed first.
 * The sessions come from UserAdmin.show, as on the account's page; ending goes through the bridge
 * (one: users/end-user-session.ts; all: users/user-admin.ts endAllUserSessions, the path disabling
 * takes), so the apps are told by back-channel logout.
 */
export function registerSessionPages(console: FastifyInstance, deps: ConsoleDeps): void {
  const users = () => userAdminFor(deps.ctx);

  const sessionsPage = (user: UserDetail | undefined, query: string | undefined, request: FastifyRequest, error?: string) =>
    html`<h1>${user ? t('console-users.sessions.of', { user: userLabel(user) }) : t('console-users.sessions.title')}</h1>
<p class="lead">${t('console-users.sessions.lead')}</p>
<form method="get" action="/console/sessions" class="filters" role="search" data-testid="console/session-search">
${textField({ name: 'user', label: t('console-users.sessions.user'), value: query, required: true, testid: 'console/session-user' })}
<div class="actions"><button type="submit" data-testid="console/session-find">${t('console-users.sessions.submit')}</button></div>
</form>
${error ? errorMessage(error) : ''}${
      user
        ? html`<p><a href="${userPath(user.id)}" data-testid="console/open-account">${t('console-users.sessions.open_account')}</a></p>
${renderSessionTable(request, { userId: user.id, sessions: user.sessions, appNames: new Map(user.apps.map((a) => [a.clientId, a.name])) })}`
        : ''
    }`;

  console.get<{ Querystring: { user?: string } }>('/sessions', async (request, reply) => {
    const query = typeof request.query.user === 'string' && request.query.user.trim() !== '' ? request.query.user.trim().slice(0, 256) : undefined;
    let user: UserDetail | undefined;
    try {
      user = query === undefined ? undefined : await showUser(users(), query);
    } catch (err) {
      // Not found: the same page, saying so, with the search filled in to correct.
      if (!(err instanceof SsoHubError) || err.status !== 404 || query === undefined) throw err;
      return sendConsolePage(request, reply, {
        title: t('console-users.sessions.title'),
        section: 'sessions',
        status: 404,
        body: sessionsPage(undefined, query, request, t('console-users.error.not_found', { user: query })),
      });
    }
    return sendConsolePage(request, reply, {
      title: user ? t('console-users.sessions.of', { user: userLabel(user) }) : t('console-users.sessions.title'),
      section: 'sessions',
      body: sessionsPage(user, query, request),
    });
  });

  console.post<{ Params: { userId: string; sessionId: string } }>('/sessions/:userId/:sessionId/end', async (request, reply) => {
    const user = await showUser(users(), request.params.userId);
    const label = userLabel(user);
    const session = user.sessions.find((s) => s.id === request.params.sessionId);
    if (!session) {
      return sendConsolePage(request, reply, {
        title: t('console-users.sessions.of', { user: label }),
        section: 'sessions',
        status: 404,
        body: sessionsPage(user, user.id, request, t('console-users.error.session_not_found', { user: label })),
      });
    }
    if (!isConfirmed(request.body)) {
      return sendConfirmation(request, reply, {
        title: t('console-users.confirm.end_session.title', { user: label }),
        lead: t('console-users.confirm.end_session.lead'),
        facts: [
          [t('console-users.fact.email'), user.email ?? t('console-users.no_email')],
          [t('console-users.column.apps'), session.clients.join(', ') || t('console-users.session.no_apps')],
        ],
        action: endSessionPath(user.id, session.id),
        confirmLabel: t('console-users.session.end'),
        cancelHref: sessionsOfPath(user.id),
        danger: true,
        section: 'sessions',
      });
    }
    await endUserSession(deps.ctx, { identityId: user.id, sessionId: session.id, actor: consoleActor(request), ip: request.ip });
    await deps.sessions.setNotice(consoleSession(request), { key: 'console-users.notice.session_ended', values: { user: label } });
    return reply.header('cache-control', 'no-store').redirect(sessionsOfPath(user.id), 303);
  });

  console.post<{ Params: { userId: string } }>('/sessions/:userId/end-all', async (request, reply) => {
    const user = await showUser(users(), request.params.userId);
    const label = userLabel(user);
    if (!isConfirmed(request.body)) {
      return sendConfirmation(request, reply, {
        title: t('console-users.confirm.end_all.title', { user: label }),
        lead: t('console-users.confirm.end_all.lead'),
        facts: [
          [t('console-users.fact.email'), user.email ?? t('console-users.no_email')],
          [t('console-users.sessions.title'), user.sessions.length],
        ],
        action: endAllPath(user.id),
        confirmLabel: t('console-users.session.end_all'),
        cancelHref: sessionsOfPath(user.id),
        danger: true,
        section: 'sessions',
      });
    }
    // Every session as disabling would end them (the hub's bindings too, not only those Kratos lists as active).
    const { ended } = await endAllUserSessions(deps.ctx, { identityId: user.id, actor: consoleActor(request), ip: request.ip });
    await deps.sessions.setNotice(consoleSession(request), { key: 'console-users.notice.sessions_ended', values: { user: label, count: ended.length } });
    return reply.header('cache-control', 'no-store').redirect(sessionsOfPath(user.id), 303);
  });
}
