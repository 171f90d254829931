import type { IncomingMessage, ServerResponse } from 'node:http';
import net from 'node:net';
import fc from 'fast-check';
import nock from 'nock';
import type Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type Hub } from '../../app.ts';
import { checkConfig } from '../../config/check-config.ts';
import { createLogger } from '../../http/create-logger.ts';
import { createCookieSigner } from '../provider/cookie-signer.ts';
import { canonicalPath } from './provider-hooks.ts';

// The hub decides "this is the token endpoint" (throttling, deferred writes) and "this is /auth"
// (the Kratos re-check) with canonicalPath, before oidc-provider's router decides where the request
// goes. The two must agree, or a request reaches the token endpoint unthrottled, or /auth without
// the re-check. These properties hold the hub to the real router of the real provider (the one the
// hub builds), reached through the real Koa request parsing, and, over real HTTP, through Fastify
// and the mount.

type Route = { name: string };
type Router = { match(method: string, path: string): { route: Route } | undefined; url(name: string): string };

const COOKIE_KEY = 'test-cookie-key-0123456789abcdefghijklmnop';
const MOUNT = '/oidc';

let hub: Hub;
let provider: Provider;
let router: Router;
let port: number;
const seen = { guard: 0, whoami: 0, routes: [] as (string | undefined)[] };

beforeAll(async () => {
  const config = checkConfig({
    mode: 'development',
    publicUrl: 'http://login.localhost:4000',
    store: { kind: 'memory' },
    kratos: { publicUrl: 'http://127.0.0.1:9', adminUrl: 'http://127.0.0.1:9' },
    bridge: { path: MOUNT, cookieKeys: [COOKIE_KEY] },
  });
  hub = await buildApp(config, { log: createLogger('silent', { write: () => {} }) });
  provider = hub.ctx.bridge.provider;
  // oidc-provider keeps its router in its private per-instance state; weak_cache is how its own
  // modules reach it. Imported by a computed name: the module has no type declarations.
  const weakCache = 'oidc-provider/lib/helpers/weak_cache.js';
  const { default: instance } = (await import(weakCache)) as { default: (p: Provider) => { router: Router } };
  router = instance(provider).router;
  // Observed, not replaced: what the router decided for each request that reached it; whether
  // the token guard counted it (without throttling: an over-limit answer would hide the route);
  // whether the /auth re-check asked Kratos.
  const match = router.match.bind(router);
  router.match = (method, path) => {
    const found = match(method, path);
    seen.routes.push(found?.route.name);
    return found;
  };
  hub.ctx.guard.checkTokenRequest = async () => {
    seen.guard++;
  };
  hub.ctx.kratos.whoami = async () => {
    seen.whoami++;
    return undefined;
  };
  // The hub's own pages ask Kratos through whoamiOrPending (the landing page at `/`, which an
  // absolute-form target such as `http://a@b` names): not the re-check, not counted.
  hub.ctx.kratos.whoamiOrPending = async () => ({ session: undefined, aal2Required: false });
  // nock (test/setup/unit.ts) reads every socket's bytes as a client request and chokes on the
  // targets below: it is off while this file talks raw HTTP to its own loopback hub.
  nock.restore();
  await hub.app.listen({ host: '127.0.0.1', port: 0 });
  port = (hub.app.server.address() as net.AddressInfo).port;
});
afterAll(async () => {
  nock.activate();
  await hub?.close();
});

/** The path Koa reads from a request target (`ctx.path`), or undefined when reading it throws. */
function koaPath(target: string): string | undefined {
  const koa = provider as unknown as { createContext(req: IncomingMessage, res: ServerResponse): { path: string } };
  try {
    return koa.createContext({ url: target, headers: {} } as IncomingMessage, {} as ServerResponse).path;
  } catch {
    return undefined;
  }
}

/** Where the real router sends `method path`. */
const routeOf = (method: string, path: string | undefined) => (path === undefined ? undefined : router.match(method, path)?.route.name);

// Targets below the provider's mount, built from its own routes by the edits that make one path
// look like another: case, percent-encoded letters and slashes, doubled and trailing slashes, dot
// segments, `;` parameters, backslashes, unicode look-alikes (Kelvin sign, long s, dotless i,
// fullwidth), and what ends a path (`?`, `#`) or makes Koa read the target another way (`#` with
// `\` before it or `//user@host` in front).
const HOOKED = ['/token', '/auth'];
const OTHERS = ['/auth/abc', '/session/end', '/session/end/confirm', '/me', '/jwks', '/token/introspection', '/token/revocation', '/reg', '/request'];
const LOOKALIKES: Record<string, string[]> = { k: ['\u212a'], s: ['\u017f'], i: ['\u0131', '\u0130'], t: ['\uff54'], e: ['\u00e9', 'e\u0301'], a: ['\u0430'] };
const SUFFIXES = ['/', '//', '/.', '/..', '/./', ';', ';x=1', '?', '?q=1', '?#', '#', '#x', '#/', '\\', '\\#', '/#', '%2f', '%2F', '%20', '%00', '.', '%3f', '%23', '\t', ' '];
const PREFIXES = ['/', '//', '/.', '/x/..', '//a@b', '//a@b\\', '\\', '/%2f'];

