import { createServer, type Server } from 'node:https';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort, type TestBrowser } from '@ssohub/testkit';
import { openBrowser } from '../support/browser.ts';

describe('Chromium over https with the test CA on an unrelated test host name', () => {
  let browser: TestBrowser;
  let server: Server;
  let origin: string;
  beforeAll(async () => {
    browser = await openBrowser();
    const port = await freePort();
    origin = `https://login.sso.test:${port}`;
    server = createServer({ cert: inject('certPem'), key: inject('keyPem') }, (req, res) => {
      if (req.url === '/set') {
        res.setHeader('set-cookie', '__Host-probe=secure-value; Path=/; Secure; HttpOnly; SameSite=Lax');
      }
      res.setHeader('content-type', 'text/html');
      res.end(`<!doctype html><title>probe</title><p id="cookie">${(req.headers.cookie ?? '').replace(/[<>&]/g, '')}</p>`);
    });
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
  });

  it('loads the page without certificate errors and reads a Secure __Host- cookie back', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const first = await page.goto(`${origin}/set`);
    expect(first?.status()).toBe(200);
    expect(page.url()).toBe(`${origin}/set`);
    await page.goto(`${origin}/echo`);
    expect(await page.textContent('#cookie')).toBe('__Host-probe=secure-value');
    const [cookie] = await context.cookies(origin);
    expect(cookie).toMatchObject({ name: '__Host-probe', domain: 'login.sso.test', secure: true, httpOnly: true, sameSite: 'Lax' });
    await context.close();
  });
});
