import type Provider from 'oidc-provider';
import type { AuditLog } from '../../audit/audit-log.ts';
import type { Logger } from 'pino';
import type { BackchannelJob, BackchannelQueue } from './backchannel-queue.ts';

export interface BackchannelDeliverer {
  /** Makes attempt `job.attempt` now; on failure schedules the next one per the retry schedule. */
  deliver(job: Omit<BackchannelJob, 'id'> & { id?: string }): Promise<void>;
  /** Records the outcome of an attempt the provider made itself (RP-initiated logout). */
  recordProviderAttempt(job: Omit<BackchannelJob, 'id'>, error: Error | undefined): Promise<void>;
  start(): void;
  stop(): void;
}

/**
 * Sends back-channel logout tokens with retries: every attempt is an audit event
 * (`bridge.backchannel.delivered`, `.failed`, `.abandoned`); a failed attempt is put in the
 * queue with the next delay of `retryDelaysMs`, and every hub instance polls the queue, so a
 * retry survives the instance that scheduled it (with Redis). Each attempt mints a fresh logout
 * token (new jti, fresh iat), so a late retry is never refused as stale.
 */
export function createBackchannelDeliverer(o: {
  provider: Provider;
  queue: BackchannelQueue;
  audit: AuditLog;
  log: Logger;
  retryDelaysMs: readonly number[];
  pollIntervalMs: number;
}): BackchannelDeliverer {
  let timer: NodeJS.Timeout | undefined;
  let polling = false;

  const record = (job: BackchannelJob, outcome: 'delivered' | 'failed' | 'abandoned', error?: string) =>
    o.audit.record({
      type: `bridge.backchannel.${outcome}`,
      actor: 'system',
      subject: job.accountId,
      clientId: job.clientId,
      outcome: outcome === 'delivered' ? 'success' : 'failure',
      attempt: job.attempt,
      reason: job.reason,
      deliveryId: job.id,
      ...(error ? { error } : {}),
    });

  const afterFailure = async (job: BackchannelJob, error: string) => {
    record(job, 'failed', error);
    const delay = o.retryDelaysMs[job.attempt - 1];
    if (delay === undefined) {
      record(job, 'abandoned', `gave up after ${job.attempt} attempts`);
      return;
    }
    await o.queue.schedule({ ...job, attempt: job.attempt + 1 }, Date.now() + delay);
  };

  const deliver: BackchannelDeliverer['deliver'] = async (input) => {
    const job: BackchannelJob = { ...input, id: input.id ?? crypto.randomUUID() };
    let client: { backchannelLogoutUri?: string; backchannelLogout(sub: string, sid: string): Promise<void> } | undefined;
    try {
      client = (await o.provider.Client.find(job.clientId)) as unknown as typeof client;
    } catch {
      client = undefined;
    }
    if (!client?.backchannelLogoutUri) {
      record(job, 'abandoned', 'client is gone or has no backchannel_logout_uri');
      return;
    }
    try {
      await client.backchannelLogout(job.accountId, job.sid);
      record(job, 'delivered');
    } catch (err) {
      await afterFailure(job, describe(err));
    }
  };

  const poll = async () => {
    if (polling) return;
    polling = true;
    try {
      const due = await o.queue.claimDue(Date.now(), 20);
      await Promise.all(due.map((job) => deliver(job)));
    } catch (err) {
      o.log.error({ err: { message: (err as Error).message } }, 'back-channel retry poll failed');
    } finally {
      polling = false;
    }
  };

  return {
    deliver,
    async recordProviderAttempt(input, error) {
      const job: BackchannelJob = { ...input, id: crypto.randomUUID() };
      if (error) await afterFailure(job, describe(error));
      else record(job, 'delivered');
    },
    start() {
      timer = setInterval(() => void poll(), o.pollIntervalMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}

// The error text names the status or the network failure, never the token that was sent.
function describe(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  return e.cause?.code ? `${e.message} (${e.cause.code})` : (e.message ?? String(err));
}
