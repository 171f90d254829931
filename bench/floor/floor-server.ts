/**
 * @file The floor of bench/floor.ts: a hand-written node:http server that answers the two hot
 * operations of the hub's load driver (`sso-hop`: GET <issuer>/auth then POST <issuer>/token with
 * a code; `refresh`: POST <issuer>/token with a refresh token) with the I/O the hub performs for
 * them, and nothing else. Its CPU per operation, measured next to the hub's, says how much of the
 * hub's CPU any Node implementation has to spend on this machine.
 *
 * Per operation (the hub's commands and Redis reads as MONITOR and `total_reads_processed` showed
 * them at concurrency 1 on 2026-12-06; the hub's own Lua scripts, imported, so Redis does the
 * same work; ioredis with auto-pipelining, like the hub; a "batch" is what one Redis read takes in):
 *
 * - GET /auth of a signed-in browser (7 commands in 5 batches, 1 Kratos call): checks the client,
 *   redirect_uri, response_type, scope and the PKCE challenge's presence; verifies the session
 *   cookie's HMAC (SHA-256, a KeyObject made once); calls Kratos `whoami` (undici Pool) with the
 *   browser's cookies while it reads the provider session (HGETALL), then its binding (HGETALL), and
 *   requires the binding to name whoami's live session and identity; writes the verification note
 *   for the code exchange (SET EX 60) while it reads the session's grant for the client (HGETALL;
 *   only a client's first hop in a session creates one, as oidc-provider does); stores the code
 *   (upsert script, grant index); saves the session with a new expiry (upsert script, uid and live
 *   indexes) with the audit entry (XADD) in the same batch; answers 303 to redirect_uri with code,
 *   state and iss, re-setting the signed session cookie.
 * - POST /token, authorization_code (9 commands in 4 batches, no Kratos call): client
 *   authentication (Basic, SHA-256 of the secret compared in constant time); the token guard (the
 *   hub's TAKE script on the ip and client buckets); the code (HGETALL: not consumed, not expired,
 *   same client and redirect_uri, PKCE S256 verified); the grant (HGETALL), the session by uid (the
 *   hub's find-by-index script) and the verification note (GET) together, each checked against the
 *   code; the audit entry, consume (the hub's script) and both new tokens (upsert script, grant
 *   index) together; an ID token signed with `crypto.sign` (KeyObject made once; ES256 or RS256 as
 *   the client is registered; claims sub, email, email_verified, name, nonce, at_hash, sid,
 *   auth_time, acr, amr, aud, exp, iat, iss); the JSON answer.
 * - POST /token, refresh_token (9 commands in 4 batches, 1 Kratos call): client authentication;
 *   guard; the refresh token (HGETALL: not consumed, not expired, same client); grant, session by
 *   uid and the binding together; Kratos' admin session lookup (`/admin/sessions/<id>?expand=identity`)
 *   of the bound session, which must be active, unexpired and of the same identity; the audit
 *   entry, consume, the rotated refresh token and a new access token together; a new ID token
 *   from the identity's traits; the JSON answer.
 *
 * Stored artefacts are JSON of the shapes the hub stores, 1.0–1.25 times their size (the probe of
 * bench/floor.ts prints both).
 *
 * Left out, as a floor should: Fastify and Koa, oidc-provider's models and parameter checks beyond
 * the ones above, logging, metrics, the per-command deadline wrapper, request-scoped caches, the
 * second cookie check, error pages and every other route. Refresh-token reuse detection is reduced
 * to refusing a consumed token (the hub also revokes the grant then: never on this path). The
 * first sign-in (no session cookie) is not a floor path: it borrows the hub's through a client
 * registered for this (`/cb`), then binds a floor session to the browser's Kratos session.
 */
