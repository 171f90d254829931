/**
 * @file The load driver: a child process of bench/run.ts (forked with IPC) that plays browsers and
 * client apps against the hub and Kratos on loopback. It keeps the signed-in users' cookie jars
 * between runs and answers each `run` message with latency figures. Every run is bounded by a
 * duration and an operation count and stops by itself.
 */
import { authorizationRequest } from '@ssohub/testkit';
import { basic, follow, percentile, unescapeHtml } from './driver-kit.ts';
import { browse, Jar, request, timeRequests } from './http.ts';
import type { ClientSpec, DriverMessage, DriverReply, PairSpec, PairStats, RunSpec, RunStats, Setup } from './protocol.ts';
import { measureSdk } from './sdk-overhead.ts';

interface VirtualUser {
  email: string;
  password: string;
  /** The browser's cookies on the login domain (Kratos session + provider session). */
  jar: Jar;
  refreshToken: string | undefined;
  /** The client the refresh token was issued to. */
  tokenClient?: ClientSpec;
  accessToken: string | undefined;
}

let setup: Setup;
let users: VirtualUser[] = [];


function authorizationUrl(client: Setup['clients']['a']) {
  return authorizationRequest({ issuer: setup.issuer, clientId: client.id, redirectUri: client.redirectUri, scope: 'openid email profile' });
}


async function redeem(client: Setup['clients']['a'], callback: URL, verifier: string, state: string) {
  if (callback.searchParams.get('error')) throw new Error(`authorization error: ${callback.searchParams.get('error')} ${callback.searchParams.get('error_description') ?? ''}`);
  if (callback.searchParams.get('state') !== state) throw new Error('state mismatch');
  if (callback.searchParams.get('iss') !== setup.issuer) throw new Error('iss missing or wrong');
  const code = callback.searchParams.get('code');
  if (!code) throw new Error('no code on the callback');
  const res = await request(new URL(`${setup.issuer}/token`), {
    method: 'POST',
    headers: { authorization: basic(client.id, client.secret), 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: client.redirectUri, code_verifier: verifier }).toString(),
  });
  if (res.status !== 200) throw new Error(`token exchange: ${res.status} ${res.body.slice(0, 200)}`);
  const tokens = JSON.parse(res.body) as { id_token?: string; access_token?: string; refresh_token?: string };
  if (!tokens.id_token || !tokens.access_token) throw new Error('token response without id_token or access_token');
  return tokens;
}

const isCallback = (client: Setup['clients']['a']) => (u: URL) => u.href.startsWith(client.redirectUri);

/** SSO hop: a signed-in browser arrives at a client; authorize → code → token exchange. */
async function ssoHop(user: VirtualUser, client = setup.clients.b) {
  const req = authorizationUrl(client);
  const callback = await follow(user.jar, req.url, (u) => isCallback(client)(u) || u.pathname === '/login');
  if (!isCallback(client)(callback)) throw new Error(`SSO hop asked for a sign-in (${callback.pathname}): the hub session is gone`);
  const tokens = await redeem(client, callback, req.verifier, req.state);
  user.refreshToken = tokens.refresh_token;
  user.accessToken = tokens.access_token;
  user.tokenClient = client;
  return tokens;
}

