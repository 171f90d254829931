import { caseSeed, Rng } from './random.ts';

/** Where a case goes: the hub's public listener, its admin listener, or one of the two SDK apps. */
export type Target = 'hub' | 'admin' | 'app' | 'express';

/** What the generator needs to know of the running stack (see stack.ts). */
export interface FuzzTargets {
  hub: { host: string; port: number };
  admin: { port: number; token: string };
  /** The demo app (Fastify adapter) and the Express app (Express adapter), both on @ssohub/client. */
  app: SdkApp;
  express: SdkApp;
}

export interface SdkApp {
  host: string;
  port: number;
  clientId: string;
  clientSecret: string;
  sessionCookie: string;
  transactionCookie: string;
}

/**
 * How the bytes go out. `whole`: one write; `split`: a few writes with short pauses; `half-close`:
 * written, then the client's side ends (FIN) while it still reads; `abort`: written in part, then
 * the connection is destroyed (no answer expected).
 */
export type Delivery = 'whole' | 'split' | 'half-close' | 'abort';

export interface FuzzCase {
  index: number;
  target: Target;
  method: string;
  /** The request target as sent (path and query), shortened for reports. */
  path: string;
  /** Names of the headers sent, with a short view of the odd ones. */
  headerSummary: string;
  bodyBytes: number;
  /** The mutations applied (the request mix). */
  kinds: string[];
  delivery: Delivery;
  /**
   * `answer`: a well-framed request, which must get a status line. `any`: the framing is broken or
   * the client aborts, so the server may also just close; it must still not hang or log errors.
   */
  expect: 'answer' | 'any';
  chunks: Buffer[];
}

interface Draft {
  method: string;
  path: string;
  query: string;
  headers: [string, string][];
  body?: Buffer;
  kinds: string[];
  delivery: Delivery;
  expect: 'answer' | 'any';
  /** Framing already decided by a mutation (content-length / transfer-encoding written by it). */
  framed?: boolean;
  raw?: Buffer[];
}

const ODD_METHODS = [
  'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'PROPFIND', 'MKCOL', 'SEARCH', 'QUERY', 'PURGE', 'LINK', 'REPORT',
  'get', 'Post', 'FOO', 'G%45T', 'GET\tX', 'M-SEARCH', 'X'.repeat(300), 'GÉT', '', 'POST ', 'CONNECT',
];

const BAD_ESCAPES = ['%', '%z', '%zz', '%%', '%c0%af', '%00', '%ff%fe', '%e2%82', '%ed%a0%80', '%2e%2e', '%2f', '%5c', '%u0041', '%0d%0a', '%25', '%7e'];
const UNICODE = ['é', 'ü', '日本', '\u202e', '\ud83d\ude00', '\u0000', '\u00a0', 'ﬁ'];

const JUNK_QUERIES = [
  '%', '%zz', 'a=%', 'a=%zz&b=%c0', '&&&', '=', '==&=', '?', '#frag', 'a[]=1&a[]=2', 'a[b][c][d]=1', '__proto__[x]=1', 'constructor[prototype][x]=1',
  'a=1&a=2&a=3', '%00=%00', 'a=%ff%fe', 'a+b=c+d', 'x=\u00e9', ';a=1;b=2', 'a=1;a=2',
];

const RETURN_TOS = ['javascript:alert(1)', '//evil.example/', 'https://evil.example/', '/\\evil.example', 'https://app-a.test:1/', '%2f%2fevil.example', 'data:text/html,x', '\u0000', 'https://login.sso.test@evil.example/'];

/** Builds case `index` of a run seeded with `seed`; the same pair always gives the same bytes. */
export function generateCase(seed: number, index: number, t: FuzzTargets): FuzzCase {
  const r = new Rng(caseSeed(seed, index));
  const target = r.weighted<Target>([
    [58, 'hub'],
    [12, 'admin'],
    [18, 'app'],
    [12, 'express'],
  ]);
  const d = target === 'hub' ? hubRequest(r, t) : target === 'admin' ? adminRequest(r, t) : appRequest(r, t[target], t);
  mutate(r, d);
  const host = target === 'hub' ? `${t.hub.host}:${t.hub.port}` : target === 'admin' ? `127.0.0.1:${t.admin.port}` : `${t[target].host}:${t[target].port}`;
  return finish(r, d, index, target, host);
}

// ---------------------------------------------------------------------------------------------
// Base requests: what a browser, a client app or an operator would send to each route.

const uuid = (r: Rng) => `${r.string(8, '0123456789abcdef')}-${r.string(4, '0123456789abcdef')}-4${r.string(3, '0123456789abcdef')}-a${r.string(3, '0123456789abcdef')}-${r.string(12, '0123456789abcdef')}`;
const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
const form = (pairs: Record<string, string>) => new URLSearchParams(pairs).toString();
const idish = (r: Rng) => r.pick([uuid(r), r.string(r.between(1, 40)), '', '..', '%zz', 'null', '0', '-1', 'a'.repeat(r.between(100, 3000)), r.pick(UNICODE)]);

