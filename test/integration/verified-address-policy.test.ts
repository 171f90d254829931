import { HttpSession } from '@ssohub/testkit';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizationRequest, createUser, walk } from '../support/bridge-kit.ts';
import { type HubStack, startHubStack } from '../support/hub-stack.ts';
import { csrfOf, FAST_HASHING, type Flow, uniqueEmail } from './guard-helpers.ts';

// Issue #21, verified addresses: with bridge.requireVerifiedEmail on (the default), a user who
// signed up with a password (Kratos leaves the address unverified) cannot finish an app's sign-in
// until they verify the address by code, so apps like oauth2-proxy get email_verified: true.
// Real Kratos, Redis and SMTP capture behind the hub.

const APP = 'https://app-a.test';
const SECRET = 'app-a-secret-0123456789abcdefghijklmnop';

interface VerificationFlow {
  id: string;
  state?: string;
  return_to?: string;
  ui: { action: string; messages?: { id: number }[]; nodes: { attributes: { name?: string; value?: unknown; id?: string; href?: string } }[] };
}

async function startWorld(requireVerifiedEmail: boolean | undefined) {
  const stack = await startHubStack({
    allowedReturnOrigins: [APP],
    kratosOverrides: FAST_HASHING,
    config: {
      bridge: {
        // Absent: the default (on), as a new deployment has it.
        ...(requireVerifiedEmail === undefined ? {} : { requireVerifiedEmail }),
        clients: [
          {
            client_id: 'app-a',
            client_secret: SECRET,
            client_name: 'App A',
            redirect_uris: [`${APP}/callback`],
            grant_types: ['authorization_code'],
            token_endpoint_auth_method: 'client_secret_basic',
            ssohub_first_party: true,
          },
        ],
      },
    },
  });
  const app = await oidc.discovery(new URL(`${stack.hubUrl}/oidc`), 'app-a', undefined, oidc.ClientSecretBasic(SECRET));
  return { stack, app };
}

/** A password sign-up through the hub's proxy, as the registration page submits it; signed in after. */
/** Returns when Kratos' own sign-up mail arrived: a later code must come after it. */
async function signUpWithPassword(stack: HubStack, browser: HttpSession, email: string): Promise<number> {
  const res = await browser.request(`${stack.hubUrl}/self-service/registration/browser`, { headers: { accept: 'application/json' } });
  const flow = JSON.parse(res.body) as Flow;
  const submit = await browser.request(flow.ui.action, {
    form: { csrf_token: csrfOf(flow), method: 'password', 'traits.email': email, 'traits.name': 'Ada Verify', password: 'a-long-and-unusual-passphrase-71' },
    follow: false,
  });
  expect(submit.status, submit.body.slice(0, 300)).toBe(303);
  const whoami = await browser.request(`${stack.hubUrl}/sessions/whoami`, { headers: { accept: 'application/json' } });
  const session = JSON.parse(whoami.body) as { identity: { verifiable_addresses: { verified: boolean }[] } };
  expect(session.identity.verifiable_addresses[0]?.verified).toBe(false);
  // Kratos mails a code at sign-up already (its own flow); waited for, so it cannot be mistaken
  // for the code of the verification the hub asks for later.
  return (await stack.smtp.waitForMail(email)).receivedAt;
}

async function readVerification(stack: HubStack, browser: HttpSession, id: string): Promise<VerificationFlow> {
  const res = await browser.request(`${stack.hubUrl}/self-service/verification/flows?id=${id}`, { headers: { accept: 'application/json' } });
  expect(res.status).toBe(200);
  return JSON.parse(res.body) as VerificationFlow;
}