import { createHash, createHmac, createPrivateKey, createSecretKey, type KeyObject, randomBytes, sign, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { Redis } from 'ioredis';
import { Pool } from 'undici';
// The hub's own scripts, so Redis does the same work for both sides and follows any change of them.
import { CONSUME_SCRIPT as CONSUME, FIND_BY_INDEX_SCRIPT as FIND_BY_INDEX, UPSERT_SCRIPT as UPSERT } from '../../packages/hub/src/bridge/adapter/redis-model-store.ts';
import { TAKE } from '../../packages/hub/src/guard/redis-guard-store.ts';

const env = process.env;
const PORT = Number(env.FLOOR_PORT);
const ISSUER = env.FLOOR_ISSUER!;
const P = env.FLOOR_PREFIX!;
const HUB_ISSUER = env.FLOOR_HUB_ISSUER!;
const BRIDGE = JSON.parse(env.FLOOR_BRIDGE_CLIENT!) as { id: string; redirectUri: string };
const CLIENTS = new Map(
  (JSON.parse(env.FLOOR_CLIENTS!) as { id: string; secret: string; redirectUri: string; alg: 'ES256' | 'RS256' }[]).map((c) => [
    c.id,
    { ...c, secretHash: createHash('sha256').update(c.secret).digest() },
  ]),
);
const KEYS = new Map(
  (JSON.parse(readFileSync(env.FLOOR_KEYS_FILE!, 'utf8')) as { alg: string; kid: string }[]).map((jwk) => [
    jwk.alg,
    { kid: jwk.kid, key: createPrivateKey({ key: jwk as never, format: 'jwk' }) },
  ]),
);
const COOKIE_KEY: KeyObject = createSecretKey(Buffer.from(env.FLOOR_COOKIE_KEY!));
const COOKIE = 'floor_session';
const SESSION_TTL = 14 * 24 * 3600;
const CODE_TTL = 60;
const AT_TTL = 900;
const RT_TTL = 14 * 24 * 3600;
const SCOPE = 'openid email profile';

const redis = new Redis(env.FLOOR_REDIS_URL!, { enableAutoPipelining: true, maxRetriesPerRequest: 2 });
const kratosPublic = new Pool(env.FLOOR_KRATOS_PUBLIC!, { connections: 64 });
const kratosAdmin = new Pool(env.FLOOR_KRATOS_ADMIN!, { connections: 64 });

// The hub's own scripts (imported above).
redis.defineCommand('upsert', { lua: UPSERT });
redis.defineCommand('consume', { lua: CONSUME });
redis.defineCommand('findByIndex', { lua: FIND_BY_INDEX, numberOfKeys: 1 });
redis.defineCommand('take', { lua: TAKE });
type Scripted = {
  upsert(n: number, ...args: (string | number)[]): Promise<number>;
  consume(n: number, ...args: (string | number)[]): Promise<number>;
  findByIndex(key: string, base: string): Promise<string[] | null>;
  take(n: number, ...args: (string | number)[]): Promise<unknown>;
};
const r = redis as unknown as Redis & Scripted;

const WIDE = 1_000_000;
const WIDE_RATE = WIDE / 60_000;
const id43 = () => randomBytes(32).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

interface Identity {
  id: string;
  state?: string;
  traits: { email: string; name?: string };
  verifiable_addresses?: { value: string; verified: boolean }[];
}
interface KratosSession {
  id: string;
  active?: boolean;
  expires_at?: string;
  identity?: Identity;
}
interface SessionPayload {
  uid: string;
  accountId: string;
  loginTs: number;
  authorizations: Record<string, { sid: string; grantId?: string; persistsLogout: boolean }>;
  [k: string]: unknown;
}
interface TokenPayload {
  accountId: string;
  clientId: string;
  grantId: string;
  sessionUid: string;
  exp: number;
  authTime: number;
  nonce?: string;
  sid: string;
  acr: string;
  amr: string[];
  scope: string;
  iiat?: number;
  rotations?: number;
  redirectUri?: string;
  codeChallenge?: string;
  [k: string]: unknown;
}

// Kratos calls: undici Pool, JSON body, status mapped like the hub's KratosEndpoint.
async function kratosGet(pool: Pool, path: string, headers: Record<string, string>, absent: number): Promise<KratosSession | undefined> {
  const res = await pool.request({ method: 'GET', path, headers });
  if (res.statusCode === 200) return (await res.body.json()) as KratosSession;
  await res.body.dump();
  if (res.statusCode === absent) return undefined;
  throw new Error(`kratos ${path.split('?')[0]}: ${res.statusCode}`);
}
const whoami = (cookie: string) => kratosGet(kratosPublic, '/sessions/whoami', { cookie, accept: 'application/json' }, 401);
const adminSession = (id: string) => kratosGet(kratosAdmin, `/admin/sessions/${encodeURIComponent(id)}?expand=identity`, { accept: 'application/json' }, 404);
const live = (s: KratosSession | undefined) => !!s && s.active !== false && (!s.expires_at || Date.parse(s.expires_at) > Date.now());

function cookieSig(value: string): string {
  return createHmac('sha256', COOKIE_KEY).update(`${COOKIE}=${value}`).digest('base64url');
}
function sessionCookies(id: string): string[] {
  const attrs = `; path=/; expires=${new Date(Date.now() + SESSION_TTL * 1000).toUTCString()}; samesite=lax; httponly`;
  return [`${COOKIE}=${id}${attrs}`, `${COOKIE}.sig=${cookieSig(id)}${attrs}`];
}
function cookieOf(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  const at = header.indexOf(`${name}=`);
  if (at === -1 || (at > 0 && header[at - 1] !== ' ' && header[at - 1] !== ';')) return undefined;
  const end = header.indexOf(';', at);
  return header.slice(at + name.length + 1, end === -1 ? undefined : end);
}
function signedSessionId(header: string | undefined): string | undefined {
  const id = cookieOf(header, COOKIE);
  const sig = cookieOf(header, `${COOKIE}.sig`);
  if (!id || !sig) return undefined;
  const want = Buffer.from(cookieSig(id));
  const got = Buffer.from(sig);
  return got.length === want.length && timingSafeEqual(got, want) ? id : undefined;
}

const payloadOf = <T>(hash: Record<string, string> | string[] | null): (T & { consumed?: number }) | undefined => {
  if (!hash) return undefined;
  if (Array.isArray(hash)) {
    // HGETALL through EVALSHA: [field, value, ...]
    const i = hash.indexOf('payload');
    if (i === -1) return undefined;
    const c = hash.indexOf('consumed');
    return { ...(JSON.parse(hash[i + 1]!) as T), ...(c === -1 ? {} : { consumed: Number(hash[c + 1]) }) };
  }
  if (!hash.payload) return undefined;
  return { ...(JSON.parse(hash.payload) as T), ...(hash.consumed ? { consumed: Number(hash.consumed) } : {}) };
};

function upsertArgs(model: string, id: string, payload: object, ttl: number, o: { grantId?: string; uid?: string; clientId?: string; accountId?: string; counted?: boolean }) {
  const keys = [`${P}oidc:${model}:${id}`];
  if (o.grantId) keys.push(`${P}oidc:grant:${o.grantId}`);
  if (o.uid) keys.push(`${P}oidc:${model}:uid:${o.uid}`);
  if (o.clientId) keys.push(`${P}oidc:${model}:client:${o.clientId}`);
  if (o.accountId) keys.push(`${P}oidc:${model}:account:${o.accountId}`);
  if (o.counted) keys.push(`${P}oidc:live:${model}`);
  const f = (b: unknown) => (b ? '1' : '0');
  return r.upsert(keys.length, ...keys, JSON.stringify(payload), ttl, f(o.grantId), f(o.uid), '0', id, RT_TTL, f(o.clientId), now(), f(o.accountId), f(o.counted));
}

function audit(entry: object): void {
  r.xadd(`${P}audit`, 'MAXLEN', '~', 100000, '*', 'e', JSON.stringify({ ...entry, ip: '127.0.0.1', time: new Date().toISOString() })).catch(() => {});
}

class HttpError extends Error {
  readonly status: number;
  readonly error: string;
  constructor(status: number, error: string) {
    super(error);
    this.status = status;
    this.error = error;
  }
}

function idToken(alg: 'ES256' | 'RS256', clientId: string, t: TokenPayload, identity: Identity, accessToken: string, iat: number): string {
  const { kid, key } = KEYS.get(alg)!;
  const header = b64({ alg, typ: 'JWT', kid });
  const digest = createHash('sha256').update(accessToken).digest();
  const email = identity.traits.email;
  const claims = b64({
    sub: t.accountId,
    email,
    email_verified: identity.verifiable_addresses?.some((a) => a.value === email && a.verified) ?? false,
    name: identity.traits.name,
    nonce: t.nonce,
    at_hash: digest.subarray(0, 16).toString('base64url'),
    sid: t.sid,
    auth_time: t.authTime,
    acr: t.acr,
    amr: t.amr,
    aud: clientId,
    exp: iat + 3600,
    iat,
    iss: ISSUER,
  });
  const input = `${header}.${claims}`;
  const sig = alg === 'ES256' ? sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }) : sign('sha256', Buffer.from(input), key);
  return `${input}.${sig.toString('base64url')}`;
}

