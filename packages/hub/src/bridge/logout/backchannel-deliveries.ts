/**
 * Owns what operators see of back-channel logout deliveries (the console and the admin API,
 * issue 27): those still queued, those given up, and "retry now".
 */
import type { AuditLog } from '../../audit/audit-log.ts';
import type { BackchannelJob, BackchannelQueue } from './backchannel-queue.ts';

export interface BackchannelDeliveryView {
  id: string;
  clientId: string;
  accountId: string;
  sid: string | undefined;
  reason: string;
  /** pending: the number of the next attempt; failed: how many attempts were made. */
  attempt: number;
  state: 'pending' | 'failed';
  /** pending: when it is next tried (ISO); while an attempt is under way, when its lease ends. */
  nextAttemptAt: string | undefined;
  /** failed: when it was given up (ISO). */
  failedAt: string | undefined;
  /** e.g. "HTTP 500", "ECONNREFUSED" — never a token. */
  lastError: string | undefined;
}

export interface BackchannelDeliveries {
  list(): Promise<{ pending: BackchannelDeliveryView[]; failed: BackchannelDeliveryView[] }>;
  /** Pending: try it at once; failed: put it back in the queue as a fresh attempt. */
  retryNow(id: string, actor: string): Promise<'queued' | 'not_found'>;
}

/**
 * At most this many pending deliveries are listed, the soonest due first: during an outage of a
 * busy app the queue may hold far more than a page or a terminal can show, and the soonest are
 * the ones to act on. The queue depth gauge counts them all.
 */
export const PENDING_LIST_LIMIT = 500;

/**
 * Lists through the queue's own reads and retries through its one atomic `requeue`, so two hub
 * instances (or two operators) retrying the same delivery at once queue it once. A retried
 * delivery is picked up by the next poll of any instance; `poll` starts this instance's at once.
 */
export function createBackchannelDeliveries(o: { queue: BackchannelQueue; audit: AuditLog; poll?: () => Promise<void> }): BackchannelDeliveries {
  return {
    async list() {
      const [queued, failed] = await Promise.all([o.queue.queued(PENDING_LIST_LIMIT), o.queue.failed()]);
      return {
        pending: queued.map(({ job, dueAt }) => view(job, { state: 'pending', nextAttemptAt: iso(dueAt), failedAt: undefined, lastError: job.lastError })),
        failed: failed.map(({ job, failedAt, error }) => view(job, { state: 'failed', nextAttemptAt: undefined, failedAt: iso(failedAt), lastError: error })),
      };
    },
    async retryNow(id, actor) {
      const requeued = await o.queue.requeue(id);
      if (!requeued) return 'not_found';
      const { job, from, attempting } = requeued;
      o.audit.record({
        type: 'bridge.backchannel.retry_requested',
        actor,
        subject: job.accountId,
        clientId: job.clientId,
        outcome: 'success',
        deliveryId: job.id,
        reason: job.reason,
        // Where it was: "failed" (queued again as attempt 1) or "pending" (made due now).
        from,
        ...(attempting ? { attempting: true } : {}),
      });
      // Errors of a poll are the poller's to log; the job waits for the next one meanwhile.
      if (o.poll && !attempting) void o.poll().catch(() => undefined);
      return 'queued';
    },
  };
}

type State = Pick<BackchannelDeliveryView, 'state' | 'nextAttemptAt' | 'failedAt' | 'lastError'>;

// Only the job's own fields, named one by one: nothing else a stored job may carry is shown.
function view(job: BackchannelJob, state: State): BackchannelDeliveryView {
  return {
    id: job.id,
    clientId: job.clientId,
    accountId: job.accountId,
    sid: job.sid === '' ? undefined : job.sid,
    reason: job.reason,
    attempt: job.attempt,
    ...state,
  };
}

function iso(ms: number): string | undefined {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}
