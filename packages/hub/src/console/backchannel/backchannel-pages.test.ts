import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Hub } from '../../app.ts';
import type { BackchannelDeliveryView } from '../../bridge/logout/backchannel-deliveries.ts';
import { buildConsoleTestHub, type ConsoleTestSession, getConsolePage, postConsoleForm, signInToConsole } from '../console-test-kit.ts';

// The console's back-channel deliveries page: the failed and pending lists, and "retry now",
// confirmed and CSRF-checked, handed to the deliveries domain with the console actor.

const delivery = (over: Partial<BackchannelDeliveryView>): BackchannelDeliveryView => ({
  id: 'd-1',
  clientId: 'app-a',
  accountId: '0b0f6c1e-4f0a-4c52-9d7e-2a8e6d1c9b10',
  sid: 'sid-1',
  reason: 'admin',
  attempt: 2,
  state: 'pending',
  nextAttemptAt: '2026-03-04T05:06:07.000Z',
  failedAt: undefined,
  lastError: 'HTTP 500',
  ...over,
});

describe('the console’s back-channel deliveries page', () => {
  let hub: Hub;
  let s: ConsoleTestSession;
  let retryNow: ReturnType<typeof vi.fn<(id: string, actor: string) => Promise<'queued' | 'not_found'>>>;

  beforeAll(async () => {
    hub = await buildConsoleTestHub();
    s = await signInToConsole(hub, { name: 'alice' });
  });
  afterAll(() => hub.close());
  beforeEach(() => {
    vi.spyOn(hub.ctx.bridge.backchannelDeliveries, 'list').mockResolvedValue({
      pending: [delivery({})],
      failed: [delivery({ id: 'd-2', clientId: 'shop-b', state: 'failed', attempt: 6, nextAttemptAt: undefined, failedAt: '2026-03-04T06:00:00.000Z', lastError: 'ECONNREFUSED' })],
    });
    retryNow = vi.fn(async (id: string, _actor: string) => (id === 'd-2' || id === 'd-1' ? ('queued' as const) : ('not_found' as const)));
    vi.spyOn(hub.ctx.bridge.backchannelDeliveries, 'retryNow').mockImplementation(retryNow);
  });

  it('lists failed and pending deliveries with their app, account, attempts, timing and last error', async () => {
    const res = await getConsolePage(hub, s, '/console/backchannel');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('data-testid="console/deliveries-failed"');
    expect(res.body).toContain('data-testid="console/deliveries-pending"');
    expect(res.body).toContain('ECONNREFUSED');
    expect(res.body).toContain('HTTP 500');
    expect(res.body).toContain('<time datetime="2026-03-04T06:00:00.000Z">');
    expect(res.body).toContain('href="/console/users/0b0f6c1e-4f0a-4c52-9d7e-2a8e6d1c9b10"');
    expect(res.body).toContain('data-testid="console/retry/d-2"');
    expect(res.body).toContain('aria-current="page">Deliveries</a>');
  });

  it('says when nothing waits and nothing failed', async () => {
    vi.spyOn(hub.ctx.bridge.backchannelDeliveries, 'list').mockResolvedValue({ pending: [], failed: [] });
    const res = await getConsolePage(hub, s, '/console/backchannel', { 'accept-language': 'fr' });
    expect(res.body).toContain('Aucun envoi n’a échoué.');
    expect(res.body).toContain('data-testid="console/deliveries-pending-empty"');
  });

  it('retries a failed delivery after confirmation, with the console actor', async () => {
    const ask = await postConsoleForm(hub, s, '/console/backchannel/d-2/retry');
    expect(ask.statusCode).toBe(200);
    expect(ask.body).toContain('Retry the delivery to shop-b now?');
    expect(ask.body).toContain('back into the queue as a fresh attempt');
    expect(retryNow).not.toHaveBeenCalled();

    const app = /<input type="hidden" name="app" value="([^"]+)">/.exec(ask.body)?.[1];
    expect(app).toBe('shop-b');
    const done = await postConsoleForm(hub, s, '/console/backchannel/d-2/retry', { app, confirmed: 'yes' });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/console/backchannel');
    expect(retryNow).toHaveBeenCalledWith('d-2', 'console:alice');
    expect((await getConsolePage(hub, s, '/console/backchannel')).body).toContain('The delivery to shop-b is queued for an attempt now.');
  });

  it('says a delivery that is gone is no longer queued', async () => {
    const res = await postConsoleForm(hub, s, '/console/backchannel/d-9/retry', { confirmed: 'yes' });
    expect(res.statusCode).toBe(303);
    expect(retryNow).toHaveBeenCalledWith('d-9', 'console:alice');
    expect((await getConsolePage(hub, s, '/console/backchannel')).body).toContain('That delivery is no longer queued');
  });

  it('retries by id a delivery the list leaves out (past the 500 soonest due), as the admin API does', async () => {
    retryNow.mockImplementation(async (id: string) => (id === 'd-700' ? ('queued' as const) : ('not_found' as const)));
    const ask = await postConsoleForm(hub, s, '/console/backchannel/d-700/retry');
    expect(ask.statusCode).toBe(200);
    expect(ask.body).toContain('Retry delivery d-700 now?');
    expect(ask.body).toContain('lists the 500 soonest due at most');
    expect(retryNow).not.toHaveBeenCalled();

    const list = vi.mocked(hub.ctx.bridge.backchannelDeliveries.list);
    list.mockClear();
    const done = await postConsoleForm(hub, s, '/console/backchannel/d-700/retry', { confirmed: 'yes' }, { 'accept-language': 'de' });
    expect(done.statusCode).toBe(303);
    expect(retryNow).toHaveBeenCalledWith('d-700', 'console:alice');
    // The retry itself looks nothing up in the list.
    expect(list).not.toHaveBeenCalled();
    expect((await getConsolePage(hub, s, '/console/backchannel', { 'accept-language': 'de' })).body).toContain('Die Zustellung d-700 ist für einen sofortigen Versuch eingereiht.');
  });

  it('refuses a retry without the CSRF token', async () => {
    const res = await postConsoleForm(hub, s, '/console/backchannel/d-1/retry', { confirmed: 'yes', csrf: 'x' });
    expect(res.statusCode).toBe(403);
    expect(retryNow).not.toHaveBeenCalled();
  });
});