function fakeJwt(r: Rng): string {
  const header = Buffer.from(JSON.stringify(r.pick([{ alg: 'none' }, { alg: 'RS256', kid: r.string(6) }, { alg: 'HS256' }, { alg: 'ES256', kid: '../../etc/passwd' }, { typ: 'logout+jwt', alg: 'RS256' }]))).toString('base64url');
  const payload = Buffer.from(
    r.pick([
      JSON.stringify({ iss: 'x', sub: 'y', aud: 'app-a', iat: 1, jti: 'j', events: { 'http://schemas.openid.net/event/backchannel-logout': {} }, sid: 's' }),
      '{"exp":"soon","iat":[],"sub":{}}',
      '{}',
      '{"__proto__":{"admin":true}}',
      '{',
    ]),
  ).toString('base64url');
  return r.pick([`${header}.${payload}.${r.string(43, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_')}`, `${header}.${payload}.`, `${header}..`, 'a.b.c', '....', `${header}.%zz.x`, r.string(r.between(1, 200))]);
}

function hubRequest(r: Rng, t: FuzzTargets): Draft {
  const client = r.pick([t.app, t.express]);
  const redirect = `https://${client.host}:${client.port}/auth/callback`;
  const flowKinds = ['login', 'registration', 'recovery', 'verification', 'settings'] as const;
  const kind = r.pick(flowKinds);
  const get = (path: string, query = ''): Draft => ({ method: 'GET', path, query, headers: [], kinds: [], delivery: 'whole', expect: 'answer' });
  const post = (path: string, body: string, type = 'application/x-www-form-urlencoded', query = ''): Draft => ({
    method: 'POST', path, query, headers: [['content-type', type]], body: Buffer.from(body), kinds: [], delivery: 'whole', expect: 'answer',
  });
  const authQuery = () =>
    form({
      client_id: r.pick([client.clientId, 'unknown', '', '%zz']),
      redirect_uri: r.pick([redirect, 'https://evil.example/cb', '']),
      response_type: r.pick(['code', 'token', 'code id_token', 'none', '']),
      scope: r.pick(['openid', 'openid email profile offline_access', 'email', '']),
      state: r.string(16),
      nonce: r.string(16),
      code_challenge: r.string(43),
      code_challenge_method: r.pick(['S256', 'plain', 'x']),
      ...(r.chance(0.3) ? { prompt: r.pick(['none', 'login', 'consent', 'select_account', 'bogus']) } : {}),
      ...(r.chance(0.2) ? { acr_values: r.pick(['aal1', 'aal2', 'aal9', '']) } : {}),
      ...(r.chance(0.2) ? { max_age: r.pick(['0', '-1', 'abc', '99999999999999999999']) } : {}),
      ...(r.chance(0.1) ? { request: fakeJwt(r) } : {}),
      ...(r.chance(0.1) ? { request_uri: r.pick(['urn:ietf:params:oauth:request_uri:x', 'https://evil.example/r']) } : {}),
      ...(r.chance(0.1) ? { claims: r.pick(['{', '{"id_token":{"email":null}}', '[]']) } : {}),
    });
  const basic = () => ['authorization', `Basic ${b64(`${client.clientId}:${r.pick([client.clientSecret, 'wrong', ''])}`)}`] as [string, string];
  const choices: (() => Draft)[] = [
    () => get('/'),
    () => get(`/${kind}`, r.pick(['', `flow=${uuid(r)}`, `flow=${idish(r)}`, `return_to=${encodeURIComponent(r.pick(RETURN_TOS))}`, `flow=${uuid(r)}&flow=${uuid(r)}`])),
    () => get('/logout', r.pick(['', `return_to=${encodeURIComponent(r.pick(RETURN_TOS))}`])),
    () => post('/logout', form({ csrf: r.string(10) })),
    () => get('/error', r.pick(['', `id=${uuid(r)}`, `id=${idish(r)}`])),
    () => get('/assets/hub.css'),
    () => get(`/self-service/${kind}/browser`, r.pick(['', `return_to=${encodeURIComponent(r.pick(RETURN_TOS))}`, 'refresh=true&aal=aal2', 'aal=aal9'])),
    () => get(`/self-service/${kind}/api`),
    () => get(`/self-service/${kind}/flows`, `id=${r.pick([uuid(r), idish(r)])}`),
    () => post(`/self-service/${kind}`, form({ csrf_token: r.string(20), identifier: `${r.string(6)}@example.test`, password: r.string(12), method: r.pick(['password', 'code', 'totp', 'x']) }), 'application/x-www-form-urlencoded', `flow=${uuid(r)}`),
    () => post(`/self-service/${kind}`, JSON.stringify({ csrf_token: r.string(20), method: 'password', identifier: 'a@b.c', password: 'x', traits: { email: 'a@b.c' } }), 'application/json', `flow=${r.pick([uuid(r), idish(r)])}`),
    () => get('/self-service/logout/browser'),
    () => get('/self-service/logout', `token=${r.string(32)}&return_to=${encodeURIComponent(r.pick(RETURN_TOS))}`),
    () => get('/self-service/errors', `id=${r.pick([uuid(r), idish(r)])}`),
    () => get('/sessions/whoami'),
    () => get(`/schemas/${r.pick(['person', 'cGVyc29u', idish(r), '../../admin', 'Li4v'])}`),
    () => get('/oidc/auth', authQuery()),
    () => post('/oidc/auth', authQuery()),
    () => ({ ...post('/oidc/token', form({ grant_type: r.pick(['authorization_code', 'refresh_token', 'client_credentials', 'password', 'urn:x', '']), code: r.string(43), redirect_uri: redirect, code_verifier: r.string(43), refresh_token: r.string(43) })), headers: [['content-type', 'application/x-www-form-urlencoded'], basic()] }),
    () => post('/oidc/token', form({ grant_type: 'authorization_code', code: r.string(20), client_id: client.clientId, client_secret: r.string(10) })),
    () => ({ ...get('/oidc/me'), headers: [['authorization', `Bearer ${r.pick([r.string(43), fakeJwt(r), ''])}`]] }),
    () => post('/oidc/me', `access_token=${r.string(43)}`),
    () => get('/oidc/jwks'),
    () => get('/oidc/.well-known/openid-configuration'),
    () => get('/.well-known/oauth-authorization-server/oidc'),
    () => get('/oidc/session/end', r.pick(['', `id_token_hint=${fakeJwt(r)}`, `post_logout_redirect_uri=${encodeURIComponent(r.pick(RETURN_TOS))}&client_id=${client.clientId}`, `state=${r.string(8)}&ui_locales=${r.pick(['en', '%zz', 'x'.repeat(300)])}`])),
    () => post('/oidc/session/end', form({ id_token_hint: fakeJwt(r), logout: r.pick(['yes', '']) })),
    () => post('/oidc/session/end/confirm', form({ xsrf: r.string(32), logout: r.pick(['yes', 'no', '']) })),
    () => post('/oidc/reg', JSON.stringify({ redirect_uris: ['https://evil.example/cb'], client_name: r.string(8) }), 'application/json'),
    () => get('/oidc/reg', `client_id=${r.string(8)}`),
    () => post('/oidc/request', authQuery()),
    () => ({ ...post('/oidc/token/introspection', form({ token: r.pick([r.string(43), fakeJwt(r)]), token_type_hint: r.pick(['access_token', 'refresh_token', 'x']) })), headers: [['content-type', 'application/x-www-form-urlencoded'], basic()] }),
    () => ({ ...post('/oidc/token/revocation', form({ token: r.string(43) })), headers: [['content-type', 'application/x-www-form-urlencoded'], basic()] }),
    () => get(`/interaction/${r.pick([r.string(21, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-'), idish(r)])}`),
    () => post(`/interaction/${r.string(21)}/consent`, form({ decision: r.pick(['allow', 'deny', '', 'x'.repeat(500)]) })),
    () => get(`/health/${r.pick(['alive', 'ready', 'serving', 'x', ''])}`),
    () => get(`/${r.string(r.between(1, 30))}`),
  ];
  return r.pick(choices)();
}

