import type { Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ssoExpress } from '../src/index.ts';
import { cookieHeader, makeClient } from './helpers/test-client.ts';
import { forgetBrowser, startTestHub, type TestHub } from './helpers/test-hub.ts';

let hub: TestHub;
let server: Server;
let base: string;
const clientRef: { sid?: string } = {};

beforeAll(async () => {
  hub = await startTestHub();
  const client = await makeClient(hub);
  const sso = ssoExpress(client);
  const app = express();
  app.use(sso);
  app.get('/', (req, res) => {
    res.json({ signedIn: req.ssoSession !== null });
  });
  app.get('/account', sso.requireSession(), (req, res) => {
    clientRef.sid = req.ssoSession!.sid;
    res.json({ sub: req.ssoSession!.claims.sub });
  });
  app.get('/billing', sso.requireSession({ acr: 'aal2' }), (req, res) => {
    res.json({ acr: req.ssoSession!.claims.acr });
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await hub.close();
});

const get = (path: string, cookie = '', accept = 'text/html') => fetch(`${base}${path}`, { redirect: 'manual', headers: { cookie, accept } });

describe('Express middleware', () => {
  it('round trip: guard redirects, callback signs in, req.ssoSession is set, local logout ends it', async () => {
    forgetBrowser(hub.issuer);
    const first = await get('/account');
    expect(first.status).toBe(303);
    let jar = cookieHeader(first.headers.getSetCookie());
    const callback = await hub.authorize(first.headers.get('location')!);
    const back = await get(callback.pathname + callback.search, jar);
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe('/account');
    jar = cookieHeader(back.headers.getSetCookie(), jar);
    const page = await get('/account', jar, 'application/json');
    expect(page.status).toBe(200);
    expect(await page.json()).toEqual({ sub: 'alice' });

    const stepUp = await get('/billing', jar);
    expect(stepUp.status).toBe(303);
    expect(new URL(stepUp.headers.get('location')!).searchParams.get('acr_values')).toBe('aal2');

    const logout = await fetch(`${base}/auth/logout`, { method: 'POST', redirect: 'manual', headers: { cookie: jar } });
    expect(logout.status).toBe(303);
    jar = cookieHeader(logout.headers.getSetCookie(), jar);
    expect(await (await get('/', jar, 'application/json')).json()).toEqual({ signedIn: false });
  });

  it('answers 401 JSON to API calls and a 400 page to a callback without a pending sign-in', async () => {
    const api = await get('/account', '', 'application/json');
    expect(api.status).toBe(401);
    expect(await api.json()).toMatchObject({ error: 'session_required' });
    const cb = await get('/auth/callback?code=x&state=y');
    expect(cb.status).toBe(400);
    expect(await cb.text()).toContain('SSOHUB_CLIENT_ERR_NO_PENDING_SIGN_IN');
  });

  it('handles back-channel logout without any body parser (and with express.urlencoded)', async () => {
    forgetBrowser(hub.issuer);
    const first = await get('/account');
    let jar = cookieHeader(first.headers.getSetCookie());
    const callback = await hub.authorize(first.headers.get('location')!);
    jar = cookieHeader((await get(callback.pathname + callback.search, jar)).headers.getSetCookie(), jar);
    await get('/account', jar);
    const bad = await fetch(`${base}/auth/backchannel-logout`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'logout_token=forged' });
    expect(bad.status).toBe(400);
    expect(await (await get('/', jar, 'application/json')).json()).toEqual({ signedIn: true });
    const token = await hub.signLogoutToken({ aud: 'app-a', sid: clientRef.sid });
    const ok = await fetch(`${base}/auth/backchannel-logout`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `logout_token=${token}` });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('cache-control')).toBe('no-store');
    expect(await (await get('/', jar, 'application/json')).json()).toEqual({ signedIn: false });
  });

  it('takes a back-channel logout body its caller cut short as the caller\'s failure: no error logged', async () => {
    // Found by the fuzz suite (test/fuzz): the aborted body read was logged (console.error) and
    // answered as this app's failure (500).
    const stderr = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const { port } = server.address() as AddressInfo;
      await new Promise<void>((resolve) => {
        const socket = connect({ host: '127.0.0.1', port }, () => {
          // Transfer-Encoding other than chunked: Node reads the body to the end of the connection,
          // and the request is aborted when the connection ends instead.
          socket.end('POST /auth/backchannel-logout HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/x-www-form-urlencoded\r\ntransfer-encoding: gzip\r\nconnection: close\r\n\r\nlogout_token=eyJ');
        });
        socket.resume();
        socket.on('close', () => resolve());
      });
      // The middleware sees the abort on its next turn: give it that moment.
      await new Promise((r) => setTimeout(r, 200));
      expect(stderr).not.toHaveBeenCalled();
    } finally {
      stderr.mockRestore();
    }
  });

  it('requireSession() refuses an unknown acr at setup', async () => {
    const sso = ssoExpress(await makeClient(hub));
    expect(() => sso.requireSession({ acr: 'gold' })).toThrow(/not one of acrLevels/);
  });
});
