import type { FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Hub } from '../app.ts';
import type { StoredAuditEvent } from '../audit/audit-log.ts';
import { LOCALES } from '../i18n/locales.ts';
import { t } from '../i18n/translate.ts';
import { sessionCookie } from './console-cookie.ts';
import {
  buildConsoleTestHub,
  CONSOLE_TEST_ORIGIN,
  CONSOLE_TEST_TOKEN,
  type ConsoleTestSession,
  formBody,
  getConsolePage,
  postConsoleForm,
  signInToConsole,
} from './console-test-kit.ts';
import { SIGN_IN_BURST } from './sign-in-throttle.ts';

const form = { 'content-type': 'application/x-www-form-urlencoded', origin: CONSOLE_TEST_ORIGIN };

async function eventsSince(hub: Hub, before: string | undefined): Promise<StoredAuditEvent[]> {
  return hub.ctx.audit.tail(before ? { after: before, count: 1000 } : { count: 1000 });
}
const lastEventId = async (hub: Hub) => (await hub.ctx.audit.tail({ count: 1 })).at(-1)?.id;

describe('the console on the admin listener', () => {
  let hub: Hub;
  beforeAll(async () => {
    hub = await buildConsoleTestHub();
  });
  afterAll(() => hub.close());

  describe('signing in', () => {
    it('signs an admin in with the admin token and a name: a short-lived, HttpOnly, SameSite=Strict cookie scoped to /console, audited with the console actor', async () => {
      const before = await lastEventId(hub);
      const res = await hub.admin.inject({ method: 'POST', url: '/console/sign-in', headers: form, payload: formBody({ name: 'alice', token: CONSOLE_TEST_TOKEN, next: '/console/clients' }) });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/console/clients');
      const cookie = res.cookies.find((c) => c.name === 'ssohub_console')!;
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/console' });
      expect(cookie.maxAge).toBeUndefined();
      expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const events = await eventsSince(hub, before);
      expect(events.map((e) => [e.type, e.actor])).toEqual([['admin.console.signed_in', 'console:alice']]);
      expect(JSON.stringify(events)).not.toContain(CONSOLE_TEST_TOKEN);
      // The store keeps the hash of the id, never the id itself.
      const page = await hub.admin.inject({ method: 'GET', url: '/console/clients', headers: { cookie: `ssohub_console=${cookie.value}` } });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('data-testid="console/who"');
    });

    it('refuses a wrong token with 401, sets no cookie, and records admin.auth_failed with the IP as actor', async () => {
      const before = await lastEventId(hub);
      const res = await hub.admin.inject({ method: 'POST', url: '/console/sign-in', headers: form, payload: formBody({ name: 'mallory', token: `${CONSOLE_TEST_TOKEN}x` }), remoteAddress: '10.9.9.1' });
      expect(res.statusCode).toBe(401);
      expect(res.cookies).toEqual([]);
      expect(res.body).toContain(t('console.sign_in.bad_token'));
      const events = await eventsSince(hub, before);
      expect(events).toEqual([expect.objectContaining({ type: 'admin.auth_failed', actor: '10.9.9.1', ip: '10.9.9.1', route: '/console/sign-in', outcome: 'failure' })]);
      // Nothing typed into the form is recorded: a token pasted into the name field stays out of the trail.
      expect(JSON.stringify(events)).not.toContain('mallory');
    });

    it('refuses a name the audit trail could not carry, after checking the token', async () => {
      const res = await hub.admin.inject({ method: 'POST', url: '/console/sign-in', headers: form, payload: formBody({ name: 'al ice<script>', token: CONSOLE_TEST_TOKEN }), remoteAddress: '10.9.9.2' });
      expect(res.statusCode).toBe(400);
      expect(res.cookies).toEqual([]);
      expect(res.body).not.toContain('<script>');
      const token = await hub.admin.inject({ method: 'POST', url: '/console/sign-in', headers: form, payload: formBody({ name: CONSOLE_TEST_TOKEN, token: CONSOLE_TEST_TOKEN }), remoteAddress: '10.9.9.2' });
      expect(token.statusCode).toBe(400);
      expect(token.cookies).toEqual([]);
      expect(token.body).not.toContain(CONSOLE_TEST_TOKEN);
    });

    it(`throttles an IP after ${SIGN_IN_BURST} attempts, even with the right token, and says when to come back`, async () => {
      const attempt = (token: string) =>
        hub.admin.inject({ method: 'POST', url: '/console/sign-in', headers: form, payload: formBody({ name: 'eve', token }), remoteAddress: '10.9.9.3' });
      for (let i = 0; i < SIGN_IN_BURST; i++) expect((await attempt('wrong-token-wrong-token-wrong')).statusCode).toBe(401);
      const refused = await attempt(CONSOLE_TEST_TOKEN);
      expect(refused.statusCode).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(refused.cookies).toEqual([]);
      // Another address is not affected.
      const other = await hub.admin.inject({ method: 'POST', url: '/console/sign-in', headers: form, payload: formBody({ name: 'eve', token: CONSOLE_TEST_TOKEN }), remoteAddress: '10.9.9.4' });
      expect(other.statusCode).toBe(303);
    });

    it('refuses a sign-in posted from another site', async () => {
      const res = await hub.admin.inject({
        method: 'POST',
        url: '/console/sign-in',
        headers: { ...form, origin: 'https://evil.example' },
        payload: formBody({ name: 'alice', token: CONSOLE_TEST_TOKEN }),
      });
      expect(res.statusCode).toBe(403);
      expect(res.cookies).toEqual([]);
    });

    it('never sends the browser off the console after signing in', async () => {
      for (const next of ['https://evil.example/', '//evil.example/x', '/admin/clients', '/console/sign-in']) {
        const res = await hub.admin.inject({ method: 'POST', url: '/console/sign-in', headers: form, payload: formBody({ name: 'alice', token: CONSOLE_TEST_TOKEN, next }), remoteAddress: '10.9.8.1' });
        expect(res.headers.location, next).toBe('/console');
      }
    });

    it('signs out on the server: the old cookie is worth nothing afterwards', async () => {
      const s = await signInToConsole(hub, { name: 'bob' });
      const before = await lastEventId(hub);
      const out = await postConsoleForm(hub, s, '/console/sign-out');
      expect(out.statusCode).toBe(303);
      expect(out.headers.location).toBe('/console/sign-in');
      expect((await eventsSince(hub, before)).map((e) => [e.type, e.actor])).toEqual([['admin.console.signed_out', 'console:bob']]);
      const again = await getConsolePage(hub, s, '/console/clients');
      expect(again.statusCode).toBe(303);
      expect(again.headers.location).toBe('/console/sign-in?next=%2Fconsole%2Fclients');
    });
  });

  describe('without a session', () => {
    it('sends page requests to the sign-in page and refuses everything else', async () => {
      const page = await hub.admin.inject({ method: 'GET', url: '/console/audit?type=user.*' });
      expect(page.statusCode).toBe(303);
      expect(page.headers.location).toBe(`/console/sign-in?next=${encodeURIComponent('/console/audit?type=user.*')}`);
      const forged = await hub.admin.inject({ method: 'GET', url: '/console', headers: { cookie: `ssohub_console=${'A'.repeat(43)}` } });
      expect(forged.statusCode).toBe(303);
      expect(forged.headers.location).toBe('/console/sign-in');
      const post = await hub.admin.inject({ method: 'POST', url: '/console/lockouts/clear', headers: form, payload: formBody({ identifier: 'a@example.test', confirmed: 'yes' }) });
      expect(post.statusCode).toBe(401);
    });

    it('lets the admin API bearer token open no console page', async () => {
      const res = await hub.admin.inject({ method: 'GET', url: '/console/clients', headers: { authorization: `Bearer ${CONSOLE_TEST_TOKEN}` } });
      expect(res.statusCode).toBe(303);
    });
  });

  describe('an address no console page answers', () => {
    const unknown = ['/console/nope', '/console/users/someone/typo', '/console/clients/x/y/z', '/console/nope/', '/%63onsole/nope'];
    // Signed in from an address of its own: the other tests' sign-ins use up the throttle's burst.
    let s: ConsoleTestSession;
    beforeAll(async () => {
      const res = await hub.admin.inject({ method: 'POST', url: '/console/sign-in', headers: form, payload: formBody({ name: 'alice', token: CONSOLE_TEST_TOKEN }), remoteAddress: '10.9.7.1' });
      const cookie = `ssohub_console=${res.cookies.find((c) => c.name === 'ssohub_console')!.value}`;
      const page = await hub.admin.inject({ method: 'GET', url: '/console/lockouts', headers: { cookie } });
      s = { cookie, csrf: /name="csrf" value="([^"]+)"/.exec(page.body)![1]! };
    });

    it.each(LOCALES)('shows a signed-in admin the console’s 404 page in %s, with the way back to the overview', async (locale) => {
      const loginCsp = (await hub.app.inject({ method: 'GET', url: '/language?lang=en' })).headers['content-security-policy'];
      for (const url of unknown) {
        const res = await getConsolePage(hub, s, url, { 'accept-language': locale });
        expect(res.statusCode, url).toBe(404);
        expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
        expect(res.headers['content-security-policy'], url).toBe(loginCsp);
        expect(res.headers['cache-control']).toBe('no-store');
        expect(res.body).toContain(`<html lang="${locale}" dir="ltr">`);
        expect(res.body).toContain(t('console.frame.product', undefined, locale));
        expect(res.body).toContain(t('console.error.not_found', undefined, locale));
        expect(res.body).toContain(`<a class="button-link" href="/console">${t('console.error.back', undefined, locale)}</a>`);
        expect(res.body).toContain('data-code="SSOHUB_ERR_NOT_FOUND"');
      }
    });

    it('answers a signed-in admin’s HEAD, a post with the session’s CSRF token, and a method a page does not take with the same 404; JSON to a caller that asks for it', async () => {
      const head = await hub.admin.inject({ method: 'HEAD', url: '/console/nope', headers: { cookie: s.cookie } });
      expect(head.statusCode).toBe(404);
      const post = await postConsoleForm(hub, s, '/console/nope', { confirmed: 'yes' });
      expect(post.statusCode).toBe(404);
      expect(post.body).toContain(t('console.error.not_found'));
      const put = await hub.admin.inject({ method: 'PUT', url: '/console/clients', headers: { ...form, cookie: s.cookie }, payload: formBody({ csrf: s.csrf }) });
      expect(put.statusCode).toBe(404);
      expect(put.body).toContain(t('console.error.not_found'));
      // A change is still CSRF-checked first: an unknown address tells a forged form nothing more.
      expect((await postConsoleForm(hub, s, '/console/nope', { csrf: '' })).statusCode).toBe(403);
      const json = await getConsolePage(hub, s, '/console/nope', { accept: 'application/json' });
      expect(json.statusCode).toBe(404);
      expect(json.json()).toMatchObject({ error: { code: 'SSOHUB_ERR_NOT_FOUND', status: 404 } });
    });

    it('sends a caller without a session to the sign-in page, as every console page does, with no way back to an address that does not exist', async () => {
      for (const url of unknown) {
        for (const headers of [{}, { cookie: `ssohub_console=${'A'.repeat(43)}` }, { authorization: `Bearer ${CONSOLE_TEST_TOKEN}` }]) {
          const res = await hub.admin.inject({ method: 'GET', url, headers });
          expect(res.statusCode, url).toBe(303);
          expect(res.headers.location, url).toBe('/console/sign-in');
          expect((await hub.admin.inject({ method: 'HEAD', url, headers })).statusCode, url).toBe(303);
          const post = await hub.admin.inject({ method: 'POST', url, headers: { ...form, ...headers }, payload: formBody({ confirmed: 'yes' }) });
          expect(post.statusCode, url).toBe(401);
          expect(post.body).toContain(t('console.error.session_required'));
        }
      }
    });

    it('leaves every address outside /console, as the router reads it, to the admin API’s token check, a console session or not', async () => {
      const outside = ['/nope', '/admin/nope', '/admin/clients', '/%61dmin/clients', '//console', '//console/nope', '/%2fconsole/nope', '/console%2Fnope', '/%2563onsole/nope', '/CONSOLE/nope', '/consolex', '/console;x/nope'];
      for (const url of outside) {
        for (const headers of [{}, { cookie: s.cookie }]) {
          const res = await hub.admin.inject({ method: 'GET', url, headers });
          expect(res.statusCode, url).toBe(401);
          expect(res.headers['content-type'], url).toBe('application/json; charset=utf-8');
          expect(res.json().error.message, url).toMatch(/^missing or wrong admin token/);
        }
      }
      // The bearer token still opens the admin API's addresses, and its own 404 is JSON.
      const api = await hub.admin.inject({ method: 'GET', url: '/admin/nope', headers: { authorization: `Bearer ${CONSOLE_TEST_TOKEN}` } });
      expect(api.statusCode).toBe(404);
      expect(api.headers['content-type']).toBe('application/json; charset=utf-8');
    });
  });

  describe('changes', () => {
    it('refuses a post without the session’s CSRF token, or with another session’s', async () => {
      const alice = await signInToConsole(hub, { name: 'alice' });
      const bob = await signInToConsole(hub, { name: 'bob' });
      const clear = vi.spyOn(hub.ctx.guard, 'clearLockout');
      const none = await postConsoleForm(hub, alice, '/console/lockouts/clear', { identifier: 'x@example.test', confirmed: 'yes', csrf: '' });
      expect(none.statusCode).toBe(403);
      expect(none.body).toContain(t('console.error.csrf'));
      const other = await postConsoleForm(hub, alice, '/console/lockouts/clear', { identifier: 'x@example.test', confirmed: 'yes', csrf: bob.csrf });
      expect(other.statusCode).toBe(403);
      expect(clear).not.toHaveBeenCalled();
      clear.mockRestore();
    });

    it('refuses a cross-origin post even with the right token (Origin or Sec-Fetch-Site)', async () => {
      const s = await signInToConsole(hub);
      const clear = vi.spyOn(hub.ctx.guard, 'clearLockout');
      const fields = { identifier: 'x@example.test', confirmed: 'yes' };
      expect((await postConsoleForm(hub, s, '/console/lockouts/clear', fields, { origin: 'https://evil.example' })).statusCode).toBe(403);
      expect((await postConsoleForm(hub, s, '/console/lockouts/clear', fields, { 'sec-fetch-site': 'cross-site' })).statusCode).toBe(403);
      expect((await postConsoleForm(hub, s, '/console/lockouts/clear', fields, { 'sec-fetch-site': 'same-site' })).statusCode).toBe(403);
      expect(clear).not.toHaveBeenCalled();
      clear.mockRestore();
    });

    it('asks for confirmation before a change, does it once confirmed, and audits it with the console actor', async () => {
      const s = await signInToConsole(hub, { name: 'carol' });
      const clear = vi.spyOn(hub.ctx.guard, 'clearLockout');
      const ask = await postConsoleForm(hub, s, '/console/lockouts/clear', { identifier: 'Dave@Example.test' });
      expect(ask.statusCode).toBe(200);
      expect(ask.body).toContain('data-testid="console/confirm"');
      expect(ask.body).toContain('name="confirmed" value="yes"');
      expect(ask.body).toContain('href="/console/lockouts" data-testid="console/cancel"');
      expect(clear).not.toHaveBeenCalled();
      const before = await lastEventId(hub);
      const done = await postConsoleForm(hub, s, '/console/lockouts/clear', { identifier: 'Dave@Example.test', confirmed: 'yes' });
      expect(done.statusCode).toBe(303);
      expect(clear).toHaveBeenCalledWith('Dave@Example.test', 'console:carol');
      expect((await eventsSince(hub, before)).map((e) => [e.type, e.actor])).toEqual([['guard.unlocked', 'console:carol']]);
      // The notice is shown once, on the next page.
      const next = await getConsolePage(hub, s, '/console/lockouts');
      expect(next.body).toContain('data-testid="console/notice"');
      expect((await getConsolePage(hub, s, '/console/lockouts')).body).not.toContain('data-testid="console/notice"');
      clear.mockRestore();
    });
  });

  describe('pages', () => {
    const pages = ['/console', '/console/clients', '/console/clients/new', '/console/clients/new?kind=service', '/console/lockouts', '/console/audit'];

    it.each(LOCALES)('renders every page in %s, with the login pages’ CSP and no caching', async (locale) => {
      const s = await signInToConsole(hub);
      const loginCsp = (await hub.app.inject({ method: 'GET', url: '/language?lang=en' })).headers['content-security-policy'];
      expect(loginCsp).toBeTruthy();
      for (const url of pages) {
        const res = await getConsolePage(hub, s, url, { 'accept-language': locale });
        expect(res.statusCode, url).toBe(200);
        expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
        expect(res.headers['content-security-policy'], url).toBe(loginCsp);
        expect(res.headers['cache-control']).toBe('no-store');
        expect(res.headers['x-frame-options']).toBe('DENY');
        expect(res.body).toContain(`<html lang="${locale}" dir="ltr">`);
        expect(res.body).toContain(t('console.frame.product', undefined, locale));
        expect(res.body).toContain('<main class="card" id="main">');
        expect(res.body).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
        expect(res.body).not.toMatch(/<script|style=/);
      }
      const signIn = await hub.admin.inject({ method: 'GET', url: '/console/sign-in', headers: { 'accept-language': locale } });
      expect(signIn.body).toContain(t('console.sign_in.title', undefined, locale));
      expect(signIn.headers['content-security-policy']).toBe(loginCsp);
    });

    it('picks the language with the login pages’ picker, remembered for the console only', async () => {
      const res = await hub.admin.inject({ method: 'GET', url: '/console/language?lang=fr&next=%2Fconsole%2Fsign-in' });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/console/sign-in');
      const cookie = res.cookies.find((c) => c.name === 'ssohub_lang')!;
      expect(cookie).toMatchObject({ value: 'fr', path: '/console', httpOnly: true });
      const page = await hub.admin.inject({ method: 'GET', url: '/console/sign-in', headers: { cookie: 'ssohub_lang=fr' } });
      expect(page.body).toContain('<html lang="fr"');
      const away = await hub.admin.inject({ method: 'GET', url: '/console/language?lang=de&next=https%3A%2F%2Fevil.example' });
      expect(away.headers.location).toBe('/console');
    });

    it('serves its stylesheet without a session, and nothing else', async () => {
      const css = await hub.admin.inject({ method: 'GET', url: '/console/assets/console.css' });
      expect(css.statusCode).toBe(200);
      expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
      expect(css.body).toContain('table.data');
      expect(css.headers['cache-control']).toBe('no-store');
      const page = await hub.admin.inject({ method: 'GET', url: '/console/sign-in' });
      const href = /<link rel="stylesheet" href="([^"]+)">/.exec(page.body)![1]!;
      const versioned = await hub.admin.inject({ method: 'GET', url: href });
      expect(versioned.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    });
  });
});

