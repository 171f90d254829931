import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../audit/audit-log.ts';
import { createBackchannelDeliveries } from '../bridge/logout/backchannel-deliveries.ts';
import type { BackchannelJob } from '../bridge/logout/backchannel-queue.ts';
import { MemoryBackchannelQueue } from '../bridge/logout/memory-backchannel-queue.ts';
import { registerErrorHandler } from '../errors/register-error-handler.ts';
import type { HubContext } from '../hub-context.ts';
import { registerBackchannelRoutes } from './backchannel-routes.ts';

const job = (over: Partial<BackchannelJob> = {}): BackchannelJob => ({ id: crypto.randomUUID(), clientId: 'app-a', accountId: 'ada', sid: 'sid-1', attempt: 1, reason: 'admin_revoked', ...over });

async function setup() {
  const events: AuditEvent[] = [];
  const audit = { record: (e: AuditEvent) => void events.push(e), tail: async () => [] };
  const queue = new MemoryBackchannelQueue();
  let polls = 0;
  const deliveries = createBackchannelDeliveries({
    queue,
    audit,
    poll: async () => {
      polls++;
    },
  });
  // The listener's Ajv settings (app.ts): nothing coerced or dropped.
  const admin = Fastify({ ajv: { customOptions: { coerceTypes: false, removeAdditional: false } } });
  registerErrorHandler(admin);
  registerBackchannelRoutes(admin, { bridge: { backchannelDeliveries: deliveries }, audit } as unknown as HubContext);
  return { admin, queue, events, polls: () => polls };
}

describe('back-channel deliveries through the admin API', () => {
  it('lists pending deliveries with their next attempt and last error, and failed ones with when and why, never a token', async () => {
    const { admin, queue } = await setup();
    const waiting = job({ sid: '' });
    await queue.retryLater({ ...waiting, attempt: 2, lastError: 'expected 200 OK from https://app-a.test/bc, got: 503 Service Unavailable' }, (await queue.addLeased(waiting, 60_000))!, 60_000);
    const given = job({ clientId: 'app-b', accountId: 'bob', reason: 'user_disabled' });
    await queue.abandon({ ...given, attempt: 4 }, (await queue.addLeased(given, 60_000))!, 'fetch failed (ECONNREFUSED)');

    const res = await admin.inject({ method: 'GET', url: '/admin/backchannel/deliveries' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toEqual({
      pending: [
        {
          id: waiting.id,
          clientId: 'app-a',
          accountId: 'ada',
          reason: 'admin_revoked',
          attempt: 2,
          state: 'pending',
          nextAttemptAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
          lastError: 'expected 200 OK from https://app-a.test/bc, got: 503 Service Unavailable',
        },
      ],
      failed: [
        {
          id: given.id,
          clientId: 'app-b',
          accountId: 'bob',
          sid: 'sid-1',
          reason: 'user_disabled',
          attempt: 4,
          state: 'failed',
          failedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
          lastError: 'fetch failed (ECONNREFUSED)',
        },
      ],
    });
    const next = Date.parse(body.pending[0].nextAttemptAt);
    expect(next).toBeGreaterThan(Date.now() + 50_000);
    expect(res.body).not.toMatch(/logout_token|eyJ/);
    await admin.close();
  });

  it('retries a failed delivery as a fresh attempt, audited with the admin, and answers 404 for an unknown one', async () => {
    const { admin, queue, events, polls } = await setup();
    const given = job();
    await queue.abandon({ ...given, attempt: 2 }, (await queue.addLeased(given, 60_000))!, 'HTTP 500');

    const res = await admin.inject({ method: 'POST', url: `/admin/backchannel/deliveries/${given.id}/retry`, headers: { 'x-ssohub-actor': 'alice' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ id: given.id, result: 'queued' });
    expect(await queue.failed()).toEqual([]);
    expect(await queue.pending()).toEqual([{ ...given, attempt: 1 }]);
    expect(events).toEqual([
      { type: 'bridge.backchannel.retry_requested', actor: 'admin:alice', subject: 'ada', clientId: 'app-a', outcome: 'success', deliveryId: given.id, reason: 'admin_revoked', from: 'failed' },
    ]);
    // This instance polls at once rather than at its next tick.
    expect(polls()).toBe(1);

    // Retried again while it waits: made due now, still one job.
    expect((await admin.inject({ method: 'POST', url: `/admin/backchannel/deliveries/${given.id}/retry` })).json()).toEqual({ id: given.id, result: 'queued' });
    expect(events[1]).toMatchObject({ actor: 'admin', from: 'pending' });
    expect(await queue.depth()).toBe(1);

    const missing = await admin.inject({ method: 'POST', url: '/admin/backchannel/deliveries/nope/retry', headers: { accept: 'application/json' } });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toMatchObject({ code: 'SSOHUB_ERR_NOT_FOUND', message: expect.stringMatching(/ssohub backchannel list/) });
    expect(events).toHaveLength(2);
    await admin.close();
  });

  it('leaves a delivery an attempt holds to that attempt', async () => {
    const { admin, queue, events, polls } = await setup();
    const held = job();
    await queue.addLeased(held, 60_000);
    const res = await admin.inject({ method: 'POST', url: `/admin/backchannel/deliveries/${held.id}/retry` });
    expect(res.json()).toEqual({ id: held.id, result: 'queued' });
    expect(events[0]).toMatchObject({ from: 'pending', attempting: true });
    expect(polls()).toBe(0);
    expect(await queue.claim(10, 60_000)).toEqual([]);
    await admin.close();
  });

  it('refuses a body on retry', async () => {
    const { admin } = await setup();
    const res = await admin.inject({ method: 'POST', url: '/admin/backchannel/deliveries/x/retry', payload: { force: true }, headers: { accept: 'application/json' } });
    expect(res.statusCode).toBe(400);
    await admin.close();
  });
});