function adminRequest(r: Rng, t: FuzzTargets): Draft {
  // Mutating calls name clients that do not exist: a fuzz run must not delete or rotate the
  // clients the SDK apps use, or later requests would fail for that reason and not for the input.
  const id = r.pick([`fuzz-${r.string(6)}`, idish(r), 'app-a%zz', '..%2f..']);
  const d = (method: string, path: string, query = '', body?: unknown): Draft => ({
    method, path, query, headers: body === undefined ? [] : [['content-type', 'application/json']],
    ...(body === undefined ? {} : { body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)) }),
    kinds: [], delivery: 'whole', expect: 'answer',
  });
  const draft = r.pick<() => Draft>([
    () => d('GET', '/admin/clients'),
    () => d('POST', '/admin/clients', '', r.pick<unknown>([{ client_id: `fuzz-${r.string(6)}`, redirect_uris: r.pick([['javascript:x'], 'x', [], null]) }, [], 'null', '{"a":', { redirect_uris: ['https://x.example/cb'], grant_types: [1, 2], client_id: 5 }])),
    () => d('GET', `/admin/clients/${id}`),
    () => d('PATCH', `/admin/clients/${id}`, '', r.pick<unknown>([{ client_name: 'x' }, '{', [], { __proto__: { a: 1 } }])),
    () => d('POST', `/admin/clients/${id}/rotate-secret`, '', r.pick<unknown>([{}, '', '[]'])),
    () => d('DELETE', `/admin/clients/${id}`),
    () => d('POST', `/admin/clients/${id}/logout-token`, '', r.pick<unknown>([{ sub: r.string(5) }, { sid: 5 }, '{'])),
    () => d('GET', `/admin/identities/${r.pick([uuid(r), `${r.string(5)}@example.test`, idish(r)])}/sessions`),
    () => d('DELETE', `/admin/identities/${r.pick([uuid(r), `${r.string(5)}@example.test`, idish(r)])}/sessions`),
    () => d('DELETE', `/admin/identities/${uuid(r)}/sessions/${idish(r)}`),
    () => d('GET', '/admin/lockouts'),
    () => d('DELETE', `/admin/lockouts/${idish(r)}`),
    () => d('GET', '/admin/audit', r.pick(['', `after=${r.pick(['0', '-1', 'x', '9'.repeat(40), '1-0', '%zz'])}&count=${r.pick(['1', '0', '-5', '1e9', 'abc'])}`])),
    () => d('GET', '/metrics'),
    () => d('GET', `/${r.string(r.between(1, 20))}`),
  ])();
  // With the right token, a wrong one, none, or a mangled one.
  const auth = r.weighted<[string, string] | undefined>([
    [45, ['authorization', `Bearer ${t.admin.token}`]],
    [15, undefined],
    [10, ['authorization', `Bearer ${r.string(t.admin.token.length)}`]],
    [10, ['authorization', `Basic ${b64(`admin:${t.admin.token}`)}`]],
    [10, ['authorization', r.pick([`Bearer  ${t.admin.token}`, `bearer ${t.admin.token}`, 'Bearer', `Bearer ${t.admin.token}x`, `Bearer ${'é'.repeat(30)}`, `Token ${t.admin.token}`])]],
    [10, ['authorization', `Bearer ${t.admin.token.slice(0, -1)}`]],
  ]);
  if (auth) draft.headers.push(auth);
  return draft;
}

