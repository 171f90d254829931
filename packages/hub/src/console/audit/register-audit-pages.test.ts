import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../app.ts';
import { buildConsoleTestHub, type ConsoleTestSession, getConsolePage, signInToConsole } from '../console-test-kit.ts';

describe('the console’s audit trail', () => {
  let hub: Hub;
  let s: ConsoleTestSession;
  beforeAll(async () => {
    hub = await buildConsoleTestHub();
    s = await signInToConsole(hub, { name: 'alice' });
    for (let i = 0; i < 60; i++) hub.ctx.audit.record({ type: 'user.disabled', actor: 'console:zoe', subject: `identity-${i}`, outcome: 'success' });
    hub.ctx.audit.record({ type: 'client.created', actor: 'admin:bob', clientId: 'app-x', outcome: 'success', changes: ['client_name'] });
  });
  afterAll(() => hub.close());

  const rows = (body: string) => [...body.matchAll(/<tr><td data-label/g)].length;

  it('shows the newest events first, fifty a page, with a link to older ones that keeps the filters', async () => {
    const first = await getConsolePage(hub, s, '/console/audit?actor=console%3Azoe');
    expect(first.statusCode).toBe(200);
    expect(rows(first.body)).toBe(50);
    expect(first.body.indexOf('identity-59')).toBeLessThan(first.body.indexOf('identity-58'));
    const older = /href="(\/console\/audit\?[^"]+)" data-testid="console\/audit-older"/.exec(first.body)?.[1]?.replaceAll('&amp;', '&');
    expect(older).toContain('actor=console%3Azoe');
    const second = await getConsolePage(hub, s, older!);
    expect(rows(second.body)).toBe(10);
    expect(second.body).toContain('identity-0<');
    expect(second.body).not.toContain('data-testid="console/audit-older"');
  });

  it('filters by subject, client, event type (prefix) and time', async () => {
    const bySubject = await getConsolePage(hub, s, '/console/audit?subject=identity-7');
    expect(rows(bySubject.body)).toBe(1);
    const byClient = await getConsolePage(hub, s, '/console/audit?client=app-x');
    expect(rows(byClient.body)).toBe(1);
    expect(byClient.body).toContain('admin:bob');
    const byType = await getConsolePage(hub, s, '/console/audit?type=client.*');
    expect(rows(byType.body)).toBe(1);
    const future = await getConsolePage(hub, s, '/console/audit?from=2999-01-01T00%3A00');
    expect(rows(future.body)).toBe(0);
    expect(future.body).toContain('data-testid="console/audit-events-empty"');
    const bad = await getConsolePage(hub, s, '/console/audit?from=yesterday');
    expect(bad.statusCode).toBe(200);
    expect(bad.body).toContain('aria-invalid="true"');
  });

  it('refuses parameters it does not understand rather than ignoring them', async () => {
    expect((await getConsolePage(hub, s, '/console/audit?limit=5')).statusCode).toBe(400);
  });
});