type Edit = { kind: 'case' | 'encode' | 'lookalike' | 'slash' | 'suffix' | 'prefix' | 'dot'; at: number; pick: number; upper: boolean };
const edit = fc.record({
  kind: fc.constantFrom<Edit['kind']>('case', 'case', 'encode', 'lookalike', 'slash', 'suffix', 'suffix', 'prefix', 'dot'),
  at: fc.nat(),
  pick: fc.nat(),
  upper: fc.boolean(),
});

function applyEdit(path: string, e: Edit): string {
  const i = path.length === 0 ? 0 : e.at % path.length;
  const c = path[i] ?? '';
  switch (e.kind) {
    case 'case':
      return path.slice(0, i) + (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()) + path.slice(i + 1);
    case 'encode': {
      const hex = c.charCodeAt(0).toString(16).padStart(2, '0');
      return c.length === 1 && c.charCodeAt(0) < 128 ? `${path.slice(0, i)}%${e.upper ? hex.toUpperCase() : hex}${path.slice(i + 1)}` : path;
    }
    case 'lookalike': {
      const options = LOOKALIKES[c.toLowerCase()];
      return options ? path.slice(0, i) + options[e.pick % options.length] + path.slice(i + 1) : path;
    }
    case 'slash': {
      const slash = path.indexOf('/', i) === -1 ? path.lastIndexOf('/') : path.indexOf('/', i);
      const by = ['//', '%2f', '%2F', '\\', '/./', '/x/../'][e.pick % 6]!;
      return slash === -1 ? path : path.slice(0, slash) + by + path.slice(slash + 1);
    }
    case 'suffix':
      return path + SUFFIXES[e.pick % SUFFIXES.length];
    case 'prefix':
      return PREFIXES[e.pick % PREFIXES.length] + path.replace(/^\//, '');
    case 'dot':
      return `${path.slice(0, i)}${e.upper ? '/.' : '/..'}${path.slice(i)}`;
  }
}

const route = fc.oneof({ arbitrary: fc.constantFrom(...HOOKED), weight: 3 }, { arbitrary: fc.constantFrom(...OTHERS), weight: 1 });
const target = fc.record({ route, edits: fc.array(edit, { maxLength: 4 }) }).map(({ route, edits }) => edits.reduce(applyEdit, route));

/** Targets Koa reads on its fast path (parseurl): from `/`, nothing that sends it to url.parse. */
const koaFastPath = (t: string) => t.startsWith('/') && !/[\t\n\f\r #\u00a0\ufeff]/.test(t);

describe("canonicalPath agrees with oidc-provider's router (property)", () => {
  it("names the provider's own token and authorization routes", () => {
    expect(router.url('token')).toBe('/token');
    expect(router.url('authorization')).toBe('/auth');
  });

  it("on Koa's ctx.path (the provider hooks): /token and /auth exactly when the router dispatches there", () => {
    fc.assert(
      fc.property(target, (t) => {
        const path = koaPath(t);
        // Koa has no path for some targets (url.parse reads `//a@b?#` as a host alone): the
        // router then throws and nothing is dispatched. They carry `#`: the mount refuses them.
        if (typeof path !== 'string') return;
        const classified = canonicalPath(path);
        for (const method of ['GET', 'HEAD', 'POST']) {
          const dispatched = routeOf(method, path);
          const said = `${method} ${JSON.stringify(t)} -> ctx.path ${JSON.stringify(path)} -> ${classified}`;
          expect(dispatched === 'token', said).toBe(classified === '/token' && routeOf(method, '/token') === 'token');
          expect(dispatched === 'authorization', said).toBe(classified === '/auth' && routeOf(method, '/auth') === 'authorization');
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('on the raw request target (the token guard), for every target Koa reads on its fast path', () => {
    fc.assert(
      fc.property(target.filter(koaFastPath), (t) => {
        const dispatched = routeOf('POST', koaPath(t));
        expect(dispatched === 'token', `POST ${JSON.stringify(t)} -> ${canonicalPath(t)}`).toBe(canonicalPath(t) === '/token');
      }),
      { numRuns: 2000 },
    );
  });
});

/** Sends one request exactly as written (no client library normalizes the target) and reads the status. */
function send(method: string, requestTarget: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let received = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      received += d;
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0)));
    const body = method === 'POST' ? 'grant_type=client_credentials' : '';
    const lines = [`${method} ${requestTarget} HTTP/1.1`, 'Host: login.localhost:4000', 'Connection: close', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
    if (body) lines.push('Content-Type: application/x-www-form-urlencoded', `Content-Length: ${body.length}`);
    socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`, 'latin1');
  });
}

// What HTTP/1.1 can carry in a request target (Node refuses control characters, spaces and
// bytes above 0x7e): the edits above, minus those, under the mount, in origin form and in the
// forms Fastify also routes into the mount (absolute form, a percent-encoded or upper-case prefix).
const sendable = (t: string) => /^[\x21-\x7e]*$/.test(t);
const httpTarget = fc
  .tuple(target.filter(sendable), fc.constantFrom(MOUNT, MOUNT, MOUNT, '/OIDC', '/%6fidc', 'http://login.localhost:4000/oidc', 'http://a@b'))
  .map(([t, prefix]) => prefix + t);

describe('the cases these properties found', () => {
  it('no percent-decoding, one trailing slash, ASCII case only: as the router', () => {
    // Were /token, so throttled and re-checked while the provider answered 404.
    for (const path of ['/%74oken', '/%2ftoken', '/token//', '/to\u212aen', '/\uff54oken']) expect(canonicalPath(path), path).not.toBe('/token');
    for (const path of ['/TOKEN', '/Token/', '/token?x', '/token/?x#y']) expect(canonicalPath(path), path).toBe('/token');
  });

  it('refuses a target with a fragment before the provider reads it: Koa took it for the token endpoint, unthrottled', async () => {
    // Were routed by the provider to its token endpoint (400 invalid_request) with guard 0.
    for (const t of ['/oidc/token#', '/oidc/token#x', '/oidc/token\\#', '/oidc/token/#/', '/oidc//a@b/token#', '/oidc//a@b/TOKEN/#', '/oidc//x@y\\token#']) {
      seen.guard = 0;
      seen.routes = [];
      expect(await send('POST', t), t).toBe(400);
      expect(seen.routes, t).toEqual([]);
    }
  });

  it('answers a target Koa cannot read with 400, not a 500', async () => {
    // url.parse throws on `//a@[::1`: the provider's failure handler then threw too (Koa's bare 500).
    expect(await send('POST', '/oidc//a@[::1/token#')).toBe(400);
  });
});

describe('over HTTP, through Fastify, the token guard and the mount (property)', () => {
  it('the token endpoint answers only requests the token guard counted, and the guard counts no other request the provider sees', async () => {
    await fc.assert(
      fc.asyncProperty(httpTarget, async (t) => {
        seen.guard = 0;
        seen.routes = [];
        const status = await send('POST', t);
        const reachedProvider = seen.routes.length > 0;
        const token = seen.routes.includes('token');
        const said = `POST ${JSON.stringify(t)}: ${status}, routes ${JSON.stringify(seen.routes)}, guard ${seen.guard}`;
        expect(status, said).toBeGreaterThan(0);
        expect(status, said).toBeLessThan(500);
        if (token) expect(seen.guard, said).toBe(1);
        // Fastify turns some away before the provider (a prefix in another case): counting one
        // of those throttles nothing that reaches the token endpoint.
        if (seen.guard > 0 && reachedProvider) expect(token, said).toBe(true);
      }),
      { numRuns: 400, examples: [['/oidc/token#'], ['/oidc/token\\#'], ['/oidc//a@b/token#'], ['/oidc/TOKEN/'], ['/OIDC/token']] },
    );
  }, 20_000);

  it('the Kratos re-check runs on exactly the requests the authorization endpoint answers', async () => {
    const signer = createCookieSigner([COOKIE_KEY]);
    const name = provider.cookieName('session');
    const cookie = `${name}=some-session; ${name}.sig=${signer.sign(`${name}=some-session`)}`;
    await fc.assert(
      fc.asyncProperty(httpTarget, async (t) => {
        seen.whoami = 0;
        seen.routes = [];
        const status = await send('GET', t, { Cookie: cookie });
        const said = `GET ${JSON.stringify(t)}: ${status}, routes ${JSON.stringify(seen.routes)}, Kratos asked ${seen.whoami}`;
        expect(status, said).toBeGreaterThan(0);
        expect(status, said).toBeLessThan(500);
        expect(seen.whoami > 0, said).toBe(seen.routes.includes('authorization'));
      }),
      { numRuns: 300, examples: [['/oidc/auth#'], ['/oidc/%61uth'], ['http://a@b%2f%2fa@btoken']] },
    );
  }, 20_000);
});
