import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createConsoleSessionStore } from '../../packages/hub/src/console/console-session-store.ts';
import { consoleTokenTag, hashSessionId } from '../../packages/hub/src/console/console-sessions.ts';
import { t } from '../../packages/hub/src/i18n/translate.ts';
import { adminTokenForTests, type HubStack, startHubStack } from '../support/hub-stack.ts';

// Issue 27: "the admin listener refuses every console page and API call without admin
// credentials (a test walks every route)". Every route the admin listener registers is recorded
// as Fastify registers it (an onRoute hook on each instance the hub creates), then called with
// no credentials, a wrong bearer token, a forged console cookie and an expired console session.
// The routes that answer anyway are listed here, by name: a new open route fails this test until
// someone decides it belongs in OPEN.

interface SeenRoute {
  method: string;
  url: string;
  /** Read once the hub is built: the console's own onRoute hook, which marks its routes, runs after the one recording them. */
  readonly console: boolean;
}

const seen = vi.hoisted(() => new Map<object, SeenRoute[]>());
vi.mock('fastify', async (importOriginal) => {
  const real = await importOriginal<typeof import('fastify')>();
  const wrap = ((options: unknown) => {
    const instance = (real.default as unknown as (o: unknown) => import('fastify').FastifyInstance)(options);
    const routes: SeenRoute[] = [];
    seen.set(instance, routes);
    instance.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) {
        routes.push({
          method,
          url: route.url ?? route.path,
          get console() {
            return (route.config as { ssohubConsole?: boolean } | undefined)?.ssohubConsole === true;
          },
        });
      }
    });
    return instance;
  }) as unknown as typeof real.default;
  return { ...real, default: wrap, fastify: wrap };
});

/** The only routes of the admin listener that answer without admin credentials, and what they answer. */
const OPEN: Record<string, number> = {
  'GET /metrics': 200,
  'HEAD /metrics': 200,
  'GET /console/sign-in': 200,
  'HEAD /console/sign-in': 200,
  // Open, but a wrong (or no) token signs nobody in.
  'POST /console/sign-in': 401,
  'GET /console/assets/console.css': 200,
  'HEAD /console/assets/console.css': 200,
  // The language picker: sets the caller's own language cookie (without `lang`, 400).
  'GET /console/language': 400,
  'HEAD /console/language': 400,
};

/** A value for each path parameter: any will do, the credentials are refused before it is read. */
const fill = (url: string) => url.replace(/:(\w+)/g, (_m, name: string) => (name === 'identifier' || name === 'idOrEmail' ? 'walk%40example.test' : `walk-${name}`)).replace(/\*$/, 'walk');

/** A console session of this hub written to its store as sign-in would, created at `createdAt`, seen a second ago; returns its id. */
async function writeSession(stack: HubStack, createdAt: number): Promise<string> {
  const id = randomBytes(32).toString('base64url');
  await createConsoleSessionStore(stack.hub.ctx.storage).create(
    hashSessionId(id),
    { name: 'walker', csrf: 'x'.repeat(43), createdAt, lastSeenAt: Date.now() - 1000, tokenTag: consoleTokenTag(adminTokenForTests) },
    60_000,
  );
  return id;
}

/** A GET with its request target sent byte for byte, as a client that resolves nothing would. */
function rawGet(base: string, target: string, headers: Record<string, string>): Promise<{ status: number; location: string | undefined; type: string | undefined; body: string }> {
  const { hostname, port, host } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', ...rest] = text.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const field = (name: string) => lines.find((l) => l.toLowerCase().startsWith(`${name}:`))?.slice(name.length + 1).trim();
      resolve({ status: Number(statusLine.split(' ')[1]), location: field('location'), type: field('content-type'), body: rest.join('\r\n\r\n') });
    });
    const fields = Object.entries({ host, connection: 'close', ...headers }).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    socket.write(`GET ${target} HTTP/1.1\r\n${fields}\r\n`);
  });
}