describe('the console without admin.token', () => {
  let hub: Hub;
  beforeAll(async () => {
    hub = await buildConsoleTestHub({ admin: { token: undefined as unknown as string } });
  });
  afterAll(() => hub.close());

  it('says it is disabled and how to enable it, and signs nobody in', async () => {
    const page = await hub.admin.inject({ method: 'GET', url: '/console/sign-in' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(t('console.sign_in.disabled'));
    expect(page.body).toContain('SSOHUB_ADMIN_TOKEN');
    const post = await hub.admin.inject({ method: 'POST', url: '/console/sign-in', headers: form, payload: formBody({ name: 'alice', token: 'anything-at-all-anything-at-all' }) });
    expect(post.statusCode).toBe(401);
    expect(post.cookies).toEqual([]);
    expect((await hub.admin.inject({ method: 'GET', url: '/console' })).headers.location).toBe('/console/sign-in');
  });
});

describe('the console behind a TLS proxy the hub trusts', () => {
  let hub: Hub;
  beforeAll(async () => {
    // The admin listener's own trust (the public listener's trustProxy is not its), and the name
    // the proxy forwards, which the listener must answer to.
    hub = await buildConsoleTestHub({ admin: { trustProxy: true, allowedHosts: ['admin.internal.example'] } });
  });
  afterAll(() => hub.close());

  it('sets a Secure __Host- cookie, sends HSTS, and judges the origin by the https address', async () => {
    const https = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'admin.internal.example' };
    const res = await hub.admin.inject({
      method: 'POST',
      url: '/console/sign-in',
      headers: { ...https, 'content-type': 'application/x-www-form-urlencoded', origin: 'https://admin.internal.example' },
      payload: formBody({ name: 'alice', token: CONSOLE_TEST_TOKEN }),
    });
    expect(res.statusCode).toBe(303);
    expect(res.cookies).toEqual([expect.objectContaining({ name: '__Host-ssohub_console', secure: true, httpOnly: true, sameSite: 'Strict', path: '/' })]);
    expect(res.headers['strict-transport-security']).toContain('max-age=');
    const cookie = `__Host-ssohub_console=${res.cookies[0]!.value}`;
    expect((await hub.admin.inject({ method: 'GET', url: '/console/clients', headers: { ...https, cookie } })).statusCode).toBe(200);
    // The same cookie over plain http is not the console's cookie there.
    expect((await hub.admin.inject({ method: 'GET', url: '/console/clients', headers: { cookie } })).statusCode).toBe(303);
    const http = await hub.admin.inject({
      method: 'POST',
      url: '/console/sign-in',
      headers: { ...https, 'content-type': 'application/x-www-form-urlencoded', origin: 'http://admin.internal.example' },
      payload: formBody({ name: 'alice', token: CONSOLE_TEST_TOKEN }),
    });
    expect(http.statusCode).toBe(403);
  });
});

describe('the session cookie over https', () => {
  it('is Secure and takes the __Host- prefix (which needs Path=/)', () => {
    const https = sessionCookie({ protocol: 'https' } as FastifyRequest);
    expect(https).toEqual({ name: '__Host-ssohub_console', options: { path: '/', httpOnly: true, sameSite: 'strict', secure: true } });
    const http = sessionCookie({ protocol: 'http' } as FastifyRequest);
    expect(http).toEqual({ name: 'ssohub_console', options: { path: '/console', httpOnly: true, sameSite: 'strict', secure: false } });
  });
});