/** First sign-in with a password through the hub: authorize, Kratos login page and submit, code, tokens. */
async function hubSignIn(user: { email: string; password: string }, jar = new Jar(), client = setup.clients.a) {
  const req = authorizationUrl(client);
  const loginPage = await follow(jar, req.url, (u) => u.pathname === '/login' && u.searchParams.has('flow'));
  const page = await browse(jar, loginPage);
  if (page.status !== 200) throw new Error(`login page: ${page.status}`);
  const form = /<form[^>]*action="([^"]+)"[^>]*>[\s\S]*?name="csrf_token"[^>]*value="([^"]+)"/.exec(page.body)
    ?? /<form[^>]*action="([^"]+)"[^>]*>[\s\S]*?value="([^"]+)"[^>]*name="csrf_token"/.exec(page.body);
  if (!form) throw new Error('no password form with a csrf_token on the login page');
  const action = new URL(unescapeHtml(form[1]!), loginPage);
  const csrf = unescapeHtml(form[2]!);
  const submitted = await browse(jar, action, { form: { csrf_token: csrf, identifier: user.email, password: user.password, method: 'password' } });
  const location = submitted.headers.location;
  if (submitted.status !== 303 || !location) throw new Error(`password submit: ${submitted.status} ${submitted.body.slice(0, 200)}`);
  const callback = await follow(jar, new URL(location, action), isCallback(client));
  const tokens = await redeem(client, callback, req.verifier, req.state);
  return { jar, tokens };
}

/** The same password sign-in straight against Kratos' public API (browser flow, no hub). */
async function kratosSignIn(user: { email: string; password: string }) {
  const jar = new Jar();
  const start = await browse(jar, new URL(`${setup.kratosPublicUrl}/self-service/login/browser`));
  const flowId = start.headers.location ? new URL(start.headers.location, setup.kratosPublicUrl).searchParams.get('flow') : null;
  if (start.status !== 303 || !flowId) throw new Error(`kratos login/browser: ${start.status}`);
  const flowRes = await browse(jar, new URL(`${setup.kratosPublicUrl}/self-service/login/flows?id=${flowId}`), { accept: 'application/json' });
  if (flowRes.status !== 200) throw new Error(`kratos flow: ${flowRes.status}`);
  const flow = JSON.parse(flowRes.body) as { ui: { nodes: { attributes: { name?: string; value?: unknown } }[] } };
  const csrf = String(flow.ui.nodes.find((n) => n.attributes.name === 'csrf_token')?.attributes.value ?? '');
  const res = await browse(jar, new URL(`${setup.kratosPublicUrl}/self-service/login?flow=${flowId}`), {
    form: { csrf_token: csrf, identifier: user.email, password: user.password, method: 'password' },
  });
  if (res.status !== 303 || !jar.cookies.has('ory_kratos_session')) throw new Error(`kratos submit: ${res.status} ${res.body.slice(0, 200)}`);
}

async function refresh(user: VirtualUser) {
  const client = user.tokenClient ?? setup.clients.b;
  if (!user.refreshToken) throw new Error('no refresh token');
  const res = await request(new URL(`${setup.issuer}/token`), {
    method: 'POST',
    headers: { authorization: basic(client.id, client.secret), 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: user.refreshToken }).toString(),
  });
  if (res.status !== 200) throw new Error(`refresh: ${res.status} ${res.body.slice(0, 200)}`);
  const tokens = JSON.parse(res.body) as { refresh_token?: string; access_token?: string };
  if (!tokens.refresh_token || tokens.refresh_token === user.refreshToken) throw new Error('refresh token was not rotated');
  user.refreshToken = tokens.refresh_token;
  user.accessToken = tokens.access_token;
}

