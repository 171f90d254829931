import { renderTable } from '../../output/render-table.ts';

/** One back-channel logout delivery as the admin API lists it (GET /admin/backchannel/deliveries). */
export interface DeliveryView {
  id: string;
  clientId: string;
  accountId: string;
  sid?: string;
  reason: string;
  attempt: number;
  state: 'pending' | 'failed';
  nextAttemptAt?: string;
  failedAt?: string;
  lastError?: string;
}

export interface DeliveriesAnswer {
  pending: DeliveryView[];
  failed: DeliveryView[];
}

/** Pending then failed deliveries, each as a table, and how to retry one. */
export function renderDeliveries(answer: DeliveriesAnswer): string {
  if (answer.pending.length === 0 && answer.failed.length === 0) return 'No pending or failed back-channel delivery.\n';
  const out: string[] = [];
  out.push(
    answer.pending.length === 0
      ? 'Pending: none.\n'
      : `Pending (${answer.pending.length}):\n${renderTable(
          ['ID', 'CLIENT', 'USER', 'REASON', 'NEXT ATTEMPT', 'DUE', 'LAST ERROR'],
          answer.pending.map((d) => [d.id, d.clientId, d.accountId, d.reason, d.attempt, d.nextAttemptAt, d.lastError]),
        )}`,
  );
  out.push(
    answer.failed.length === 0
      ? 'Failed: none.\n'
      : `Failed (${answer.failed.length}):\n${renderTable(
          ['ID', 'CLIENT', 'USER', 'REASON', 'ATTEMPTS', 'GIVEN UP AT', 'LAST ERROR'],
          answer.failed.map((d) => [d.id, d.clientId, d.accountId, d.reason, d.attempt, d.failedAt, d.lastError]),
        )}`,
  );
  return `${out.join('\n')}\nRetry one now with: ssohub backchannel retry <id>\n`;
}