describe('verified addresses before an app sign-in (policy on, the default)', () => {
  let stack: HubStack;
  let app: oidc.Configuration;
  beforeAll(async () => {
    ({ stack, app } = await startWorld(undefined));
  });
  afterAll(async () => stack?.stop());

  it('a password sign-up cannot finish an app sign-in until the address is verified by code; then the app gets email_verified true', async () => {
    const browser = new HttpSession();
    const email = uniqueEmail('policy-on');
    const signUpMailAt = await signUpWithPassword(stack, browser, email);

    const req = await authorizationRequest(app, `${APP}/callback`);
    const held = await walk(browser, req.url, [APP]);
    // No code: the browser ends on the hub's verification page, not at the app.
    expect(held.kind).toBe('page');
    const interaction = held.chain.find((u) => /^\/interaction\/[^/]+$/.test(u.pathname))!;
    expect(interaction).toBeDefined();
    const init = held.chain.find((u) => u.pathname === '/self-service/verification/browser')!;
    expect(init.searchParams.get('return_to')).toBe(interaction.href);
    const page = held.chain.at(-1)!;
    expect(page.pathname).toBe('/verification');
    const html = (held as { res: { body: string } }).res.body;
    expect(html).toContain('data-testid="ui/notice/verify_required"');
    expect(html).toContain(`href="${interaction.href}/cancel"`);
    // The address the sign-in waits for is filled in (Kratos cannot pre-fill it).
    expect(html).toMatch(new RegExp(`name="email"[^>]*value="${email.replace(/\./g, '\\.')}"`));

    // Coming back to the interaction without verifying is sent to verification again: no code.
    const again = await walk(browser, interaction, [APP]);
    expect(again.kind).toBe('page');
    expect(again.chain.some((u) => u.origin === APP)).toBe(false);
    expect(again.chain.at(-1)!.pathname).toBe('/verification');

    // Verify by code on the flow the hub started (its return_to is the waiting interaction).
    const flowId = page.searchParams.get('flow')!;
    let flow = await readVerification(stack, browser, flowId);
    expect(flow.return_to).toBe(interaction.href);
    // Later than the sign-up mail by a millisecond at least: both may share one.
    const since = Math.max(Date.now(), signUpMailAt + 1);
    const sent = await browser.request(flow.ui.action, { form: { csrf_token: csrfOf(flow), method: 'code', email }, follow: false });
    expect(sent.status).toBe(303);
    const code = await stack.smtp.latestCode(email, { since });
    flow = await readVerification(stack, browser, flowId);
    const done = await browser.request(flow.ui.action, { form: { csrf_token: csrfOf(flow), method: 'code', code }, follow: false });
    expect(done.status).toBe(303);
    flow = await readVerification(stack, browser, flowId);
    expect(flow.ui.messages ?? []).not.toContainEqual(expect.objectContaining({ id: 4070006 }));
    expect(flow.state).toBe('passed_challenge');
    expect(flow.ui.nodes.find((n) => n.attributes.id === 'continue')?.attributes.href).toBe(interaction.href);

    // Kratos sends the browser to the verification page, which goes straight back to the
    // interaction (no "continue" click), and the interaction now finishes.
    const end = await walk(browser, new URL(done.headers.get('location')!, stack.hubUrl), [APP]);
    expect(end.kind).toBe('callback');
    expect(end.chain.map((u) => u.pathname)).toEqual(expect.arrayContaining(['/verification', interaction.pathname]));
    const tokens = await oidc.authorizationCodeGrant(app, (end as { url: URL }).url, { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce, idTokenExpected: true });
    // What oauth2-proxy reads (userinfo; the ID token of a code flow carries no scope claims).
    const info = await oidc.fetchUserInfo(app, tokens.access_token, tokens.claims()!.sub);
    expect(info).toMatchObject({ email, email_verified: true });
  });

  it('a user who cannot verify gives up: the app gets access_denied, and no code', async () => {
    const user = await createUser(stack.kratos.adminUrl, 'policy-cancel', { verified: false });
    const browser = new HttpSession();
    const req = await authorizationRequest(app, `${APP}/callback`);
    const atLogin = await walk(browser, req.url, [APP]);
    expect(atLogin.kind).toBe('login');
    const flowRes = await browser.request(`${stack.hubUrl}/self-service/login/flows?id=${(atLogin as { flowId: string }).flowId}`, { headers: { accept: 'application/json' } });
    const login = JSON.parse(flowRes.body) as Flow;
    const signedIn = await browser.request(login.ui.action, { form: { csrf_token: csrfOf(login), method: 'password', identifier: user.email, password: user.password }, follow: false });
    expect(signedIn.status).toBe(303);
    const held = await walk(browser, new URL(signedIn.headers.get('location')!, stack.hubUrl), [APP]);
    expect(held.kind).toBe('page');
    expect(held.chain.at(-1)!.pathname).toBe('/verification');
    const interaction = held.chain.find((u) => /^\/interaction\/[^/]+$/.test(u.pathname))!;

    const end = await walk(browser, `${interaction.href}/cancel`, [APP]);
    expect(end.kind).toBe('callback');
    const callback = (end as { url: URL }).url;
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('code')).toBeNull();
  });

  it('a verified user signs in without any detour', async () => {
    const user = await createUser(stack.kratos.adminUrl, 'policy-verified');
    const browser = new HttpSession();
    const req = await authorizationRequest(app, `${APP}/callback`);
    const atLogin = await walk(browser, req.url, [APP]);
    const flowRes = await browser.request(`${stack.hubUrl}/self-service/login/flows?id=${(atLogin as { flowId: string }).flowId}`, { headers: { accept: 'application/json' } });
    const login = JSON.parse(flowRes.body) as Flow;
    const signedIn = await browser.request(login.ui.action, { form: { csrf_token: csrfOf(login), method: 'password', identifier: user.email, password: user.password }, follow: false });
    const end = await walk(browser, new URL(signedIn.headers.get('location')!, stack.hubUrl), [APP]);
    expect(end.kind).toBe('callback');
    expect(end.chain.some((u) => u.pathname.startsWith('/self-service/verification'))).toBe(false);
    const tokens = await oidc.authorizationCodeGrant(app, (end as { url: URL }).url, { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce, idTokenExpected: true });
    expect(await oidc.fetchUserInfo(app, tokens.access_token, user.id)).toMatchObject({ email: user.email, email_verified: true });
  });
});

describe('verified addresses with the policy off (bridge.requireVerifiedEmail: false)', () => {
  let stack: HubStack;
  let app: oidc.Configuration;
  beforeAll(async () => {
    ({ stack, app } = await startWorld(false));
  });
  afterAll(async () => stack?.stop());

  it('a password sign-up finishes the app sign-in unverified, as before the policy', async () => {
    const browser = new HttpSession();
    const email = uniqueEmail('policy-off');
    await signUpWithPassword(stack, browser, email);
    const req = await authorizationRequest(app, `${APP}/callback`);
    const end = await walk(browser, req.url, [APP]);
    expect(end.kind).toBe('callback');
    const tokens = await oidc.authorizationCodeGrant(app, (end as { url: URL }).url, { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce, idTokenExpected: true });
    expect(await oidc.fetchUserInfo(app, tokens.access_token, tokens.claims()!.sub)).toMatchObject({ email, email_verified: false });
  });
});
