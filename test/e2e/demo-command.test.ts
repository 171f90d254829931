import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IsolationReport, renderHtml } from '@ssohub/cli';
import { freePort, REPO_ROOT, type TestBrowser, waitFor } from '@ssohub/testkit';
import { runCli } from '../integration/cli-run.ts';
import { openBrowser, screenshot } from '../support/browser.ts';
import { readmeAuditCommand } from '../support/readme-audit-command.ts';

// The README's run command, exactly as a person runs it (`npm run demo`), on other ports: over
// plain http on *.localhost, Kratos on a SQLite file, the hub on its memory store.

describe('npm run demo', () => {
  let demo: ChildProcessWithoutNullStreams;
  let output = '';
  let browser: TestBrowser;
  const ports = { hub: 0, appA: 0, shopB: 0, admin: 0 };

  beforeAll(async () => {
    ports.hub = await freePort();
    ports.appA = await freePort();
    ports.shopB = await freePort();
    ports.admin = await freePort();
    demo = spawn('npm', ['run', 'demo'], {
      cwd: REPO_ROOT,
      env: { ...process.env, DEMO_HUB_PORT: String(ports.hub), DEMO_APP_A_PORT: String(ports.appA), DEMO_SHOP_B_PORT: String(ports.shopB), DEMO_ADMIN_PORT: String(ports.admin) },
      detached: true,
    });
    demo.stdout.on('data', (b: Buffer) => (output += b.toString()));
    demo.stderr.on('data', (b: Buffer) => (output += b.toString()));
    await waitFor('the demo to print its URLs', async () => (output.includes('Press Ctrl-C to stop') ? true : undefined), { timeoutMs: 120_000 });
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    try {
      if (demo && demo.exitCode === null && demo.signalCode === null) process.kill(-demo.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  });

  it('prints the URLs to open and says which store is in use', () => {
    expect(output).toContain(`App A          http://app-a.localhost:${ports.appA}`);
    expect(output).toContain(`Shop B         http://shop-b.localhost:${ports.shopB}`);
    expect(output).toContain(`Login domain   http://login.localhost:${ports.hub}`);
    expect(output).toMatch(/ssohub WARNING: memory store in use/);
  });

  it('lets a person register by code from App A and open Shop B signed in', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const email = `demo.${Date.now()}@example.test`;
    await page.goto(`http://app-a.localhost:${ports.appA}/`);
    await page.locator('[data-testid="sign-in"]').click();
    await page.waitForURL(new RegExp(`^http://login\\.localhost:${ports.hub}/login\\?flow=`));
    await page.locator('[data-testid="link/registration"]').click();
    await page.locator('[data-testid="node/default/traits.email"]').fill(email);
    await page.locator('[data-testid="node/default/traits.name"]').fill('Demo Person');
    await page.locator('button[data-testid="node/profile/method"]').click();
    await page.locator('button[data-testid="node/code/method"]').click();
    // The demo prints each captured mail's code in the terminal, as a person would read it.
    const code = await waitFor('the code in the demo output', async () => new RegExp(`mail to ${email.replace(/\./g, '\\.')}: .*code: (\\d{6})`).exec(output)?.[1], { timeoutMs: 20_000 });
    await page.locator('[data-testid="node/code/code"]').fill(code);
    await page.locator('button[data-testid="node/code/method"]').click();
    await page.waitForURL(`http://app-a.localhost:${ports.appA}/`);
    expect(await page.locator('[data-testid="email"]').textContent()).toBe(email);
    await screenshot(page, 'demo-app-a');
    await page.locator('[data-testid="other-app"]').click();
    await page.waitForURL(`http://shop-b.localhost:${ports.shopB}/`);
    await page.locator('[data-testid="sign-in"]').click();
    await page.waitForURL(`http://shop-b.localhost:${ports.shopB}/`);
    expect(await page.locator('[data-testid="email"]').textContent()).toBe(email);
    await context.close();
  });

  it("passes the README's isolation audit as written, with the export lines the demo prints: 0 failed, 0 inconclusive", async () => {
    // The command from the README (so this test breaks when the README changes), on this run's ports.
    const readme = readmeAuditCommand(await readFile(join(REPO_ROOT, 'README.md'), 'utf8'));
    const args = readme.args.map((a) => a.replace(':4000', `:${ports.hub}`).replace(':4001', `:${ports.appA}`).replace(':4002', `:${ports.shopB}`));
    // The three export lines, pasted as a person would.
    const env: Record<string, string> = {};
    for (const m of output.matchAll(/^ {2}export (SSOHUB_[A-Z_]+)=(?:'([^']*)'|(\S+))$/gm)) env[m[1]!] = m[2] ?? m[3]!;
    expect(Object.keys(env).sort()).toEqual(['SSOHUB_ADMIN_TOKEN', 'SSOHUB_ADMIN_URL', 'SSOHUB_AUDIT_TEST_USER']);
    expect(env.SSOHUB_ADMIN_URL).toBe(`http://127.0.0.1:${ports.admin}`);
    // The demo prints the same command (its own ports), so the README and the demo agree.
    expect(output.replace(/\\\n\s+/g, '')).toContain(`npm run ssohub -- ${args.join(' ')}`);

    const started = performance.now();
    const res = await runCli([...args, '--format', 'json'], env);
    const seconds = (performance.now() - started) / 1000;
    const report = res.json() as IsolationReport;
    const notPassing = report.checks.filter((c) => c.verdict === 'fail' || c.verdict === 'inconclusive').map((c) => `${c.verdict} ${c.id} ${c.target}: ${c.detail}`);
    expect(notPassing).toEqual([]);
    expect(res.code).toBe(0);
    expect(report.summary.fail).toBe(0);
    expect(report.summary.inconclusive).toBe(0);
    // Only https and HSTS are skipped on a loopback demo over http, each saying why.
    expect(report.checks.filter((c) => c.verdict === 'skipped').map((c) => c.id).sort()).toEqual(['hub.headers.hsts', 'hub.https']);
    // The live checks with the test user ran and passed.
    for (const id of ['session.cookie-map', 'logout.global', 'logout.local']) expect(report.checks.find((c) => c.id === id)?.verdict, id).toBe('pass');
    expect(report.checks.filter((c) => c.id === 'app.token-confusion' && c.verdict === 'pass')).toHaveLength(2);
    const map = report.checks.find((c) => c.id === 'session.cookie-map')!;
    expect(map.table?.rows.map((r) => r[0])).toEqual(expect.arrayContaining(['login.localhost', 'app-a.localhost', 'shop-b.localhost']));
    const timings = report.checks.filter((c) => c.durationMs !== undefined && c.durationMs >= 100).map((c) => `${c.id} ${c.durationMs} ms`);
    console.log(`README audit against the demo: ${seconds.toFixed(1)} s (${report.summary.pass} passed); ${timings.join(', ')}`);
    expect(seconds).toBeLessThan(30);

    // The HTML report, cookie map included, prints on one A4 page for an audit file.
    const page = await (await browser.newContext()).newPage();
    await page.setContent(renderHtml(report));
    expect(await page.locator('[data-testid="table-session.cookie-map"] tbody tr').count()).toBe(map.table!.rows.length);
    const pdf = Buffer.from(await page.pdf({ format: 'A4', preferCSSPageSize: true }));
    expect(pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).toHaveLength(1);
    await page.context().close();

    // --browser: the same live checks with the sign-ins in Chromium find the same cookies.
    const inChromium = await runCli([...args, '--browser', '--format', 'json'], env);
    const browserReport = inChromium.json() as IsolationReport;
    expect(browserReport.context.auditMode).toBe('http+chromium');
    expect(browserReport.checks.filter((c) => c.verdict === 'fail' || c.verdict === 'inconclusive').map((c) => `${c.verdict} ${c.id}: ${c.detail}`)).toEqual([]);
    const browserMap = browserReport.checks.find((c) => c.id === 'session.cookie-map')!;
    expect(browserMap.detail).toMatch(/in Chromium/);
    const names = (r: string[][]) => r.map((row) => `${row[0]} ${row[1]}`).sort();
    expect(names(browserMap.table!.rows)).toEqual(names(map.table!.rows));
    expect(inChromium.code).toBe(0);
  }, 90_000);

  it('stops cleanly on Ctrl-C, leaving no listener behind', async () => {
    const exited = new Promise<string>((resolve) => demo.once('exit', (code, signal) => resolve(`${code}/${signal}`)));
    // A terminal's Ctrl-C signals the whole foreground process group: npm and the demo.
    process.kill(-demo.pid!, 'SIGINT');
    const outcome = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('timeout'), 15_000))]);
    // npm re-raises SIGINT after its script ends, as shells expect (exit status 130).
    expect(['0/null', '130/null', 'null/SIGINT']).toContain(outcome);
    expect(output).toContain('demo: stopping...');
    for (const port of [ports.hub, ports.appA, ports.shopB]) {
      await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
    }
  });
});
