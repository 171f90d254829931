import { HttpSession } from '@ssohub/testkit';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizationRequest, createUser, readLoginFlow, submitKratosLogin, type TestUser, walk } from '../support/bridge-kit.ts';
import { APP_A, type BridgeWorld, CALLBACKS, SHOP_B, signIn, startBridgeWorld, stopBridgeWorld } from '../support/bridge-suite.ts';
import { totp } from '../support/totp.ts';

// The second factor end to end: TOTP enrolled through the Kratos settings flow (reached through
// the hub, as a browser would), clients asking acr_values=aal2, the hub sending the browser
// through Kratos' aal2 login, and the ID token saying what happened. Real Kratos and Redis.

interface UiNode {
  type: string;
  group: string;
  attributes: { name?: string; value?: unknown; id?: string; src?: string; text?: { text?: string; id?: number } };
}
interface Flow {
  id: string;
  state?: string;
  requested_aal?: string;
  ui: { action: string; nodes: UiNode[]; messages?: { id: number; text: string }[] };
}

const csrfOf = (flow: Flow) => flow.ui.nodes.find((n) => n.attributes.name === 'csrf_token')?.attributes.value as string;

async function readFlow(browser: HttpSession, url: string): Promise<Flow> {
  const res = await browser.request(url, { headers: { accept: 'application/json' } });
  if (res.status !== 200) throw new Error(`reading ${url} failed: ${res.status} ${res.body.slice(0, 300)}`);
  return JSON.parse(res.body) as Flow;
}


/** Enrolls TOTP through the settings flow of a signed-in browser; returns the base32 secret. */
async function enrollTotp(browser: HttpSession, hubUrl: string): Promise<string> {
  const flow = await readFlow(browser, `${hubUrl}/self-service/settings/browser`);
  const secret = flow.ui.nodes.find((n) => n.attributes.id === 'totp_secret_key')?.attributes.text?.text;
  if (!secret) throw new Error('the settings flow offers no TOTP secret');
  expect(flow.ui.nodes.find((n) => n.attributes.id === 'totp_qr')?.attributes.src).toMatch(/^data:image\/png;base64,/);
  const res = await browser.request(flow.ui.action, { form: { csrf_token: csrfOf(flow), totp_code: totp(secret), method: 'totp' }, headers: { accept: 'application/json' }, follow: false });
  const after = JSON.parse(res.body) as Flow;
  if (res.status !== 200 || after.state !== 'success') throw new Error(`enrolling TOTP failed: ${res.status} ${res.body.slice(0, 300)}`);
  return secret;
}

/** Submits the TOTP step of a Kratos aal2 login flow the way the hub's login page would. */
async function submitTotp(browser: HttpSession, hubUrl: string, flowId: string, code: string): Promise<URL> {
  const flow = await readFlow(browser, `${hubUrl}/self-service/login/flows?id=${flowId}`);
  expect(flow.requested_aal).toBe('aal2');
  expect(flow.ui.nodes.some((n) => n.attributes.name === 'totp_code')).toBe(true);
  const res = await browser.request(flow.ui.action, { form: { csrf_token: csrfOf(flow), totp_code: code, method: 'totp' }, follow: false });
  const location = res.headers.get('location');
  if (res.status !== 303 || !location || new URL(location, hubUrl).pathname === '/login') {
    throw new Error(`TOTP step did not succeed: ${res.status} ${location ?? res.body.slice(0, 300)}`);
  }
  return new URL(location, hubUrl);
}

/** A browser signed in at the hub itself (password), without any client involved. */
async function passwordSignIn(browser: HttpSession, hubUrl: string, user: TestUser) {
  const start = await walk(browser, `${hubUrl}/self-service/login/browser`, CALLBACKS);
  if (start.kind !== 'login') throw new Error(`expected the login page, got ${start.kind}`);
  const next = await submitKratosLogin(browser, hubUrl, start.flowId, user);
  return walk(browser, next, CALLBACKS);
}

async function whoamiStatus(browser: HttpSession, hubUrl: string) {
  const res = await browser.request(`${hubUrl}/sessions/whoami`, { headers: { accept: 'application/json' } });
  const body = JSON.parse(res.body) as { authenticator_assurance_level?: string; error?: { id?: string } };
  return { status: res.status, aal: body.authenticator_assurance_level, errorId: body.error?.id };
}

/** A user with TOTP enrolled (on a browser that is then thrown away). */
async function userWithTotp(w: BridgeWorld, label: string): Promise<TestUser & { secret: string }> {
  const user = await createUser(w.stack.kratos.adminUrl, label);
  const device = new HttpSession();
  const landed = await passwordSignIn(device, w.stack.hubUrl, user);
  expect(landed.kind).toBe('page');
  const secret = await enrollTotp(device, w.stack.hubUrl);
  return { ...user, secret };
}

