/**
 * @file The load driver of `npm run bench:peer`: a child process of bench/peer.ts (forked with
 * IPC) that plays browsers and client apps against two OpenID providers on the same Kratos: the
 * hub, and Hydra with its login/consent app. Both stacks get the same operations through the same
 * code and HTTP client (bench/http.ts, as bench/load-driver.ts uses); only the endpoints and the
 * sign-in page differ. Every run is bounded by a duration and stops by itself.
 */
import { createHash, randomBytes } from 'node:crypto';
import { basic, follow, percentile, unescapeHtml } from '../driver-kit.ts';
import { browse, Jar, request } from '../http.ts';
import type { ClientSpec } from '../protocol.ts';
import type { PeerMessage, PeerOperation, PeerReply, PeerRunStats, PeerSetup, Stack, StackSetup } from './protocol.ts';

interface StackUser {
  /** The browser's cookies (Kratos session + the provider's own). */
  jar: Jar;
  refreshToken: string | undefined;
}

interface VirtualUser {
  email: string;
  password: string;
  stacks: Record<Stack, StackUser>;
}

let setup: PeerSetup;
let users: VirtualUser[] = [];

const b64url = (b: Buffer) => b.toString('base64url');


/** An authorization request with PKCE, state and nonce, as @ssohub/testkit's authorizationRequest builds it. */
function authorizationRequest(s: StackSetup) {
  const verifier = b64url(randomBytes(32));
  const state = b64url(randomBytes(16));
  const url = new URL(s.authorizationEndpoint);
  url.search = new URLSearchParams({
    client_id: s.user.id,
    redirect_uri: s.user.redirectUri,
    response_type: 'code',
    scope: s.scope,
    code_challenge: b64url(createHash('sha256').update(verifier).digest()),
    code_challenge_method: 'S256',
    state,
    nonce: b64url(randomBytes(16)),
  }).toString();
  return { url, verifier, state };
}


const isCallback = (client: ClientSpec) => (u: URL) => u.href.startsWith(client.redirectUri);
/** Kratos' login UI (the hub's /login page): where a browser without a Kratos session lands. */
const isLoginUi = (u: URL) => u.pathname === '/login' && u.searchParams.has('flow');

