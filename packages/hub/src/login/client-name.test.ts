import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type Hub } from '../app.ts';
import { checkConfig } from '../config/check-config.ts';
import { createLogger } from '../http/create-logger.ts';

// Issue #20, through the hub's routes (the real provider on a memory store) in front of a
// stand-in Kratos on loopback: the sign-in page reached from app-a's authorization request names
// App A, from the client registry; a return_to that is not the hub's own live interaction names
// nothing.

const HUB = 'http://login.localhost:4000';
const APP = 'https://app-a.test';
const SERVER_FLOW = '2b1a2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

const input = (group: string, name: string, type = 'text', value?: string) => ({
  type: 'input',
  group,
  attributes: { name, type, node_type: 'input', ...(value !== undefined ? { value } : {}) },
  messages: [],
  meta: {},
});

function flow(kind: 'login' | 'registration', id: string, returnTo: string) {
  return {
    id,
    state: 'choose_method',
    return_to: returnTo,
    ui: {
      action: `${HUB}/self-service/${kind}?flow=${id}`,
      method: 'POST',
      nodes: [input('default', 'csrf_token', 'hidden', 'c'), input('default', 'identifier'), input('password', 'password', 'password'), input('password', 'method', 'submit', 'password')],
    },
  };
}

describe('issue #20: the sign-in page names the app the user signs in to', () => {
  let kratos: Server;
  let hub: Hub;
  const flows = new Map<string, unknown>();

  beforeAll(async () => {
    kratos = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://kratos');
      req.resume();
      req.on('end', () => {
        const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
        const flowPath = /^\/self-service\/([a-z]+)\/flows$/.exec(url.pathname);
        if (req.method === 'GET' && flowPath) {
          const f = flows.get(`${flowPath[1]}:${url.searchParams.get('id')}`);
          if (f) json(200, f);
          else json(404, { error: { code: 404 } });
          return;
        }
        // The interaction page starts the login flow on the server side, with its own return_to.
        if (req.method === 'GET' && url.pathname === '/self-service/login/browser') {
          const f = flow('login', SERVER_FLOW, url.searchParams.get('return_to') ?? '');
          flows.set(`login:${SERVER_FLOW}`, f);
          json(200, f);
          return;
        }
        if (req.method === 'GET' && url.pathname === '/sessions/whoami') json(401, { error: { code: 401 } });
        else res.writeHead(404).end();
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
            client_uri: `${APP}/`,
            policy_uri: `${APP}/privacy`,
            tos_uri: `${APP}/terms`,
            client_secret: 'app-a-secret-0123456789abcdefghijklmnop',
            redirect_uris: [`${APP}/callback`],
            token_endpoint_auth_method: 'client_secret_basic',
            ssohub_first_party: true,
          },
        ],
      },
    });
    hub = await buildApp(config, { log: createLogger('silent') });
    await hub.app.ready();
  });
  afterAll(async () => {
    await hub?.close();
    await new Promise((r) => kratos.close(r));
  });

  const get = (url: string, cookie?: string) => hub.app.inject({ method: 'GET', url, headers: { accept: 'text/html', ...(cookie ? { cookie } : {}) } });
  const cookiesOf = (setCookie: string | string[] | undefined) =>
    (Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []).map((c) => c.split(';')[0]).join('; ');
  const pathOf = (location: unknown) => {
    const u = new URL(String(location), HUB);
    return `${u.pathname}${u.search}`;
  };

  /** App A's authorization request: the provider answers with its interaction page. */
  async function authorize(): Promise<{ uid: string; cookie: string }> {
    const query = new URLSearchParams({
      client_id: 'app-a',
      response_type: 'code',
      scope: 'openid',
      redirect_uri: `${APP}/callback`,
      state: 'state-1',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    });
    const res = await get(`/oidc/auth?${query}`);
    expect(res.statusCode).toBe(303);
    const uid = /^\/interaction\/([^/?]+)$/.exec(pathOf(res.headers.location))?.[1];
    expect(uid).toBeDefined();
    return { uid: uid as string, cookie: cookiesOf(res.headers['set-cookie']) };
  }

  const client = (body: string) => /data-testid="flow\/client">([\s\S]*?)<\/p>/.exec(body)?.[1]?.replace(/<[^>]+>/g, '');

  it('"Sign in to continue to App A" on the login page reached from app-a\'s authorization request', async () => {
    const { uid, cookie } = await authorize();
    const interaction = await get(`/interaction/${uid}`, cookie);
    expect(interaction.statusCode).toBe(303);
    expect(pathOf(interaction.headers.location)).toBe(`/login?flow=${SERVER_FLOW}`);
    const page = await get(pathOf(interaction.headers.location));
    expect(page.statusCode).toBe(200);
    expect(client(page.body)).toBe('Sign in to continue to App A');
    expect(page.body).toContain(`<a href="${APP}/" rel="noopener noreferrer" data-testid="flow/client-name">App A</a>`);
    expect(page.body).toContain(`href="${APP}/privacy"`);
    expect(page.body).toContain(`href="${APP}/terms"`);
  });

  it('the registration page started from that sign-in (same return_to) names it too', async () => {
    const { uid } = await authorize();
    flows.set('registration:r1', flow('registration', 'r1', `${HUB}/interaction/${uid}`));
    expect(client((await get('/registration?flow=r1')).body)).toBe('Create your account to continue to App A');
  });

  it('a forged return_to names no app: another origin, an unknown uid, another path', async () => {
    const { uid } = await authorize();
    const forged = {
      other: `${APP}/interaction/${uid}`,
      unknown: `${HUB}/interaction/no-such-interaction`,
      path: `${HUB}/interaction/${uid}/consent`,
      query: `${HUB}/settings?client_name=Evil&interaction=${uid}`,
    };
    for (const [id, returnTo] of Object.entries(forged)) {
      flows.set(`login:${id}`, flow('login', id, returnTo));
      const page = await get(`/login?flow=${id}`);
      expect(page.statusCode, id).toBe(200);
      expect(page.body, id).not.toContain('flow/client');
      expect(page.body, id).not.toMatch(/to continue to|App A/);
      expect(client(page.body), id).toBeUndefined();
      expect(page.body, id).toContain('data-testid="flow/title">Sign in</h1>');
    }
  });
});
