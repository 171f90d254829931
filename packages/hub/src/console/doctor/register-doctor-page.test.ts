import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../app.ts';
import type { DoctorReport } from '../../doctor/run-doctor.ts';
import { buildConsoleTestHub, CONSOLE_TEST_TOKEN, getConsolePage, signInToConsole } from '../console-test-kit.ts';

describe('the console’s overview', () => {
  let hub: Hub;
  beforeAll(async () => {
    hub = await buildConsoleTestHub();
  });
  afterAll(() => hub.close());

  it('shows the doctor’s report as the admin API gives it, failing checks first, without secrets', async () => {
    const api = await hub.admin.inject({ method: 'GET', url: '/admin/doctor', headers: { authorization: `Bearer ${CONSOLE_TEST_TOKEN}` } });
    const report = api.json() as DoctorReport;
    const s = await signInToConsole(hub);
    const page = await getConsolePage(hub, s, '/console');
    expect(page.statusCode).toBe(200);
    const shown = [...page.body.matchAll(/<td data-label="[^"]*"><code>([a-z._]+)<\/code><\/td>/g)].map((m) => m[1]);
    expect([...shown].sort()).toEqual(report.checks.map((c) => c.id).sort());
    const rank = { fail: 0, warn: 1, ok: 2 } as const;
    const verdicts = shown.map((id) => rank[report.checks.find((c) => c.id === id)!.verdict]);
    expect(verdicts).toEqual([...verdicts].sort((a, b) => a - b));
    // Kratos is down in this test: its checks fail, and say so.
    expect(report.checks.some((c) => c.verdict === 'fail')).toBe(true);
    expect(page.body).toContain(`${report.checks.filter((c) => c.verdict === 'fail').length} failing`);
    expect(page.body).not.toContain(CONSOLE_TEST_TOKEN);
    expect(page.body).not.toContain('test-cookie-key-0123456789abcdefghijklmnop');
  });
});