async function token(s: StackSetup, client: { id: string; secret: string }, params: Record<string, string>) {
  const res = await request(new URL(s.tokenEndpoint), {
    method: 'POST',
    headers: { authorization: basic(client.id, client.secret), 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(params).toString(),
  });
  if (res.status !== 200) throw new Error(`token endpoint (${params.grant_type}): ${res.status} ${res.body.slice(0, 200)}`);
  return JSON.parse(res.body) as { id_token?: string; access_token?: string; refresh_token?: string };
}

async function redeem(stack: Stack, callback: URL, verifier: string, state: string) {
  const s = setup.stacks[stack];
  if (callback.searchParams.get('error')) throw new Error(`authorization error: ${callback.searchParams.get('error')} ${callback.searchParams.get('error_description') ?? ''}`);
  if (callback.searchParams.get('state') !== state) throw new Error('state mismatch');
  const iss = callback.searchParams.get('iss');
  // RFC 9207: the hub always names itself; Hydra v2.3 does not send iss, but must not send a wrong one.
  if ((stack === 'hub' || iss !== null) && iss !== s.issuer) throw new Error('iss missing or wrong');
  const code = callback.searchParams.get('code');
  if (!code) throw new Error('no code on the callback');
  const tokens = await token(s, s.user, { grant_type: 'authorization_code', code, redirect_uri: s.user.redirectUri, code_verifier: verifier });
  if (!tokens.id_token || !tokens.access_token || !tokens.refresh_token) throw new Error('token response without id_token, access_token or refresh_token');
  return tokens;
}

/** SSO hop: a browser signed in at Kratos arrives at a client; authorize → code → token exchange. */
async function ssoHop(stack: Stack, user: VirtualUser) {
  const s = setup.stacks[stack];
  const u = user.stacks[stack];
  const req = authorizationRequest(s);
  const callback = await follow(u.jar, req.url, (x) => isCallback(s.user)(x) || isLoginUi(x));
  if (!isCallback(s.user)(callback)) throw new Error(`SSO hop asked for a sign-in (${callback.pathname}): the session is gone`);
  const tokens = await redeem(stack, callback, req.verifier, req.state);
  u.refreshToken = tokens.refresh_token;
}

/**
 * First sign-in with a password: authorize, land on Kratos' login UI, submit the password, back
 * through the provider to the client, code for tokens. The hub serves the login page itself (its
 * form is read from the HTML); for Hydra the browser reads the flow from Kratos' API, as a
 * single-page login UI would.
 */
async function signIn(stack: Stack, user: { email: string; password: string }, jar = new Jar()) {
  const s = setup.stacks[stack];
  const req = authorizationRequest(s);
  const loginUi = await follow(jar, req.url, isLoginUi);
  let action: URL;
  let csrf: string;
  if (stack === 'hub') {
    const page = await browse(jar, loginUi);
    if (page.status !== 200) throw new Error(`login page: ${page.status}`);
    const form =
      /<form[^>]*action="([^"]+)"[^>]*>[\s\S]*?name="csrf_token"[^>]*value="([^"]+)"/.exec(page.body) ??
      /<form[^>]*action="([^"]+)"[^>]*>[\s\S]*?value="([^"]+)"[^>]*name="csrf_token"/.exec(page.body);
    if (!form) throw new Error('no password form with a csrf_token on the login page');
    action = new URL(unescapeHtml(form[1]!), loginUi);
    csrf = unescapeHtml(form[2]!);
  } else {
    const flowId = loginUi.searchParams.get('flow')!;
    const flowRes = await browse(jar, new URL(`${setup.kratosPublicUrl}/self-service/login/flows?id=${flowId}`), { accept: 'application/json' });
    if (flowRes.status !== 200) throw new Error(`kratos flow: ${flowRes.status}`);
    const flow = JSON.parse(flowRes.body) as { ui: { action: string; nodes: { attributes: { name?: string; value?: unknown } }[] } };
    csrf = String(flow.ui.nodes.find((n) => n.attributes.name === 'csrf_token')?.attributes.value ?? '');
    // The flow's action names Kratos' public base URL (the hub's origin); the browser posts to Kratos itself.
    action = new URL(`${setup.kratosPublicUrl}/self-service/login?flow=${flowId}`);
  }
  const submitted = await browse(jar, action, { form: { csrf_token: csrf, identifier: user.email, password: user.password, method: 'password' } });
  const location = submitted.headers.location;
  if (submitted.status !== 303 || !location) throw new Error(`password submit: ${submitted.status} ${submitted.body.slice(0, 200)}`);
  const callback = await follow(jar, new URL(location, action), isCallback(s.user));
  const tokens = await redeem(stack, callback, req.verifier, req.state);
  return { jar, tokens };
}

async function refresh(stack: Stack, user: VirtualUser) {
  const s = setup.stacks[stack];
  const u = user.stacks[stack];
  if (!u.refreshToken) throw new Error('no refresh token');
  const tokens = await token(s, s.user, { grant_type: 'refresh_token', refresh_token: u.refreshToken });
  if (!tokens.refresh_token || tokens.refresh_token === u.refreshToken) throw new Error('refresh token was not rotated');
  u.refreshToken = tokens.refresh_token;
}

async function clientCredentials(stack: Stack) {
  const s = setup.stacks[stack];
  const tokens = await token(s, s.service, { grant_type: 'client_credentials', [s.audienceParam]: s.audience });
  if (!tokens.access_token) throw new Error('client_credentials: no access_token');
}

function operation(stack: Stack, op: PeerOperation): (worker: number) => Promise<unknown> {
  const userOf = (w: number) => users[w % users.length]!;
  switch (op) {
    case 'sso-hop':
      return (w) => ssoHop(stack, userOf(w));
    case 'refresh':
      return (w) => refresh(stack, userOf(w));
    case 'client-credentials':
      return () => clientCredentials(stack);
    case 'signin':
      return (w) => signIn(stack, userOf(w));
  }
}


/** Closed loop: `concurrency` workers until `durationMs`. */
async function run(spec: { stack: Stack; operation: PeerOperation; concurrency: number; durationMs: number }): Promise<PeerRunStats> {
  const op = operation(spec.stack, spec.operation);
  const latencies: number[] = [];
  const errorSamples: string[] = [];
  let errors = 0;
  const t0 = performance.now();
  const deadline = t0 + spec.durationMs;
  const worker = async (w: number) => {
    while (performance.now() < deadline) {
      const begin = performance.now();
      try {
        await op(w);
        latencies.push(performance.now() - begin);
      } catch (err) {
        errors++;
        if (errorSamples.length < 5) errorSamples.push((err as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: spec.concurrency }, (_, w) => worker(w)));
  const elapsedMs = performance.now() - t0;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => percentile(latencies, q);
  return { operation: spec.operation, ops: latencies.length, errors, errorSamples, elapsedMs, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: latencies.at(-1) ?? Number.NaN };
}

/** Signs every user in once on each stack (password) and makes one SSO hop there for a refresh token. */
async function prepare(s: PeerSetup) {
  setup = s;
  users = [];
  const queue = [...s.users];
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let u = queue.shift(); u; u = queue.shift()) {
        const user: VirtualUser = {
          ...u,
          stacks: { hub: { jar: new Jar(), refreshToken: undefined }, hydra: { jar: new Jar(), refreshToken: undefined } },
        };
        for (const stack of ['hub', 'hydra'] as const) {
          await signIn(stack, u, user.stacks[stack].jar);
          await ssoHop(stack, user);
        }
        users.push(user);
      }
    }),
  );
}


const reply = (m: PeerReply) => process.send!(m);

process.on('message', (m: PeerMessage) => {
  const handle = async (): Promise<PeerReply> => {
    if (m.type === 'setup') {
      await prepare(m.setup);
      return { type: 'ready', users: users.length };
    }
    if (m.type === 'run') return { type: 'result', stats: await run(m.spec) };
    process.exit(0);
  };
  handle().then(reply, (err: Error) => reply({ type: 'error', message: err.stack ?? err.message }));
});
process.on('disconnect', () => process.exit(0));
