import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, REPO_ROOT, type TestBrowser, waitFor } from '@ssohub/testkit';
import { openBrowser, screenshot } from '../support/browser.ts';

// The README's run command, exactly as a person runs it (`npm run demo`), on other ports: over
// plain http on *.localhost, Kratos on a SQLite file, the hub on its memory store.

describe('npm run demo', () => {
  let demo: ChildProcessWithoutNullStreams;
  let output = '';
  let browser: TestBrowser;
  const ports = { hub: 0, appA: 0, shopB: 0 };

  beforeAll(async () => {
    ports.hub = await freePort();
    ports.appA = await freePort();
    ports.shopB = await freePort();
    demo = spawn('npm', ['run', 'demo'], {
      cwd: REPO_ROOT,
      env: { ...process.env, DEMO_HUB_PORT: String(ports.hub), DEMO_APP_A_PORT: String(ports.appA), DEMO_SHOP_B_PORT: String(ports.shopB) },
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
