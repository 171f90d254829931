import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type Hub } from '../app.ts';
import { checkConfig } from '../config/check-config.ts';
import { createLogger } from '../http/create-logger.ts';

// Issue #20, through the hub's routes in front of a stand-in Kratos on loopback:
// 1. /settings reached with an app's return_to offers "Back to <app>", also after saving;
// 2. /settings offers to verify the email only while an address is unverified;
// 3. the lockout page keeps the login flow's return_to on "Go to sign-in" and offers recovery and
//    a sign-in code (when the login flow has Kratos' code method) with the same return_to.

const HUB = 'http://login.localhost:4000';
const APP = 'https://app-a.test';
const RETURN_TO = `${APP}/dashboard?tab=1`;
const LOGIN_FLOW = '0b1a2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const LOGIN_FLOW_NO_CODE = '1b1a2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

const input = (group: string, name: string, type = 'text', value?: string) => ({
  type: 'input',
  group,
  attributes: { name, type, node_type: 'input', ...(value !== undefined ? { value } : {}) },
  messages: [],
  meta: {},
});

function settingsFlow(id: string, { verified, returnTo, state }: { verified: boolean; returnTo?: string; state?: string }) {
  return {
    id,
    state: state ?? 'show_form',
    ...(returnTo ? { return_to: returnTo } : {}),
    identity: { id: 'i-1', traits: { email: 'ada@example.test' }, verifiable_addresses: [{ value: 'ada@example.test', via: 'email', verified }] },
    ui: {
      action: `${HUB}/self-service/settings?flow=${id}`,
      method: 'POST',
      messages: state === 'success' ? [{ id: 1050001, type: 'success', text: 'Your changes have been saved!' }] : [],
      nodes: [input('default', 'csrf_token', 'hidden', 'c'), input('profile', 'traits.email', 'email', 'ada@example.test'), input('profile', 'method', 'submit', 'profile')],
    },
  };
}

function loginFlow(id: string, withCode: boolean) {
  return {
    id,
    state: 'choose_method',
    return_to: RETURN_TO,
    ui: {
      action: `${HUB}/self-service/login?flow=${id}`,
      method: 'POST',
      nodes: [
        input('default', 'csrf_token', 'hidden', 'c'),
        input('default', 'identifier'),
        input('password', 'password', 'password'),
        input('password', 'method', 'submit', 'password'),
        ...(withCode ? [input('code', 'method', 'submit', 'code')] : []),
      ],
    },
  };
}

const FLOWS: Record<string, unknown> = {
  [`settings:unverified`]: settingsFlow('unverified', { verified: false, returnTo: RETURN_TO }),
  [`settings:verified`]: settingsFlow('verified', { verified: true, returnTo: RETURN_TO }),
  [`settings:saved`]: settingsFlow('saved', { verified: true, returnTo: RETURN_TO, state: 'success' }),
  [`settings:plain`]: settingsFlow('plain', { verified: true }),
  [`login:${LOGIN_FLOW}`]: loginFlow(LOGIN_FLOW, true),
  [`login:${LOGIN_FLOW_NO_CODE}`]: loginFlow(LOGIN_FLOW_NO_CODE, false),
};