// ---- GET /auth ----------------------------------------------------------------------------------

async function authorize(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
  const q = url.searchParams;
  const client = CLIENTS.get(q.get('client_id') ?? '');
  if (!client || q.get('redirect_uri') !== client.redirectUri) throw new HttpError(400, 'invalid_client');
  if (q.get('response_type') !== 'code' || !q.get('scope')?.split(' ').includes('openid')) throw new HttpError(400, 'invalid_request');
  const challenge = q.get('code_challenge');
  if (!challenge || q.get('code_challenge_method') !== 'S256' || challenge.length !== 43) throw new HttpError(400, 'invalid_request');
  const cookie = req.headers.cookie;
  const sessionId = signedSessionId(cookie);
  if (!sessionId || !cookie) return borrowSignIn(res, url);
  // Kratos is asked while the session and its binding are read.
  const browser = whoami(cookie);
  browser.catch(() => {});
  const session = payloadOf<SessionPayload>(await r.hgetall(`${P}oidc:Session:${sessionId}`));
  if (!session) return borrowSignIn(res, url);
  const [binding, current] = await Promise.all([r.hgetall(`${P}bridge:binding:uid:${session.uid}`), browser]);
  if (!current || !live(current) || binding.kratosSessionId !== current.id || binding.accountId !== session.accountId || current.identity?.id !== session.accountId) {
    return borrowSignIn(res, url);
  }
  const identity = current.identity;
  const t = now();
  const code = id43();
  const known = session.authorizations[client.id];
  const sid = known?.sid ?? id43();
  const { id, state, traits, verifiable_addresses } = identity;
  const note = r.set(
    `${P}bridge:binding:verified:${session.uid}`,
    JSON.stringify({ accountId: id, identity: { id, state, traits, verifiable_addresses }, sessionExpiresAt: Date.parse(current.expires_at ?? '') || undefined }),
    'EX',
    CODE_TTL,
  );
  // The session's grant for this client is reused (read while the note is written), as
  // oidc-provider does; only a client's first hop in a session creates one.
  let grantId = known?.grantId;
  const grant = grantId ? payloadOf<{ clientId: string; accountId: string; exp: number }>(await r.hgetall(`${P}oidc:Grant:${grantId}`)) : undefined;
  await note;
  if (!grant || grant.clientId !== client.id || grant.accountId !== id || grant.exp <= t) {
    grantId = id43();
    await upsertArgs('Grant', grantId, { iat: t, exp: t + RT_TTL, clientId: client.id, kind: 'Grant', jti: grantId, accountId: id, openid: { scope: SCOPE } }, RT_TTL, {
      clientId: client.id,
      accountId: id,
    });
  }
  await upsertArgs(
    'AuthorizationCode',
    code,
    {
      iat: t,
      exp: t + CODE_TTL,
      accountId: id,
      acr: 'aal1',
      amr: ['pwd'],
      authTime: session.loginTs,
      claims: {},
      clientId: client.id,
      codeChallenge: challenge,
      codeChallengeMethod: 'S256',
      expiresWithSession: true,
      grantId,
      nonce: q.get('nonce') ?? undefined,
      redirectUri: client.redirectUri,
      scope: SCOPE,
      sessionUid: session.uid,
      sid,
      kind: 'AuthorizationCode',
      jti: code,
    },
    CODE_TTL,
    { grantId },
  );
  session.authorizations[client.id] = { sid, grantId: grantId!, persistsLogout: false };
  session.iat = t;
  session.exp = t + SESSION_TTL;
  // The audit entry travels with the session's save, in one Redis read, as the hub's does.
  audit({ type: 'oidc.authorization.succeeded', actor: id, outcome: 'success', clientId: client.id, sessionUid: session.uid, grantId, scope: SCOPE });
  await upsertArgs('Session', sessionId, session, SESSION_TTL, { uid: session.uid, counted: true });
  const to = new URL(client.redirectUri);
  to.search = new URLSearchParams({ code, ...(q.get('state') ? { state: q.get('state')! } : {}), iss: ISSUER }).toString();
  res.writeHead(303, { location: to.href, 'set-cookie': sessionCookies(sessionId), 'cache-control': 'no-store', 'content-length': 0 });
  res.end();
}