// The hub starts the Kratos login flow itself (no hop through /self-service/login/browser), so
// what it asked Kratos for is read off the flow.
const startedByHub = (chain: URL[]) => !chain.some((u) => u.pathname === '/self-service/login/browser');

describe('second factor (TOTP, aal2) through the bridge, real Kratos + Redis', () => {
  let w: BridgeWorld;
  beforeAll(async () => {
    w = await startBridgeWorld('redis');
  });
  afterAll(async () => stopBridgeWorld(w));

  it('computes TOTP codes as RFC 6238 says (test vector, SHA-1, 6 digits)', () => {
    // RFC 6238 appendix B: secret "12345678901234567890", T=59 s gives 94287082 (8 digits).
    expect(totp('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', 59_000)).toBe('287082');
    expect(totp('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', 1_111_111_109_000)).toBe('081804');
  });

  it('advertises aal1 and aal2 as acr values', async () => {
    expect(w.appA.serverMetadata().acr_values_supported).toEqual(['aal1', 'aal2']);
  });

  it('a TOTP user signed in with the password only is sent through Kratos login with aal=aal2 and gets acr=aal2 with otp in amr', async () => {
    const user = await userWithTotp(w, 'totp-pending');
    const browser = new HttpSession();
    // The password step alone: Kratos continues to its own aal2 step, which the user abandons.
    const pending = await passwordSignIn(browser, w.stack.hubUrl, user);
    expect(pending.kind).toBe('login');
    expect(await readLoginFlow(browser, w.stack.hubUrl, (pending as { flowId: string }).flowId)).toMatchObject({ requestedAal: 'aal2' });
    expect(await whoamiStatus(browser, w.stack.hubUrl)).toMatchObject({ status: 403, errorId: 'session_aal2_required' });
    // The hub's own pages do not break on such a session.
    const landing = await browser.request(`${w.stack.hubUrl}/`);
    expect(landing.status).toBe(200);
    expect(landing.body).toContain('data-testid="landing/aal2-required"');

    const req = await authorizationRequest(w.appA, `${APP_A}/callback`, { acr_values: 'aal2' });
    const atLogin = await walk(browser, req.url, CALLBACKS);
    expect(atLogin.kind).toBe('login');
    const interaction = atLogin.chain.find((u) => u.pathname.startsWith('/interaction/'))!;
    expect(startedByHub(atLogin.chain)).toBe(true);
    const flowId = (atLogin as { flowId: string }).flowId;
    expect(await readLoginFlow(browser, w.stack.hubUrl, flowId)).toMatchObject({ requestedAal: 'aal2', returnTo: interaction.href });

    const back = await submitTotp(browser, w.stack.hubUrl, flowId, totp(user.secret));
    const end = await walk(browser, back, CALLBACKS);
    expect(end.kind).toBe('callback');
    const tokens = await oidc.authorizationCodeGrant(w.appA, (end as { url: URL }).url, { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce, idTokenExpected: true });
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({ sub: user.id, acr: 'aal2' });
    expect(claims.amr).toEqual(expect.arrayContaining(['pwd', 'otp', 'mfa']));
    expect(await whoamiStatus(browser, w.stack.hubUrl)).toMatchObject({ status: 200, aal: 'aal2' });

    // A second app asking for aal2 now gets it without any page (the provider session is aal2).
    const sso = await signIn(w, browser, w.shopB, `${SHOP_B}/auth/callback`, undefined, { acr_values: 'aal2' });
    expect(sso.pages).toBe(0);
    expect(sso.claims).toMatchObject({ sub: user.id, acr: 'aal2' });
  });

  it('a fresh browser asking for aal2 signs in with the password first, then Kratos asks for the TOTP code', async () => {
    const user = await userWithTotp(w, 'totp-fresh');
    const browser = new HttpSession();
    const req = await authorizationRequest(w.appA, `${APP_A}/callback`, { acr_values: 'aal2' });
    const first = await walk(browser, req.url, CALLBACKS);
    expect(first.kind).toBe('login');
    // Kratos refuses aal=aal2 without a session (session_aal1_required), so the first step is aal1.
    expect(await readLoginFlow(browser, w.stack.hubUrl, (first as { flowId: string }).flowId)).toMatchObject({ requestedAal: 'aal1' });
    const afterPassword = await walk(browser, await submitKratosLogin(browser, w.stack.hubUrl, (first as { flowId: string }).flowId, user), CALLBACKS);
    expect(afterPassword.kind).toBe('login');
    const second = afterPassword as { flowId: string };
    expect((await readLoginFlow(browser, w.stack.hubUrl, second.flowId)).returnTo).toMatch(new RegExp(`^${w.stack.hubUrl}/interaction/`));
    const end = await walk(browser, await submitTotp(browser, w.stack.hubUrl, second.flowId, totp(user.secret)), CALLBACKS);
    expect(end.kind).toBe('callback');
    const tokens = await oidc.authorizationCodeGrant(w.appA, (end as { url: URL }).url, { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce });
    expect(tokens.claims()).toMatchObject({ sub: user.id, acr: 'aal2' });
    expect(tokens.claims()!.amr).toEqual(expect.arrayContaining(['pwd', 'otp', 'mfa']));
  });

  it('a wrong TOTP code keeps the user on the aal2 step with an error, and no code reaches the app', async () => {
    const user = await userWithTotp(w, 'totp-wrong');
    const browser = new HttpSession();
    await passwordSignIn(browser, w.stack.hubUrl, user);
    const req = await authorizationRequest(w.appA, `${APP_A}/callback`, { acr_values: 'aal2' });
    const atLogin = (await walk(browser, req.url, CALLBACKS)) as { kind: string; flowId: string };
    expect(atLogin.kind).toBe('login');
    const good = totp(user.secret);
    const wrong = String((Number(good) + 1) % 1_000_000).padStart(6, '0');
    const flow = await readFlow(browser, `${w.stack.hubUrl}/self-service/login/flows?id=${atLogin.flowId}`);
    const res = await browser.request(flow.ui.action, { form: { csrf_token: csrfOf(flow), totp_code: wrong, method: 'totp' }, follow: false });
    expect(res.status).toBe(303);
    expect(new URL(res.headers.get('location')!, w.stack.hubUrl).pathname).toBe('/login');
    const again = await readFlow(browser, `${w.stack.hubUrl}/self-service/login/flows?id=${atLogin.flowId}`);
    expect(JSON.stringify(again.ui)).toContain('4000008'); // "The provided authentication code is invalid, please try again."
    expect(await whoamiStatus(browser, w.stack.hubUrl)).toMatchObject({ status: 403 });
  });

  it('a user without a second factor asking for aal2 gets unmet_authentication_requirements, with or without a session, never an empty form', async () => {
    const user = await createUser(w.stack.kratos.adminUrl, 'no-totp');
    // Fresh browser: the password step, then the app hears the requirement cannot be met.
    const browser = new HttpSession();
    const req = await authorizationRequest(w.appA, `${APP_A}/callback`, { acr_values: 'aal2' });
    const first = (await walk(browser, req.url, CALLBACKS)) as { kind: string; flowId: string };
    expect(first.kind).toBe('login');
    const end = await walk(browser, await submitKratosLogin(browser, w.stack.hubUrl, first.flowId, user), CALLBACKS);
    expect(end.kind).toBe('callback');
    const cb = (end as { url: URL }).url;
    expect(cb.searchParams.get('error')).toBe('unmet_authentication_requirements');
    expect(cb.searchParams.get('state')).toBe(req.state);
    expect(cb.searchParams.get('iss')).toBe(w.issuer);
    expect(cb.searchParams.has('code')).toBe(false);

    // Existing aal1 session (and provider session): same answer, no page at all.
    await signIn(w, browser, w.appA, `${APP_A}/callback`, undefined);
    const req2 = await authorizationRequest(w.shopB, `${SHOP_B}/auth/callback`, { acr_values: 'aal2' });
    const end2 = await walk(browser, req2.url, CALLBACKS);
    expect(end2.kind).toBe('callback');
    expect((end2 as { url: URL }).url.searchParams.get('error')).toBe('unmet_authentication_requirements');
    expect(end2.chain.some((u) => u.pathname === '/login' || u.pathname.startsWith('/self-service/'))).toBe(false);

    // prompt=none asking for more than the session has: login_required, as for any missing sign-in.
    const req3 = await authorizationRequest(w.appA, `${APP_A}/callback`, { acr_values: 'aal2', prompt: 'none' });
    const end3 = await walk(browser, req3.url, CALLBACKS);
    expect((end3 as { url: URL }).url.searchParams.get('error')).toBe('login_required');

    const audit = await w.stack.hub.ctx.audit.tail({ count: 500 });
    expect(audit.some((e) => e.type === 'bridge.login.aal_unmet' && e.subject === user.id && e.clientId === 'shop-b')).toBe(true);
  });

  it('steps an aal1 provider session up: a later aal2 request asks for the TOTP code instead of reusing the session', async () => {
    const user = await createUser(w.stack.kratos.adminUrl, 'step-up');
    const browser = new HttpSession();
    const before = await signIn(w, browser, w.appA, `${APP_A}/callback`, user);
    expect(before.claims).toMatchObject({ acr: 'aal1', amr: ['pwd'] });

    // TOTP enrolled on another device; this browser's Kratos session stays aal1.
    const device = new HttpSession();
    await passwordSignIn(device, w.stack.hubUrl, user);
    const secret = await enrollTotp(device, w.stack.hubUrl);
    expect(await whoamiStatus(browser, w.stack.hubUrl)).toMatchObject({ status: 403, errorId: 'session_aal2_required' });

    const req = await authorizationRequest(w.appA, `${APP_A}/callback`, { acr_values: 'aal2' });
    const atLogin = await walk(browser, req.url, CALLBACKS);
    expect(atLogin.kind).toBe('login'); // not a silent callback with the aal1 session
    expect(startedByHub(atLogin.chain)).toBe(true);
    expect(await readLoginFlow(browser, w.stack.hubUrl, (atLogin as { flowId: string }).flowId)).toMatchObject({ requestedAal: 'aal2', refresh: false });
    const end = await walk(browser, await submitTotp(browser, w.stack.hubUrl, (atLogin as { flowId: string }).flowId, totp(secret)), CALLBACKS);
    expect(end.kind).toBe('callback');
    const tokens = await oidc.authorizationCodeGrant(w.appA, (end as { url: URL }).url, { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce });
    const after = tokens.claims()!;
    expect(after).toMatchObject({ sub: user.id, acr: 'aal2' });
    expect(after.amr).toEqual(expect.arrayContaining(['pwd', 'otp', 'mfa']));
    // Kratos re-activates the same session at the TOTP step: authenticated_at (auth_time) moves
    // to that moment. The provider session is the same one, stepped up (same sid for app-a).
    expect(after.auth_time).toBeGreaterThanOrEqual(before.claims.auth_time as number);
    expect(after.sid).toBe(before.claims.sid);
    const bindings = await w.stack.hub.ctx.bridge!.listBindings(user.id);
    expect(bindings).toHaveLength(1);
  });
  it('holds Kratos\' highest_available policy on SSO: once a second factor is enrolled, no app gets a code from the aal1 provider session without it', async () => {
    const user = await createUser(w.stack.kratos.adminUrl, 'enrolled-later');
    const browser = new HttpSession();
    const before = await signIn(w, browser, w.appA, `${APP_A}/callback`, user);
    expect(before.claims).toMatchObject({ acr: 'aal1' });
    const device = new HttpSession();
    await passwordSignIn(device, w.stack.hubUrl, user);
    const secret = await enrollTotp(device, w.stack.hubUrl);
    expect(await whoamiStatus(browser, w.stack.hubUrl)).toMatchObject({ status: 403, errorId: 'session_aal2_required' });

    // prompt=none: the session cannot answer without the factor, so no page and no code.
    const silent = await authorizationRequest(w.shopB, `${SHOP_B}/auth/callback`, { prompt: 'none' });
    const silentEnd = await walk(browser, silent.url, CALLBACKS);
    expect(silentEnd.kind).toBe('callback');
    expect((silentEnd as { url: URL }).url.searchParams.get('error')).toBe('login_required');
    expect((silentEnd as { url: URL }).url.searchParams.has('code')).toBe(false);

    // A plain request (no acr_values) from another app: the TOTP step, then a code at aal2.
    const req = await authorizationRequest(w.shopB, `${SHOP_B}/auth/callback`);
    const atLogin = await walk(browser, req.url, CALLBACKS);
    expect(atLogin.kind).toBe('login');
    expect(await readLoginFlow(browser, w.stack.hubUrl, (atLogin as { flowId: string }).flowId)).toMatchObject({ requestedAal: 'aal2' });
    const end = await walk(browser, await submitTotp(browser, w.stack.hubUrl, (atLogin as { flowId: string }).flowId, totp(secret)), CALLBACKS);
    expect(end.kind).toBe('callback');
    const tokens = await oidc.authorizationCodeGrant(w.shopB, (end as { url: URL }).url, { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce });
    expect(tokens.claims()).toMatchObject({ sub: user.id, acr: 'aal2' });
    // Stepped up in place: still one provider session, and app A stays signed in through it.
    expect(await w.stack.hub.ctx.bridge!.listBindings(user.id)).toHaveLength(1);
    const again = await signIn(w, browser, w.appA, `${APP_A}/callback`, undefined);
    expect(again.pages).toBe(0);
    expect(again.claims).toMatchObject({ sub: user.id, acr: 'aal2', sid: before.claims.sid });
  });
});