describe('issue #20: ways back from settings and from the lockout page', () => {
  let kratos: Server;
  let hub: Hub;

  beforeAll(async () => {
    kratos = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://kratos');
      req.resume();
      req.on('end', () => {
        const flowPath = /^\/self-service\/([a-z]+)\/flows$/.exec(url.pathname);
        if (req.method === 'GET' && flowPath) {
          const flow = FLOWS[`${flowPath[1]}:${url.searchParams.get('id')}`];
          res.writeHead(flow ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(flow ?? { error: { code: 404 } }));
          return;
        }
        if (req.method === 'GET' && url.pathname === '/sessions/whoami') {
          res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":{"code":401}}');
          return;
        }
        // Every sign-in fails: Kratos shows the form again, without a session cookie.
        if (req.method === 'POST' && url.pathname === '/self-service/login') {
          res.writeHead(303, { location: `${HUB}/login?flow=${url.searchParams.get('flow')}` }).end();
          return;
        }
        res.writeHead(404).end();
      });
    });
    await new Promise<void>((r) => kratos.listen(0, '127.0.0.1', () => r()));
    const kratosUrl = `http://127.0.0.1:${(kratos.address() as AddressInfo).port}`;
    const config = checkConfig({
      mode: 'development',
      publicUrl: HUB,
      allowedReturnOrigins: [APP],
      store: { kind: 'memory' },
      kratos: { publicUrl: kratosUrl, adminUrl: kratosUrl },
      bridge: {
        cookieKeys: ['test-cookie-key-0123456789abcdefghijklmnop'],
        clients: [
          {
            client_id: 'app-a',
            client_name: 'App A',
            client_secret: 'app-a-secret-0123456789abcdefghijklmnop',
            redirect_uris: [`${APP}/callback`],
            token_endpoint_auth_method: 'client_secret_basic',
            ssohub_first_party: true,
          },
        ],
      },
      guard: { lockout: { threshold: 2 } },
    });
    hub = await buildApp(config, { log: createLogger('silent') });
    await hub.app.ready();
  });
  afterAll(async () => {
    await hub?.close();
    await new Promise((r) => kratos.close(r));
  });

  const page = (url: string) => hub.app.inject({ method: 'GET', url, headers: { accept: 'text/html', cookie: 'ory_kratos_session=s' } });
  const href = (body: string, testid: string) => new RegExp(`<a [^>]*href="([^"]*)"[^>]*data-testid="${testid}"`).exec(body)?.[1]?.replaceAll('&amp;', '&');

  describe('settings', () => {
    it('offers "Back to <app>" to the return_to the settings flow was started with', async () => {
      const res = await page('/settings?flow=verified');
      expect(res.statusCode).toBe(200);
      expect(href(res.body, 'link/back')).toBe(RETURN_TO);
      expect(res.body).toMatch(/data-testid="link\/back">Back to App A<\/a>/);
    });

    it('still offers it after saving (the saved flow keeps its return_to)', async () => {
      const res = await page('/settings?flow=saved');
      expect(res.body).toContain('data-testid="ui/message/1050001"');
      expect(href(res.body, 'link/back')).toBe(RETURN_TO);
    });

    it('offers no way "back" without a return_to', async () => {
      const res = await page('/settings?flow=plain');
      expect(res.statusCode).toBe(200);
      expect(res.body).not.toContain('link/back');
    });

    it('offers to verify the email only while the address is unverified', async () => {
      const unverified = await page('/settings?flow=unverified');
      expect(unverified.body).toContain('data-testid="link/verification"');
      const verified = await page('/settings?flow=verified');
      expect(verified.statusCode).toBe(200);
      expect(verified.body).not.toContain('data-testid="link/verification"');
      expect(verified.body).not.toMatch(/Verify your email/i);
    });
  });

  describe('the lockout page', () => {
    const signIn = (flow: string, email: string) =>
      hub.app.inject({
        method: 'POST',
        url: `/self-service/login?flow=${flow}`,
        payload: `csrf_token=c&method=password&identifier=${encodeURIComponent(email)}&password=wrong-password`,
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', cookie: 'csrf=c' },
      });
    const lockOut = async (flow: string, email: string) => {
      for (let i = 0; i < 2; i++) expect((await signIn(flow, email)).statusCode).toBe(303);
      const refused = await signIn(flow, email);
      expect(refused.statusCode).toBe(429);
      return refused.body;
    };

    it('keeps the login flow\'s return_to on "Go to sign-in" and offers recovery and a sign-in code with it', async () => {
      const body = await lockOut(LOGIN_FLOW, 'locked@example.test');
      expect(body).toContain('data-code="SSOHUB_ERR_THROTTLED"');
      // Before the fix the page's one link was a bare href="/login": the app was lost.
      expect(body).not.toContain('href="/login"');
      expect(href(body, 'error/action/login')).toBe(`/login?return_to=${encodeURIComponent(RETURN_TO)}`);
      expect(href(body, 'error/action/recovery')).toBe(`/recovery?return_to=${encodeURIComponent(RETURN_TO)}`);
      expect(body).toMatch(/data-testid="error\/action\/recovery">Forgot your password\?<\/a>/);
      expect(href(body, 'error/action/login-code')).toBe(`/login?flow=${LOGIN_FLOW}&return_to=${encodeURIComponent(RETURN_TO)}`);
    });

    it('offers no sign-in code when the login flow has no code method', async () => {
      const body = await lockOut(LOGIN_FLOW_NO_CODE, 'locked-too@example.test');
      expect(href(body, 'error/action/login')).toBe(`/login?return_to=${encodeURIComponent(RETURN_TO)}`);
      expect(body).not.toContain('error/action/login-code');
    });

    it('answers a JSON caller with the same refusal, without links', async () => {
      const res = await hub.app.inject({
        method: 'POST',
        url: `/self-service/login?flow=${LOGIN_FLOW}`,
        payload: 'method=password&identifier=locked%40example.test&password=x',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      });
      expect(res.statusCode).toBe(429);
      expect(res.json()).toMatchObject({ error: { code: 'SSOHUB_ERR_THROTTLED', status: 429 } });
    });
  });
  describe('in the browser\'s language', () => {
    const german = (url: string, extra: Record<string, string> = {}) =>
      hub.app.inject({ method: 'GET', url, headers: { accept: 'text/html', 'accept-language': 'de-DE,de;q=0.9,en;q=0.4', ...extra } });

    it('settings, the landing page and the flow error page are German for a German browser', async () => {
      const settings = await german('/settings?flow=unverified', { cookie: 'ory_kratos_session=s' });
      expect(settings.body).toContain('data-testid="flow/title">Ihr Konto</h1>');
      expect(settings.body).toMatch(/data-testid="link\/back">Zurück zu App A<\/a>/);
      expect(settings.body).toMatch(/data-testid="link\/verification">E-Mail-Adresse bestätigen<\/a>/);
      expect(settings.body).toMatch(/<legend class="group-title">Profil<\/legend>/);

      const landing = await german('/');
      expect(landing.body).toContain('<h1>Willkommen</h1>');
      expect(landing.body).toMatch(/data-testid="link\/login">Anmelden<\/a>/);

      const error = await german('/error');
      expect(error.statusCode).toBe(404);
      expect(error.body).toContain('Hier gibt es keinen Fehler anzuzeigen.');
      expect(error.body).toMatch(/href="\/login">Zur Anmeldung<\/a>/);
    });

    it('the lockout page offers its ways on in the browser\'s language', async () => {
      const signIn = () =>
        hub.app.inject({
          method: 'POST',
          url: `/self-service/login?flow=${LOGIN_FLOW}`,
          payload: 'csrf_token=c&method=password&identifier=gesperrt%40example.test&password=wrong-password',
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', 'accept-language': 'es', cookie: 'csrf=c' },
        });
      await signIn();
      await signIn();
      const refused = await signIn();
      expect(refused.statusCode).toBe(429);
      expect(refused.body).toMatch(/data-testid="error\/action\/login">Ir al inicio de sesión<\/a>/);
      expect(refused.body).toMatch(/data-testid="error\/action\/login-code">Iniciar sesión con un código por correo electrónico<\/a>/);
      expect(refused.body).toMatch(/data-testid="error\/action\/recovery">¿Olvidó su contraseña\?<\/a>/);
    });
  });
});