// ---- the first sign-in, borrowed from the hub (not measured) -----------------------------------

function borrowSignIn(res: http.ServerResponse, url: URL): void {
  const to = new URL(`${HUB_ISSUER}/auth`);
  const verifier = 'floor-bridge-verifier-0123456789abcdefghijklmnop';
  to.search = new URLSearchParams({
    client_id: BRIDGE.id,
    redirect_uri: BRIDGE.redirectUri,
    response_type: 'code',
    scope: 'openid',
    state: Buffer.from(url.search).toString('base64url'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  res.writeHead(303, { location: to.href, 'content-length': 0 });
  res.end();
}

async function signedIn(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
  const cookie = req.headers.cookie;
  const current = cookie ? await whoami(cookie) : undefined;
  if (!current?.identity) throw new HttpError(400, 'no Kratos session after the hub sign-in');
  const sessionId = id43();
  const uid = id43();
  const t = now();
  const session: SessionPayload = { iat: t, exp: t + SESSION_TTL, uid, jti: sessionId, kind: 'Session', accountId: current.identity.id, loginTs: t, amr: ['pwd'], acr: 'aal1', transient: false, authorizations: {} };
  await Promise.all([
    upsertArgs('Session', sessionId, session, SESSION_TTL, { uid, counted: true }),
    r.hset(`${P}bridge:binding:uid:${uid}`, 'kratosSessionId', current.id, 'accountId', current.identity.id).then(() => r.expire(`${P}bridge:binding:uid:${uid}`, SESSION_TTL)),
  ]);
  const back = `${ISSUER}/auth${Buffer.from(url.searchParams.get('state') ?? '', 'base64url').toString()}`;
  res.writeHead(303, { location: back, 'set-cookie': sessionCookies(sessionId), 'content-length': 0 });
  res.end();
}

// ---- POST /token ---------------------------------------------------------------------------------

function authenticate(header: string | undefined) {
  if (!header?.startsWith('Basic ')) throw new HttpError(401, 'invalid_client');
  const decoded = Buffer.from(header.slice(6), 'base64').toString();
  const colon = decoded.indexOf(':');
  const client = CLIENTS.get(decodeURIComponent(decoded.slice(0, colon)));
  if (!client) throw new HttpError(401, 'invalid_client');
  const given = createHash('sha256').update(decodeURIComponent(decoded.slice(colon + 1))).digest();
  if (!timingSafeEqual(given, client.secretHash)) throw new HttpError(401, 'invalid_client');
  return client;
}

async function token(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const client = authenticate(req.headers.authorization);
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const form = new URLSearchParams(Buffer.concat(chunks).toString());
  const guard = await r.take(2, `${P}guard:bucket:tok:ip:127.0.0.1`, `${P}guard:bucket:tok:client:${client.id}`, WIDE, WIDE_RATE, WIDE, WIDE_RATE);
  if (guard) throw new HttpError(429, 'slow_down');
  const grantType = form.get('grant_type');
  const t = now();
  let old: TokenPayload;
  let oldKey: string;
  let identity: Identity;
  if (grantType === 'authorization_code') {
    const code = form.get('code') ?? '';
    oldKey = `${P}oidc:AuthorizationCode:${code}`;
    const c = payloadOf<TokenPayload>(await r.hgetall(oldKey));
    if (!c || c.consumed || c.exp <= t || c.clientId !== client.id || c.redirectUri !== form.get('redirect_uri')) throw new HttpError(400, 'invalid_grant');
    const verifier = form.get('code_verifier') ?? '';
    if (createHash('sha256').update(verifier).digest('base64url') !== c.codeChallenge) throw new HttpError(400, 'invalid_grant');
    const [grant, session, verified] = await Promise.all([
      r.hgetall(`${P}oidc:Grant:${c.grantId}`),
      r.findByIndex(`${P}oidc:Session:uid:${c.sessionUid}`, `${P}oidc:Session:`),
      r.get(`${P}bridge:binding:verified:${c.sessionUid}`),
    ]);
    const g = payloadOf<{ clientId: string; accountId: string }>(grant);
    const s = payloadOf<SessionPayload>(session);
    const v = verified ? (JSON.parse(verified) as { accountId: string; identity: Identity; sessionExpiresAt?: number }) : undefined;
    if (!g || g.clientId !== client.id || g.accountId !== c.accountId || !s || s.accountId !== c.accountId || !v || v.accountId !== c.accountId) throw new HttpError(400, 'invalid_grant');
    if (v.sessionExpiresAt !== undefined && v.sessionExpiresAt <= Date.now()) throw new HttpError(400, 'invalid_grant');
    old = c;
    identity = v.identity;
  } else if (grantType === 'refresh_token') {
    const rt = form.get('refresh_token') ?? '';
    oldKey = `${P}oidc:RefreshToken:${rt}`;
    const c = payloadOf<TokenPayload>(await r.hgetall(oldKey));
    if (!c || c.consumed || c.exp <= t || c.clientId !== client.id) throw new HttpError(400, 'invalid_grant');
    const [grant, session, binding] = await Promise.all([
      r.hgetall(`${P}oidc:Grant:${c.grantId}`),
      r.findByIndex(`${P}oidc:Session:uid:${c.sessionUid}`, `${P}oidc:Session:`),
      r.hgetall(`${P}bridge:binding:uid:${c.sessionUid}`),
    ]);
    const g = payloadOf<{ clientId: string; accountId: string }>(grant);
    const s = payloadOf<SessionPayload>(session);
    if (!g || g.clientId !== client.id || !s || s.accountId !== c.accountId || binding.accountId !== c.accountId || !binding.kratosSessionId) throw new HttpError(400, 'invalid_grant');
    const k = await adminSession(binding.kratosSessionId);
    if (!live(k) || k?.identity?.id !== c.accountId) throw new HttpError(400, 'invalid_grant');
    old = c;
    identity = k.identity;
  } else {
    throw new HttpError(400, 'unsupported_grant_type');
  }
  const accessToken = id43();
  const refreshToken = id43();
  const gty = grantType === 'authorization_code' ? 'authorization_code' : 'authorization_code refresh_token';
  const common = { accountId: old.accountId, expiresWithSession: true, grantId: old.grantId, gty, sessionUid: old.sessionUid };
  // The audit entry travels with the last batch, in one Redis read, as the hub's does (MONITOR and
  // total_reads_processed at concurrency 1); it is written whatever the batch's outcome.
  audit({ type: 'oidc.token.issued', actor: `client:${client.id}`, outcome: 'success', clientId: client.id, grantType });
  const consumed = await Promise.all([
    r.consume(1, oldKey, t, Date.now() + 10_000),
    upsertArgs(
      'RefreshToken',
      refreshToken,
      {
        iat: t,
        exp: t + RT_TTL,
        ...common,
        acr: old.acr,
        amr: old.amr,
        authTime: old.authTime,
        iiat: old.iiat ?? t,
        nonce: old.nonce,
        rotations: (old.rotations ?? -1) + 1,
        scope: SCOPE,
        sid: old.sid,
        kind: 'RefreshToken',
        jti: refreshToken,
        clientId: client.id,
      },
      RT_TTL,
      { grantId: old.grantId },
    ),
    upsertArgs('AccessToken', accessToken, { iat: t, exp: t + AT_TTL, ...common, kind: 'AccessToken', jti: accessToken, clientId: client.id, scope: SCOPE, claims: {}, sid: old.sid }, AT_TTL, {
      grantId: old.grantId,
    }),
  ]);
  if (consumed[0] !== 1) throw new HttpError(503, 'temporarily_unavailable');
  const body = JSON.stringify({
    access_token: accessToken,
    expires_in: AT_TTL,
    id_token: idToken(client.alg, client.id, old, identity, accessToken, t),
    refresh_token: refreshToken,
    scope: SCOPE,
    token_type: 'Bearer',
  });
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

// ---- the server -----------------------------------------------------------------------------------

const issuerPath = new URL(ISSUER).pathname;
const server = http.createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  const url = new URL(req.url ?? '/', 'http://floor');
  let handled: Promise<void>;
  if (req.method === 'GET' && url.pathname === `${issuerPath}/auth`) handled = authorize(req, res, url);
  else if (req.method === 'POST' && url.pathname === `${issuerPath}/token`) handled = token(req, res);
  else if (req.method === 'GET' && url.pathname === new URL(BRIDGE.redirectUri).pathname) handled = signedIn(req, res, url);
  else if (url.pathname === '/ready') handled = redis.ping().then(() => void res.end('ok'));
  else handled = Promise.reject(new HttpError(404, 'not_found'));
  handled.catch((err: Error) => {
    const status = err instanceof HttpError ? err.status : 500;
    const body = JSON.stringify({ error: err instanceof HttpError ? err.error : 'server_error', error_description: err.message });
    if (!res.headersSent) res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.listen(PORT, '127.0.0.1');
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void Promise.allSettled([kratosPublic.close(), kratosAdmin.close()]).then(() => redis.disconnect());
});
