import type { FastifyRequest } from 'fastify';
import { describeDevice } from '../../account/describe-device.ts';
import { html, type SafeHtml } from '../../http/html.ts';
import { t, th } from '../../i18n/translate.ts';
import type { UserSessionView } from '../../users/user-admin.ts';
import { dataTable, postForm } from '../console-html.ts';
import { methodName } from '../users/method-name.ts';
import { renderTime } from '../users/render-time.ts';
import { endAllPath, endSessionPath } from './session-paths.ts';

export interface SessionTableView {
  userId: string;
  sessions: UserSessionView[];
  /** Client id → app name, for the apps each session reached. */
  appNames: ReadonlyMap<string, string>;
}

/** The device of a session in plain words ("Chrome on Linux"), with where it signed in from. */
function deviceText(s: UserSessionView): SafeHtml {
  const device = s.devices[0];
  const { browser, os } = describeDevice(device?.userAgent);
  const name =
    browser && os
      ? t('account.device.browser_on_os', { browser, os })
      : os
        ? t('account.device.unknown_browser_on_os', { os })
        : (browser ?? t('account.device.unknown'));
  const where = [device?.ip ? t('console-users.session.ip', { ip: device.ip }) : undefined, device?.location].filter(Boolean);
  return html`<strong>${name}</strong>${where.length ? html`<br><span class="hint">${where.join(' · ')}</span>` : ''}`;
}

/**
 * A user's active sessions: device, when and how strongly it signed in, the apps it reached, and
 * a button that ends it (through the confirmation page); under the table, one that ends them all.
 */
export function renderSessionTable(request: FastifyRequest, view: SessionTableView): SafeHtml {
  const table = dataTable({
    caption: t('console-users.sessions.caption'),
    columns: [
      t('console-users.column.device'),
      t('console-users.column.signed_in'),
      t('console-users.column.level'),
      t('console-users.column.methods'),
      t('console-users.column.apps'),
      t('console-users.column.action'),
    ],
    rows: view.sessions.map((s) => [
      deviceText(s),
      html`${renderTime(s.authenticatedAt)}${s.expiresAt ? html`<br><span class="hint">${th('console-users.session.expires', { time: renderTime(s.expiresAt) })}</span>` : ''}`,
      s.aal === 'aal2' ? t('console-users.session.aal2') : s.aal === 'aal1' ? t('console-users.session.aal1') : (s.aal ?? '—'),
      s.methods.map(methodName).join(', ') || '—',
      s.clients.length ? s.clients.map((c) => view.appNames.get(c) ?? c).join(', ') : t('console-users.session.no_apps'),
      postForm(request, { action: endSessionPath(view.userId, s.id), submit: t('console-users.session.end'), secondary: true, testid: `console/end-session/${s.id}` }),
    ]),
    empty: t('console-users.sessions.none'),
    testid: 'console/sessions',
  });
  return html`${table}${
    view.sessions.length > 1
      ? html`<div class="toolbar">${postForm(request, { action: endAllPath(view.userId), submit: t('console-users.session.end_all'), danger: true, testid: 'console/end-all-sessions' })}</div>`
      : ''
  }`;
}
