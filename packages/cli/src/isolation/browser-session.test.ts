import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserSession, isPotentiallyTrustworthy, readForm } from './browser-session.ts';

nock.enableNetConnect((host) => /^(127\.0\.0\.1|localhost|[a-z0-9.-]+\.localhost)(:\d+)?$/.test(host));

// Kratos sets its CSRF cookie Secure even on http; on localhost and *.localhost browsers keep it
// and send it back, so the audit's browser must too (else every login flow answers 403).
let server: Server;
let port: number;
const seen: string[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/set') {
      res.setHeader('set-cookie', [
        'csrf_token_x=abc; Path=/; HttpOnly; Secure; SameSite=Lax',
        '__Host-ok=1; Path=/; Secure',
        '__Host-bad=1; Path=/',
        'gone=1; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT',
      ]);
      res.writeHead(302, { location: '/echo' }).end();
      return;
    }
    seen.push(req.headers.cookie ?? '');
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('BrowserSession', () => {
  it('keeps Secure cookies set over http by a *.localhost host and sends them back, as browsers do', async () => {
    const b = new BrowserSession();
    const last = await b.go(`http://login.localhost:${port}/set`);
    expect(last.status).toBe(200);
    expect(seen.at(-1)).toBe('csrf_token_x=abc; __Host-ok=1');
    expect(b.cookieNamesFor('login.localhost')).toEqual(['csrf_token_x', '__Host-ok']);
    // Host-only: another *.localhost host never gets them.
    await b.go(`http://app-a.localhost:${port}/echo`);
    expect(seen.at(-1)).toBe('');
  });

  it('treats https and loopback hosts as secure origins, plain http elsewhere not', () => {
    expect(isPotentiallyTrustworthy(new URL('http://login.localhost:4000/'))).toBe(true);
    expect(isPotentiallyTrustworthy(new URL('http://127.0.0.1:4000/'))).toBe(true);
    expect(isPotentiallyTrustworthy(new URL('https://login.example.com/'))).toBe(true);
    expect(isPotentiallyTrustworthy(new URL('http://login.example.com/'))).toBe(false);
  });
});

describe('readForm', () => {
  it('reads the action, method, hidden fields and the named submit button of the first form', () => {
    const form = readForm({
      url: 'http://login.localhost:4000/oidc/session/end?x=1',
      body: `<p>Sign out?</p><form method="post" action="/oidc/session/end/confirm?a=1&amp;b=2">
<input type="hidden" name="xsrf" value="s&amp;cret"><input type="text" name="ignored" value="no">
<button type="submit" name="logout" value="yes">Everywhere</button><button type="submit">Only here</button></form>`,
    });
    expect(form).toEqual({ action: 'http://login.localhost:4000/oidc/session/end/confirm?a=1&b=2', method: 'post', fields: { xsrf: 's&cret', logout: 'yes' } });
    expect(readForm({ url: 'http://x/', body: '<p>no form</p>' })).toBeUndefined();
  });
});
