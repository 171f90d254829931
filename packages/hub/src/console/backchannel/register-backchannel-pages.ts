import type { FastifyInstance } from 'fastify';
import { t } from '../../i18n/translate.ts';
import type { ConsoleDeps } from '../console-deps.ts';
import { formValue, isConfirmed } from '../console-html.ts';
import { sendConfirmation, sendConsolePage } from '../console-page.ts';
import { consoleActor, consoleSession } from '../console-request.ts';
import { renderDeliveries, retryPath } from './render-deliveries.ts';

const DELIVERIES_PATH = '/console/backchannel';

/** The hidden field that carries a listed delivery's app from its confirmation to the notice after. */
const APP_FIELD = 'app';

/**
 * The console's back-channel deliveries: the failed and pending lists, and "retry now" on one
 * (confirmed first), which the deliveries domain audits with the console actor. The retry goes by
 * id, as the admin API's does (the queue's own requeue): the list only describes the delivery on
 * the confirmation page, so one the list leaves out (it shows the 500 soonest due) is still
 * retried. A delivery that is gone by the time it is retried (delivered meanwhile) is said so,
 * not treated as an error.
 */
export function registerBackchannelPages(console: FastifyInstance, deps: ConsoleDeps): void {
  const deliveries = () => deps.ctx.bridge.backchannelDeliveries;

  console.get('/backchannel', async (request, reply) =>
    sendConsolePage(request, reply, { title: t('console-users.backchannel.title'), section: 'backchannel', body: renderDeliveries(request, await deliveries().list()) }),
  );

  console.post<{ Params: { id: string } }>('/backchannel/:id/retry', async (request, reply) => {
    const { id } = request.params;
    if (!isConfirmed(request.body)) {
      const { pending, failed } = await deliveries().list();
      const delivery = [...failed, ...pending].find((d) => d.id === id);
      if (!delivery) {
        return sendConfirmation(request, reply, {
          title: t('console-users.confirm.retry.title_unlisted', { id }),
          lead: t('console-users.confirm.retry.unlisted'),
          action: retryPath(id),
          confirmLabel: t('console-users.backchannel.retry'),
          cancelHref: DELIVERIES_PATH,
          section: 'backchannel',
        });
      }
      return sendConfirmation(request, reply, {
        title: t('console-users.confirm.retry.title', { app: delivery.clientId }),
        lead: t(delivery.state === 'failed' ? 'console-users.confirm.retry.failed' : 'console-users.confirm.retry.pending'),
        facts: [
          [t('console-users.column.app'), delivery.clientId],
          [t('console-users.column.account'), delivery.accountId],
          [t('console-users.column.reason'), delivery.reason],
          [t('console-users.column.attempts'), delivery.attempt],
          [t('console-users.column.last_error'), delivery.lastError ?? t('console-users.backchannel.no_error')],
        ],
        action: retryPath(id),
        hidden: { [APP_FIELD]: delivery.clientId },
        confirmLabel: t('console-users.backchannel.retry'),
        cancelHref: DELIVERIES_PATH,
        section: 'backchannel',
      });
    }
    const result = await deliveries().retryNow(id, consoleActor(request));
    // The app only names the delivery in the admin's own notice; the retry itself goes by id.
    const app = formValue(request.body, APP_FIELD)?.slice(0, 255);
    await deps.sessions.setNotice(
      consoleSession(request),
      result === 'not_found'
        ? { key: 'console-users.notice.retry_not_found' }
        : app
          ? { key: 'console-users.notice.retry_queued', values: { app } }
          : { key: 'console-users.notice.retry_queued_unlisted', values: { id } },
    );
    return reply.header('cache-control', 'no-store').redirect(DELIVERIES_PATH, 303);
  });
}
