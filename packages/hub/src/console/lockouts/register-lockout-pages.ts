import type { FastifyInstance } from 'fastify';
import { html } from '../../http/html.ts';
import { t } from '../../i18n/translate.ts';
import { CONSOLE_PATH } from '../console-cookie.ts';
import type { ConsoleDeps } from '../console-deps.ts';
import { dataTable, errorMessage, formValue, isConfirmed, postForm, textField } from '../console-html.ts';
import { sendConfirmation, sendConsolePage } from '../console-page.ts';
import { consoleActor, consoleSession } from '../console-request.ts';

const LOCKOUTS = `${CONSOLE_PATH}/lockouts`;

/**
 * The console's lockouts: the guard's active identifier locks (as `GET /admin/lockouts`), and
 * clearing one identifier's (as `DELETE /admin/lockouts/:identifier`: the guard itself records
 * the one `guard.unlocked` event, with the console actor). An identifier may also be typed in,
 * for a user who reports being locked out.
 */
export function registerLockoutPages(console: FastifyInstance, { ctx, sessions }: ConsoleDeps): void {
  console.get('/lockouts', async (request, reply) => {
    const lockouts = await ctx.guard.listLockouts();
    const body = html`<h1>${t('console.lockouts.title')}</h1>
<p class="lead">${t('console.lockouts.lead')}</p>
${dataTable({
  caption: t('console.lockouts.caption', { count: lockouts.length }),
  columns: [t('console.lockouts.col.identifier'), t('console.lockouts.col.ip'), t('console.lockouts.col.until'), t('console.lockouts.col.failures'), t('console.lockouts.col.action')],
  rows: lockouts.map((l) => [
    l.identifier,
    l.ip ?? t('console.lockouts.everywhere'),
    l.until,
    String(l.failures),
    postForm(request, { action: `${LOCKOUTS}/clear`, submit: t('console.lockouts.clear'), hidden: { identifier: l.identifier }, secondary: true, testid: 'console/clear-lockout' }),
  ]),
  empty: t('console.lockouts.none'),
  testid: 'console/lockouts',
})}
<h2>${t('console.lockouts.by_identifier')}</h2>
${postForm(request, {
  action: `${LOCKOUTS}/clear`,
  submit: t('console.lockouts.clear'),
  fields: textField({ name: 'identifier', label: t('console.lockouts.col.identifier'), hint: t('console.lockouts.identifier_hint'), required: true, testid: 'console/lockout-identifier' }),
  secondary: true,
})}`;
    return sendConsolePage(request, reply, { title: t('console.lockouts.title'), body, section: 'lockouts' });
  });

  console.post('/lockouts/clear', async (request, reply) => {
    const identifier = formValue(request.body, 'identifier') ?? '';
    if (identifier === '' || identifier.length > 320) {
      return sendConsolePage(request, reply, {
        title: t('console.lockouts.title'),
        status: 400,
        section: 'lockouts',
        body: html`<h1>${t('console.lockouts.title')}</h1>${errorMessage(t('console.lockouts.identifier_required'))}<p><a href="${LOCKOUTS}">${t('console.error.back')}</a></p>`,
      });
    }
    if (!isConfirmed(request.body)) {
      return sendConfirmation(request, reply, {
        title: t('console.lockouts.confirm_title', { identifier }),
        lead: t('console.lockouts.confirm_lead'),
        action: `${LOCKOUTS}/clear`,
        hidden: { identifier },
        confirmLabel: t('console.lockouts.clear'),
        cancelHref: LOCKOUTS,
        section: 'lockouts',
      });
    }
    const cleared = await ctx.guard.clearLockout(identifier, consoleActor(request));
    await sessions.setNotice(consoleSession(request), { key: 'console.lockouts.notice.cleared', values: { identifier, count: cleared } });
    return reply.redirect(LOCKOUTS, 303);
  });
}