describe('the admin listener refuses every route without admin credentials', () => {
  let stack: HubStack;
  let routes: SeenRoute[];
  let expiredCookie: string;
  let liveCookie: string;

  // Each walked request comes from an address of its own (X-Forwarded-For, believed here through
  // admin.trustProxy): the walk sends far more wrong tokens than one address may (the admin token's
  // throttle, admin-listener-hardening.test.ts), and a 429 would hide the answer it checks.
  let walker = 0;
  const ownAddress = () => ({ 'x-forwarded-for': `10.77.${Math.floor(walker / 250)}.${(walker++ % 250) + 1}` });

  beforeAll(async () => {
    stack = await startHubStack({ config: { admin: { host: '127.0.0.1', token: adminTokenForTests, trustProxy: true } } });
    routes = seen.get(stack.hub.admin) ?? [];
    // A real session of this hub, older than admin.console.maxAgeMs: expired by age, though its
    // idle clock is fresh and the store still holds it.
    expiredCookie = `ssohub_console=${await writeSession(stack, Date.now() - stack.hub.ctx.config.admin.console.maxAgeMs - 1000)}`;
    liveCookie = `ssohub_console=${await writeSession(stack, Date.now() - 1000)}`;
  });
  afterAll(async () => stack?.stop());

  it('records the whole route table: the admin API, the console, metrics', () => {
    const names = new Set(routes.map((r) => `${r.method} ${r.url}`));
    for (const route of ['GET /admin/clients', 'DELETE /admin/clients/:id', 'GET /admin/audit', 'GET /metrics', 'GET /console', 'POST /console/sign-in', 'POST /console/lockouts/clear']) {
      expect(names, route).toContain(route);
    }
    expect(routes.length).toBeGreaterThan(30);
    // Console routes live under /console and nowhere else; the public listener has none.
    for (const r of routes) expect(r.console, `${r.method} ${r.url}`).toBe(r.url === '/console' || r.url.startsWith('/console/'));
    expect((seen.get(stack.hub.app) ?? []).some((r) => r.url.startsWith('/console'))).toBe(false);
  });

  const credentials: [string, Record<string, string>][] = [
    ['no credentials', {}],
    ['a wrong bearer token', { authorization: `Bearer ${adminTokenForTests}-wrong` }],
    ['a forged console cookie', { cookie: `ssohub_console=${randomBytes(32).toString('base64url')}; __Host-ssohub_console=${randomBytes(32).toString('base64url')}` }],
    ['an expired console session', {}],
  ];

  it.each(credentials)('answers every route called with %s: 401 for the API, sign-in or 401/403 for the console, only OPEN routes otherwise', async (name, given) => {
    const headers = name === 'an expired console session' ? { cookie: expiredCookie } : given;
    const open: string[] = [];
    const problems: string[] = [];
    for (const route of routes) {
      const key = `${route.method} ${route.url}`;
      const hasBody = !['GET', 'HEAD', 'OPTIONS'].includes(route.method);
      const res = await fetch(`${stack.adminUrl}${fill(route.url)}`, {
        method: route.method,
        redirect: 'manual',
        headers: {
          ...headers,
          ...ownAddress(),
          ...(hasBody ? { 'content-type': route.console ? 'application/x-www-form-urlencoded' : 'application/json' } : {}),
        },
        ...(hasBody ? { body: route.console ? 'name=walker&token=wrong-token-wrong-token-wrong&csrf=x&confirmed=yes' : '{}' } : {}),
      });
      await res.arrayBuffer();
      if (res.headers.get('set-cookie')?.includes('ssohub_console=') && !res.headers.get('set-cookie')?.includes('ssohub_console=;')) {
        problems.push(`${key}: set a console session cookie`);
      }
      if (key in OPEN) {
        open.push(key);
        if (res.status !== OPEN[key]) problems.push(`${key}: ${res.status}, expected ${OPEN[key]} (open route)`);
        continue;
      }
      if (!route.console) {
        if (res.status !== 401) problems.push(`${key}: ${res.status}, expected 401`);
      } else if (route.method === 'GET' || route.method === 'HEAD') {
        if (res.status !== 303 || !res.headers.get('location')?.startsWith('/console/sign-in')) problems.push(`${key}: ${res.status} ${res.headers.get('location')}, expected 303 to /console/sign-in`);
      } else if (res.status !== 401 && res.status !== 403) {
        problems.push(`${key}: ${res.status}, expected 401 or 403`);
      }
    }
    expect(problems).toEqual([]);
    // Every route OPEN names exists: a stale entry would hide nothing, but says the list is wrong.
    expect(open.sort()).toEqual(Object.keys(OPEN).sort());
  });

  it.each(credentials)('answers an address no route answers, called with %s: 401 outside /console, sign-in or 401 under it', async (name, given) => {
    const headers = name === 'an expired console session' ? { cookie: expiredCookie } : given;
    const problems: string[] = [];
    for (const path of ['/nope', '/admin/nope', '/%61dmin/clients', '/console/nope', '/console/users/walk/typo', '/%63onsole/nope']) {
      const outside = !path.includes('onsole');
      for (const method of ['GET', 'HEAD', 'POST']) {
        const res = await fetch(`${stack.adminUrl}${path}`, {
          method,
          redirect: 'manual',
          headers: { ...headers, ...ownAddress(), ...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
          ...(method === 'POST' ? { body: 'csrf=x&confirmed=yes' } : {}),
        });
        const body = await res.text();
        const key = `${method} ${path}`;
        if (outside) {
          if (res.status !== 401 || (method !== 'HEAD' && !body.includes('missing or wrong admin token'))) problems.push(`${key}: ${res.status}, expected the admin API's 401`);
        } else if (method === 'POST') {
          if (res.status !== 401) problems.push(`${key}: ${res.status}, expected 401`);
        } else if (res.status !== 303 || res.headers.get('location') !== '/console/sign-in') {
          problems.push(`${key}: ${res.status} ${res.headers.get('location')}, expected 303 to /console/sign-in`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('shows a live console session the console’s 404 under /console, and opens nothing outside it', async () => {
    for (const path of ['/console/nope', '/console/users/walk/typo', '/%63onsole/nope']) {
      const res = await fetch(`${stack.adminUrl}${path}`, { headers: { cookie: liveCookie }, redirect: 'manual' });
      const body = await res.text();
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(body).toContain(t('console.error.not_found'));
      expect(body).toContain(`href="/console">${t('console.error.back')}</a>`);
    }
    for (const path of ['/nope', '/admin/nope', '/admin/clients', '/%61dmin/clients']) {
      const res = await fetch(`${stack.adminUrl}${path}`, { headers: { cookie: liveCookie }, redirect: 'manual' });
      expect(res.status, path).toBe(401);
      expect(await res.text()).toContain('missing or wrong admin token');
    }
    const pub = await stack.hub.app.inject({ method: 'GET', url: '/console/sign-in' });
    expect(pub.statusCode).toBe(404);
  });

  // Request targets sent as they are (fetch would resolve dot segments first): the console
  // answers what the router reads as under /console, and nothing else skips the token check.
  it.each([
    ['/console/../admin/clients', 'console'],
    ['/console/%2e%2e/admin/clients', 'console'],
    ['/console/..%2fadmin/clients', 'console'],
    ['/console/./nope', 'console'],
    ['/%63onsole/nope', 'console'],
    [`http://127.0.0.1/console/nope`, 'console'],
    ['//console', 'api'],
    ['//console/nope', 'api'],
    ['/%2fconsole/nope', 'api'],
    ['/console%2fnope', 'api'],
    ['/%2563onsole/nope', 'api'],
    ['/CONSOLE/nope', 'api'],
    ['/consolex/nope', 'api'],
    ['/admin/../console/nope', 'api'],
    ['/admin/%2e%2e/console/nope', 'api'],
    [`http://127.0.0.1/admin/clients`, 'api'],
  ] as const)('answers %s as the %s does', async (target, owner) => {
    const none = await rawGet(stack.adminUrl, target, {});
    const live = await rawGet(stack.adminUrl, target, { cookie: liveCookie });
    if (owner === 'console') {
      expect([none.status, none.location]).toEqual([303, '/console/sign-in']);
      expect([live.status, live.type]).toEqual([404, 'text/html; charset=utf-8']);
      expect(live.body).toContain(t('console.error.not_found'));
    } else {
      for (const res of [none, live]) {
        expect([res.status, res.type]).toEqual([401, 'application/json; charset=utf-8']);
        expect(res.body).toContain('missing or wrong admin token');
      }
    }
  });

  it('lets the right credentials in, to show that the walk tells them apart', async () => {
    const api = await fetch(`${stack.adminUrl}/admin/clients`, { headers: { authorization: `Bearer ${adminTokenForTests}` } });
    expect(api.status).toBe(200);
    const signIn = await fetch(`${stack.adminUrl}/console/sign-in`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: stack.adminUrl },
      body: new URLSearchParams({ name: 'walker', token: adminTokenForTests }).toString(),
    });
    expect(signIn.status).toBe(303);
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
    const page = await fetch(`${stack.adminUrl}/console/clients`, { headers: { cookie }, redirect: 'manual' });
    expect(page.status).toBe(200);
    // A session written as the walk wrote the expired one, but young, is accepted: the expired
    // one was refused for its age, not for its shape.
    const young = await fetch(`${stack.adminUrl}/console/clients`, { headers: { cookie: liveCookie }, redirect: 'manual' });
    expect(young.status).toBe(200);
  });
});