async function introspect(user: VirtualUser) {
  // A client may introspect only its own tokens.
  const client = user.tokenClient ?? setup.clients.b;
  const res = await request(new URL(`${setup.issuer}/token/introspection`), {
    method: 'POST',
    headers: { authorization: basic(client.id, client.secret), 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({ token: user.accessToken ?? '' }).toString(),
  });
  if (res.status !== 200 || !res.body.includes('"active":true')) throw new Error(`introspection: ${res.status} ${res.body.slice(0, 200)}`);
}

async function getJson(path: string) {
  const res = await request(new URL(`${setup.issuer}${path}`), { headers: { accept: 'application/json' } });
  if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
}

function operation(spec: RunSpec): (worker: number) => Promise<unknown> {
  const userOf = (w: number) => users[w % users.length]!;
  switch (spec.scenario) {
    case 'sso-hop':
      return (w) => ssoHop(userOf(w), setup.clients[spec.client ?? 'b']);
    case 'refresh':
      return (w) => refresh(userOf(w));
    case 'introspection':
      return (w) => introspect(userOf(w));
    case 'discovery':
      return () => getJson('/.well-known/openid-configuration');
    case 'jwks':
      return () => getJson('/jwks');
    case 'signin-hub':
      return (w) => hubSignIn(userOf(w));
    case 'signin-kratos':
      return (w) => kratosSignIn(userOf(w));
    default:
      throw new Error(`unknown scenario ${spec.scenario}`);
  }
}

/**
 * Runs `spec.concurrency` workers until `durationMs` or `maxOps`. With `rate`, operations start on
 * a fixed schedule (open loop) and latency counts from the scheduled start, so queueing behind a
 * slow server is not hidden (coordinated omission).
 */
async function run(spec: RunSpec): Promise<RunStats> {
  const op = operation(spec);
  const latencies: number[] = [];
  const errors: string[] = [];
  let errorCount = 0;
  let started = 0;
  const t0 = performance.now();
  const deadline = t0 + spec.durationMs;
  const interval = spec.rate ? 1000 / spec.rate : 0;
  const worker = async (w: number) => {
    for (;;) {
      if (started >= spec.maxOps) return;
      const index = started++;
      let begin = performance.now();
      if (interval) {
        const scheduled = t0 + index * interval;
        if (scheduled >= deadline) return;
        if (scheduled > begin) await new Promise((r) => setTimeout(r, scheduled - begin));
        begin = scheduled;
      } else if (begin >= deadline) return;
      try {
        await op(w);
        latencies.push(performance.now() - begin);
      } catch (err) {
        errorCount++;
        if (errors.length < 5) errors.push((err as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: spec.concurrency }, (_, w) => worker(w)));
  const elapsedMs = performance.now() - t0;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => percentile(latencies, q);
  return { scenario: spec.scenario, ops: latencies.length, errors: errorCount, errorSamples: errors, elapsedMs, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: latencies.at(-1) ?? Number.NaN };
}


/** See PairSpec. */
async function runPairs(spec: PairSpec): Promise<PairStats> {
  const direct: number[] = [];
  const hub: number[] = [];
  const added: number[] = [];
  const errorSamples: string[] = [];
  let errors = 0;
  const deadline = performance.now() + spec.durationMs;
  // Each request of each sign-in, by where it went: shows which steps the hub adds and what each costs.
  const steps = new Map<string, number[]>();
  let side = '';
  let perSignIn = new Map<string, number>();
  timeRequests((method, url, ms) => {
    // A page visited twice in one sign-in (the interaction, before and after Kratos) is two steps.
    let name = `${side} ${method} ${stepName(url)}`;
    if (perSignIn.has(name)) name += ' (again)';
    perSignIn.set(name, (perSignIn.get(name) ?? 0) + ms);
  });
  const timed = async (name: string, op: () => Promise<unknown>) => {
    side = name;
    perSignIn = new Map();
    const t = performance.now();
    await op();
    const ms = performance.now() - t;
    for (const [k, v] of perSignIn) {
      const list = steps.get(k);
      if (list) list.push(v);
      else steps.set(k, [v]);
    }
    return ms;
  };
  for (let i = 0; i < spec.maxPairs && performance.now() < deadline; i++) {
    const user = users[i % users.length]!;
    try {
      let d: number;
      let h: number;
      if (i % 2 === 0) {
        d = await timed('kratos', () => kratosSignIn(user));
        h = await timed('hub', () => hubSignIn(user));
      } else {
        h = await timed('hub', () => hubSignIn(user));
        d = await timed('kratos', () => kratosSignIn(user));
      }
      direct.push(d);
      hub.push(h);
      added.push(h - d);
    } catch (err) {
      errors++;
      if (errorSamples.length < 5) errorSamples.push((err as Error).message);
    }
  }
  const quantiles = (xs: number[]): [number, number, number] => {
    const s = [...xs].sort((a, b) => a - b);
    return [percentile(s, 0.5), percentile(s, 0.95), percentile(s, 0.99)];
  };
  timeRequests(undefined);
  return {
    pairs: added.length,
    errors,
    errorSamples,
    direct: quantiles(direct),
    hub: quantiles(hub),
    added: quantiles(added),
    steps: [...steps].map(([name, ms]) => ({ name, p50: quantiles(ms)[0] })),
  };
}

/** A request's path with its ids left out (the interaction uid, the flow id, query values). */
function stepName(url: URL): string {
  const path = url.pathname.replace(/\/interaction\/[^/]+/, '/interaction/:uid').replace(/\/auth\/[^/]+$/, '/auth/:uid');
  const query = [...url.searchParams.keys()].filter((k) => k === 'flow' || k === 'id').map((k) => `${k}=…`);
  return query.length ? `${path}?${query.join('&')}` : path;
}

/** Signs every user in once through the hub (password) and makes one SSO hop to get tokens. */
async function prepare(s: Setup) {
  setup = s;
  users = [];
  const queue = [...s.users];
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let u = queue.shift(); u; u = queue.shift()) {
        const { jar } = await hubSignIn(u);
        const user: VirtualUser = { ...u, jar, refreshToken: undefined, accessToken: undefined };
        await ssoHop(user);
        users.push(user);
      }
    }),
  );
}


const reply = (m: DriverReply) => process.send!(m);

process.on('message', (m: DriverMessage) => {
  const handle = async (): Promise<DriverReply> => {
    if (m.type === 'setup') {
      await prepare(m.setup);
      return { type: 'ready', users: users.length };
    }
    if (m.type === 'run') return { type: 'result', stats: await run(m.spec) };
    if (m.type === 'pairs') return { type: 'pairs', stats: await runPairs(m.spec) };
    if (m.type === 'sdk') {
      const user = users[0]!;
      return { type: 'sdk', stats: await measureSdk({ ...m.sdk, follow: (url) => follow(user.jar, url, (u) => u.href.startsWith(m.sdk.redirectUri)) }) };
    }
    process.exit(0);
  };
  handle().then(reply, (err: Error) => reply({ type: 'error', message: err.stack ?? err.message }));
});
process.on('disconnect', () => process.exit(0));
