import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Hub } from '../../app.ts';
import { buildConsoleTestHub, type ConsoleTestSession, getConsolePage, postConsoleForm, signInToConsole } from '../console-test-kit.ts';

describe('the console’s lockouts', () => {
  let hub: Hub;
  let s: ConsoleTestSession;
  beforeAll(async () => {
    hub = await buildConsoleTestHub();
    s = await signInToConsole(hub, { name: 'alice' });
  });
  afterAll(() => hub.close());

  it('lists the guard’s lockouts, each with a button that clears it after a confirmation', async () => {
    vi.spyOn(hub.ctx.guard, 'listLockouts').mockResolvedValue([
      { key: 'id:x', identifier: 'ada@example.test', ip: undefined, until: '2026-12-06T10:15:00.000Z', failures: 30, level: 1 },
      { key: 'pair:y', identifier: 'bob@example.test', ip: '203.0.113.9', until: '2026-12-06T10:05:00.000Z', failures: 5, level: 2 },
    ]);
    const page = await getConsolePage(hub, s, '/console/lockouts');
    expect(page.body).toContain('ada@example.test');
    expect(page.body).toContain('203.0.113.9');
    expect(page.body.match(/data-testid="console\/clear-lockout"/g)).toHaveLength(2);
    expect(page.body).toContain('<input type="hidden" name="identifier" value="bob@example.test">');
    const clear = vi.spyOn(hub.ctx.guard, 'clearLockout').mockResolvedValue(1);
    const ask = await postConsoleForm(hub, s, '/console/lockouts/clear', { identifier: 'bob@example.test' });
    expect(ask.body).toContain('data-testid="console/confirm"');
    expect(clear).not.toHaveBeenCalled();
    await postConsoleForm(hub, s, '/console/lockouts/clear', { identifier: 'bob@example.test', confirmed: 'yes' });
    expect(clear).toHaveBeenCalledWith('bob@example.test', 'console:alice');
    vi.restoreAllMocks();
  });

  it('refuses an empty identifier without asking the guard', async () => {
    const clear = vi.spyOn(hub.ctx.guard, 'clearLockout');
    const res = await postConsoleForm(hub, s, '/console/lockouts/clear', { identifier: '   ', confirmed: 'yes' });
    expect(res.statusCode).toBe(400);
    expect(clear).not.toHaveBeenCalled();
    vi.restoreAllMocks();
  });
});