function appRequest(r: Rng, app: SdkApp, t: FuzzTargets): Draft {
  const origin = `https://${app.host}:${app.port}`;
  const get = (path: string, query = ''): Draft => ({ method: 'GET', path, query, headers: [], kinds: [], delivery: 'whole', expect: 'answer' });
  const post = (path: string, body: string, type = 'application/x-www-form-urlencoded'): Draft => ({
    method: 'POST', path, query: '', headers: [['content-type', type]], body: Buffer.from(body), kinds: [], delivery: 'whole', expect: 'answer',
  });
  const sameSite = (): [string, string][] => r.pick<[string, string][]>([[['origin', origin]], [['sec-fetch-site', 'same-origin']], [['origin', 'null']], [['origin', 'https://evil.example']], [['sec-fetch-site', r.pick(['cross-site', 'none', '%zz'])]], []]);
  const draft = r.pick<() => Draft>([
    () => get('/'),
    () => get('/account'),
    () => get('/health'),
    () => get('/auth/login', r.pick(['', `returnTo=${encodeURIComponent(r.pick(RETURN_TOS))}`, `returnTo=/account&acr=${r.pick(['aal1', 'aal2', 'aal9', ''])}`, `returnTo=%zz`, `returnTo=${'/a'.repeat(3000)}`])),
    () => get('/auth/callback', r.pick(['', `code=${r.string(43)}&state=${r.string(22)}`, `error=access_denied&state=${r.string(22)}`, `code=${r.string(43)}&state=${r.string(22)}&iss=${encodeURIComponent(`https://${t.hub.host}:${t.hub.port}/oidc`)}`, `iss=https%3A%2F%2Fevil.example&code=x&state=y`, 'state=%zz&code=%'])),
    () => ({ ...post('/auth/logout', ''), headers: [['content-type', 'application/x-www-form-urlencoded'], ...sameSite()] }),
    () => ({ ...post('/auth/logout/global', ''), headers: [['content-type', 'application/x-www-form-urlencoded'], ...sameSite()] }),
    () => post('/auth/backchannel-logout', r.pick([`logout_token=${fakeJwt(r)}`, 'logout_token=', '', `logout_token=${fakeJwt(r)}&logout_token=${fakeJwt(r)}`, 'logout_token=%zz', `x=${r.string(20)}`])),
    () => post('/auth/backchannel-logout', JSON.stringify({ logout_token: r.pick([fakeJwt(r), 5, null, [], {}]) }), 'application/json'),
    () => ({ ...get('/api/me'), headers: [['authorization', r.pick([`Bearer ${r.string(43)}`, `Bearer ${fakeJwt(r)}`, 'Bearer', `Basic ${b64('a:b')}`, `Bearer ${'x'.repeat(5000)}`, 'Bearer %zz', 'Bearer a b c'])]] }),
    () => get('/api/me'),
  ])();
  // Cookies an attacker or a stale browser sends: garbage values under the SDK's own names.
  if (r.chance(0.5)) {
    const value = () => r.pick([r.string(r.between(1, 60)), '%zz', 's:' + r.string(30) + '.' + r.string(20), b64(r.bytes(r.between(1, 200))), '', '"', 'a=b', fakeJwt(r), 'x'.repeat(r.between(1000, 4000))]);
    draft.headers.push(['cookie', r.pick([`${app.sessionCookie}=${value()}`, `${app.transactionCookie}=${value()}`, `${app.sessionCookie}=${value()}; ${app.transactionCookie}=${value()}`, `${app.sessionCookie}=${value()}; ${app.sessionCookie}=${value()}`])]);
  }
  return draft;
}

// ---------------------------------------------------------------------------------------------
// Mutations.

function mutate(r: Rng, d: Draft): void {
  if (r.chance(0.12)) {
    d.method = r.pick(ODD_METHODS);
    d.kinds.push('method');
  }
  if (r.chance(0.22)) {
    mutatePath(r, d);
    d.kinds.push('path');
  }
  if (r.chance(0.25)) {
    mutateQuery(r, d);
    d.kinds.push('query');
  }
  if (r.chance(0.4)) {
    const n = r.between(1, 3);
    for (let i = 0; i < n; i++) d.headers.push(...oddHeader(r));
    d.kinds.push('headers');
  }
  if (r.chance(d.body ? 0.35 : 0.1)) {
    mutateBody(r, d);
    d.kinds.push('body');
  }
  if (r.chance(0.1)) {
    mutateFraming(r, d);
    d.kinds.push('framing');
  }
  if (r.chance(0.015)) {
    d.raw = rawGarbage(r, d);
    d.kinds.push('raw');
    d.expect = 'any';
    // Ended by the client: bytes that never make a whole request (or only blank lines, which a
    // server skips while it waits for one) must not read as a hang.
    d.delivery = 'half-close';
  }
  if (d.kinds.length === 0) d.kinds.push('plain');
}

function mutatePath(r: Rng, d: Draft): void {
  const segs = d.path.split('/');
  const at = r.between(1, Math.max(1, segs.length - 1));
  const ops: (() => void)[] = [
    () => { segs[at] = `${segs[at] ?? ''}${r.pick(BAD_ESCAPES)}`; },
    () => { segs.splice(at, 0, r.pick(['..', '.', '%2e%2e', '%2E', '..%2f', '...', '..;'])); },
    () => { segs.splice(at, 0, ''); },
    () => { segs[at] = 'a'.repeat(r.pick([256, 2048, 8000, 20000])); },
    () => { segs[at] = `${segs[at] ?? ''}${r.pick(UNICODE)}`; },
    () => { segs[at] = encodeURIComponent(r.pick(UNICODE)); },
    () => { segs[at] = (segs[at] ?? '').toUpperCase(); },
    () => { segs.push(''); },
    () => { segs.push(r.pick(['', 'x', '%zz', '..', 'index.html', '*'])); },
    () => { segs[at] = `${segs[at] ?? ''};jsessionid=${r.string(8)}`; },
    () => { segs[at] = (segs[at] ?? '').replace(/[a-z]/g, (c) => `%${c.charCodeAt(0).toString(16)}`); },
  ];
  r.pick(ops)();
  d.path = r.chance(0.06) ? r.pick(['*', '', 'https://evil.example/x', `//${segs.join('/')}`, '\\', '/\\evil', `http://login.sso.test${segs.join('/')}`]) : segs.join('/');
}

function mutateQuery(r: Rng, d: Draft): void {
  const junk = r.pick<() => string>([
    () => r.pick(JUNK_QUERIES),
    () => `${r.pick(['flow', 'id', 'return_to', 'client_id', 'state', 'code', 'token', 'returnTo', 'redirect_uri'])}=${r.pick(BAD_ESCAPES)}`,
    () => `${r.pick(['flow', 'id', 'return_to', 'client_id', 'state', 'code', 'returnTo'])}=${'x'.repeat(r.pick([1000, 8000, 14000]))}`,
    () => `a=${r.pick(UNICODE)}`,
    () => Array.from({ length: r.between(50, 400) }, (_, i) => `k${i}=${r.string(3)}`).join('&'),
    () => `flow=${r.string(8)}&flow=${r.string(8)}`,
  ])();
  d.query = r.pick([junk, d.query ? `${d.query}&${junk}` : junk, d.query ? `${junk}&${d.query}` : junk]);
}

function oddHeader(r: Rng): [string, string][] {
  const ip = () => `${r.int(256)}.${r.int(256)}.${r.int(256)}.${r.int(256)}`;
  const h = r.pick<() => [string, string][]>([
    () => [['content-type', r.pick(['application/json', 'application/json; charset=utf-16', 'application/x-www-form-urlencoded', 'multipart/form-data', 'multipart/form-data; boundary=', 'text/plain', ';;;', '/', 'application/json, text/html', 'x'.repeat(2000), 'application/x-www-form-urlencoded; charset=ebcdic', 'APPLICATION/JSON', 'application/jsonx', 'application/*'])]],
    () => [['content-type', 'application/json'], ['content-type', 'text/plain']],
    () => [['cookie', r.pick([`ory_kratos_session=${r.string(40)}`, `_interaction=${r.string(21)}; _interaction.sig=${r.string(27)}`, `_session=${r.string(21)}; _session.legacy=${r.string(10)}`, 'a=%zz', '=;;;=', `x=${'y'.repeat(6000)}`, `__Host-x=${r.string(5)}; ${'a=b; '.repeat(300)}`, 'ory_kratos_session=%', '"unterminated', `csrf_token_${r.string(8)}=${r.string(44)}`])]],
    () => [['cookie', `ory_kratos_session=${r.string(40)}`], ['cookie', `ory_kratos_session=${r.string(40)}`]],
    () => [['authorization', r.pick(['Basic', 'Basic ', 'Basic !!!', `Basic ${b64(':')}`, `Basic ${b64('%zz:%zz')}`, `Basic ${b64('app-a')}`, `Basic ${b64(`${'a'.repeat(2000)}:b`)}`, `Basic ${b64(r.bytes(20))}`, `Basic ${b64('app-a:%E0%A4%A')}`, 'Bearer', `Bearer ${r.string(43)}`, `Bearer ${'a.'.repeat(500)}`, 'Bearer %zz', `Digest username="x"`, 'Negotiate YII=', `${'x'.repeat(300)} y`])]],
    () => [['authorization', `Basic ${b64('a:b')}`], ['authorization', `Bearer ${r.string(10)}`]],
    () => [['x-forwarded-for', r.pick([ip(), `${ip()}, ${ip()}, unknown`, '::ffff:zz', 'garbage', '<script>', Array.from({ length: 200 }, ip).join(','), '', ',,,', '999.999.999.999', '[::1]:80', `${ip()}:99999`])]],
    () => [['x-forwarded-proto', r.pick(['http', 'gopher', 'https, http', ''])], ['x-forwarded-host', r.pick(['evil.example', 'login.sso.test:1', '%zz', ''])]],
    () => [['forwarded', r.pick(['for=1.2.3.4;proto=http;host=evil.example', 'for="[::1', ';;;', 'for=unknown'])]],
    () => [['accept', r.pick(['text/html', 'application/json', '*/*', 'text/html;q=x', '', 'x'.repeat(3000), 'image/png'])]],
    () => [['accept-language', r.pick(['de', 'zz-ZZ', '*;q=2', 'x'.repeat(500), 'en;q=0.9,,,'])]],
    () => [['origin', r.pick(['null', 'https://evil.example', '%zz', '', 'https://login.sso.test'])], ['sec-fetch-site', r.pick(['same-origin', 'cross-site', 'x'])]],
    () => [['expect', r.pick(['100-continue', 'garbage'])]],
    () => [['range', r.pick(['bytes=0-1', 'bytes=-1', 'bytes=x', 'bytes=0-1,2-3,4-5'])], ['if-none-match', r.pick(['*', 'W/"x"', '"'])]],
    () => [['accept-encoding', r.pick(['gzip', 'br;q=x', 'identity;q=0', '*;q=0', 'x'.repeat(500)])]],
    () => [['x-http-method-override', r.pick(['DELETE', 'PUT', 'TRACE'])]],
    () => [['x-request-id', r.pick(['x', '\u00e9'.repeat(3), 'y'.repeat(2000)])]],
    () => [['referer', r.pick(['https://evil.example/', '%zz', 'javascript:x'])]],
    () => Array.from({ length: r.between(50, 150) }, (_, i) => [`x-fuzz-${i}`, r.string(10)] as [string, string]),
    () => [[r.pick(['x-h\u00e9', 'x h', 'x:h', '', 'x\u0000'] as const), 'v']],
    () => [['x-fuzz', r.pick(['a\u0000b', 'a\rb', '\u00e9\u00e8', 'a\u007fb', ' lead', 'trail '])]],
    () => [['host', r.pick(['evil.example', '', 'login.sso.test:1', '%zz', '[::1', 'a'.repeat(300)])]],
    () => [['connection', r.pick(['keep-alive', 'upgrade', 'close, x-fuzz', 'x-fuzz'])], ['upgrade', r.pick(['websocket', 'h2c', 'x'])]],
    () => [['transfer-encoding', r.pick(['gzip', 'identity', 'chunked, gzip', 'x'])]],
  ]);
  return h();
}

function mutateBody(r: Rng, d: Draft): void {
  if (d.method === 'GET' || d.method === 'HEAD') d.method = r.pick(['POST', 'PUT', 'PATCH', d.method]);
  const ct = (value: string) => {
    d.headers = d.headers.filter(([n]) => n !== 'content-type');
    d.headers.push(['content-type', value]);
  };
  r.pick<() => void>([
    () => { ct('application/json'); d.body = Buffer.from(r.pick(['{', '{"a":', '[1,2', '{"a":1}}', 'null', '"str"', '1e999', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}', '\ufeff{}', '{"a":"\\ud800"}', `${'['.repeat(5000)}${']'.repeat(5000)}`, '{"a":1,"a":2}', ''])); },
    () => { ct('application/x-www-form-urlencoded'); d.body = Buffer.from(r.pick(['%', 'a=%zz', '&&&', '=', 'a[b][c]=1&a[b]=2', '__proto__[x]=1', 'a=1&'.repeat(2000), `a=${'x'.repeat(30000)}`, 'csrf_token=%E0%A4%A', '\u0000=\u0000'])); },
    () => {
      const boundary = r.pick(['X', '', '----x', 'a'.repeat(100)]);
      ct(r.pick([`multipart/form-data; boundary=${boundary}`, 'multipart/form-data', 'multipart/mixed; boundary=X']));
      d.body = Buffer.from(r.pick([`--${boundary}\r\nContent-Disposition: form-data; name="a"\r\n\r\nv\r\n--${boundary}--\r\n`, `--${boundary}\r\nContent-Disposition: form-data; name="a"\r\n\r\nv`, '--X\r\n\r\n', `--${boundary}\r\nContent-Disposition: form-data; name="f"; filename="../../x"\r\nContent-Type: text/plain\r\n\r\n${'x'.repeat(1000)}\r\n--${boundary}--\r\n`]));
    },
    () => { ct(r.pick(['application/json', 'application/x-www-form-urlencoded', 'text/plain', 'application/octet-stream'])); d.body = Buffer.alloc(r.pick([65 * 1024, 100 * 1024, 200 * 1024]), 'a'); d.expect = 'any'; },
    () => { ct(r.pick(['application/json', 'application/x-www-form-urlencoded', 'text/plain'])); d.body = r.bytes(r.between(1, 2000)); },
    () => { d.headers = d.headers.filter(([n]) => n !== 'content-type'); d.body = Buffer.from(r.pick(['{"a":1}', 'a=1', r.string(100)])); },
    () => { ct('application/json; charset=utf-16le'); d.body = Buffer.from('{"a":1}', 'utf16le'); },
  ])();
}

function mutateFraming(r: Rng, d: Draft): void {
  const body = d.body ?? Buffer.from(r.string(r.between(1, 200)));
  if (d.method === 'GET' && r.chance(0.5)) d.method = 'POST';
  d.body = body;
  d.framed = true;
  const before = d.expect;
  d.expect = 'any';
  r.pick<() => void>([
    // Declares more than it sends, then ends its side: the server sees the connection end mid-body.
    () => { d.headers.push(['content-length', String(body.length + r.between(1, 5000))]); d.delivery = 'half-close'; },
    // Declares less: the rest is read as the next request.
    () => { d.headers.push(['content-length', String(Math.max(0, body.length - r.between(1, body.length)))]); },
    () => { d.headers.push(['content-length', r.pick(['-1', 'abc', '1e3', ' 5', '0x10', '99999999999999999999', '', '+5'])]); },
    () => { d.headers.push(['content-length', String(body.length)], ['content-length', String(body.length + 1)]); },
    () => { d.headers.push(['content-length', String(body.length)], ['transfer-encoding', 'chunked']); },
    // Chunked, well-formed or not.
    () => {
      d.headers.push(['transfer-encoding', 'chunked']);
      d.body = Buffer.concat([
        Buffer.from(r.pick([`${body.length.toString(16)}\r\n`, 'zz\r\n', `${(body.length + 10).toString(16)}\r\n`, 'ffffffffffffffff\r\n', `${body.length.toString(16)};ext=1\r\n`])),
        body,
        Buffer.from(r.pick(['\r\n0\r\n\r\n', '\r\n', '0\r\n\r\n', '\r\n0\r\nX-Trailer: 1\r\n\r\n', ''])),
      ]);
      // Ended by the client: a chunk that promises more than follows must not read as a hang.
      d.delivery = 'half-close';
    },
    // The client gives up halfway.
    () => { d.headers.push(['content-length', String(body.length)]); d.delivery = 'abort'; },
    // Dribbled in pieces.
    () => { d.headers.push(['content-length', String(body.length)]); d.delivery = 'split'; d.expect = before; },
  ])();
}

function rawGarbage(r: Rng, d: Draft): Buffer[] {
  return r.pick<() => Buffer[]>([
    () => [r.bytes(r.between(1, 500))],
    () => [Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')],
    () => [Buffer.from(`GET ${d.path}\r\n\r\n`)],
    () => [Buffer.from(`GET ${d.path} HTTP/9.9\r\nhost: x\r\n\r\n`)],
    () => [Buffer.from(`GET ${d.path} HTTP/1.1\nhost: x\n\n`)],
    () => [Buffer.from(`GET ${d.path} HTTP/1.1\r\nhost: x\r\n folded: y\r\n\r\n`)],
    () => [Buffer.from(`GET ${d.path} HTTP/1.1\r\nhost: x\r\nconnection: keep-alive\r\n\r\n`.repeat(r.between(2, 20)))],
    () => [Buffer.from(`GET /${'a'.repeat(70000)} HTTP/1.1\r\nhost: x\r\n\r\n`)],
    () => [Buffer.from(`GET ${d.path} HTTP/1.1\r\nhost: x\r\n${'x-a: b\r\n'.repeat(3000)}\r\n`)],
    () => [Buffer.from('\r\n\r\n\r\n')],
  ])();
}

// ---------------------------------------------------------------------------------------------

function finish(r: Rng, d: Draft, index: number, target: Target, host: string): FuzzCase {
  const path = d.query ? `${d.path}?${d.query}` : d.path;
  let chunks: Buffer[];
  if (d.raw) {
    chunks = d.raw;
  } else {
    const headers: [string, string][] = [];
    if (!d.headers.some(([n]) => n === 'host') || r.chance(0.3)) headers.unshift(['host', host]);
    headers.push(...d.headers);
    if (!d.headers.some(([n]) => n === 'connection')) headers.push(['connection', 'close']);
    if (d.body && !d.framed && !d.headers.some(([n]) => n === 'content-length' || n === 'transfer-encoding')) headers.push(['content-length', String(d.body.length)]);
    const head = `${d.method} ${path} HTTP/1.1\r\n${headers.map(([n, v]) => `${n}: ${v}`).join('\r\n')}\r\n\r\n`;
    chunks = [Buffer.from(head, 'utf8'), ...(d.body ? [d.body] : [])];
    d.headers = headers;
  }
  // Framing that leaves the body's end to the connection (a Transfer-Encoding other than a
  // well-formed chunked body, lengths that disagree): the client ends its side after sending, as
  // a client whose request is done would, and the server may answer or just close.
  if (!d.raw) {
    const lengths = d.headers.filter(([n]) => n === 'content-length').map(([, v]) => v);
    const odd = d.headers.some(([n]) => n === 'transfer-encoding') || lengths.length > 1 || (lengths.length === 1 && lengths[0] !== String(d.body?.length ?? 0));
    if (odd) {
      d.expect = 'any';
      if (d.delivery === 'whole') d.delivery = 'half-close';
    }
  }
  if (d.delivery === 'split' || d.delivery === 'abort') {
    const all = Buffer.concat(chunks);
    const cuts = [...new Set(Array.from({ length: r.between(1, 4) }, () => r.between(1, Math.max(1, all.length - 1))))].sort((a, b) => a - b);
    chunks = [];
    let from = 0;
    for (const c of cuts) {
      chunks.push(all.subarray(from, c));
      from = c;
    }
    // An aborting client never sends the last piece.
    if (d.delivery !== 'abort') chunks.push(all.subarray(from));
  }
  if (d.delivery === 'abort') d.expect = 'any';
  // Methods Node's parser does not know, CONNECT (no handler: Node drops the socket) and
  // malformed request lines get closed as often as answered.
  if (!/^(GET|POST|PUT|DELETE|PATCH|OPTIONS|HEAD|TRACE|PROPFIND|MKCOL|SEARCH|QUERY|PURGE|LINK|REPORT|M-SEARCH)$/.test(d.method) || /[\s\u0080-\uffff]/.test(path) || path === '' || path.length > 8000) d.expect = 'any';
  const odd = d.headers.filter(([n]) => !['host', 'connection', 'content-length', 'content-type'].includes(n));
  return {
    index,
    target,
    method: d.raw ? '(raw)' : d.method.slice(0, 40),
    path: d.raw ? Buffer.concat(chunks).subarray(0, 80).toString('latin1') : path.length > 160 ? `${path.slice(0, 160)}…(${path.length})` : path,
    headerSummary: d.raw ? '' : odd.map(([n, v]) => `${n.slice(0, 30)}: ${v.length > 40 ? `${v.slice(0, 40)}…(${v.length})` : v}`).join(' | ').slice(0, 400),
    bodyBytes: d.body?.length ?? 0,
    kinds: d.kinds,
    delivery: d.delivery,
    expect: d.expect,
    chunks,
  };
}
