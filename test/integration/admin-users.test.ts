import { HttpSession } from '@ssohub/testkit';
import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizationRequest, type BackchannelReceiver, createUser, submitKratosLogin, type TestUser, walk } from '../support/bridge-kit.ts';
import { APP_A, type BridgeWorld, CALLBACKS, SHOP_B, signIn, startBridgeWorld, stopBridgeWorld } from '../support/bridge-suite.ts';
import { adminTokenForTests } from '../support/hub-stack.ts';
import { totp } from '../support/totp.ts';

// Issue #27, user administration through the admin API, against the real parts: Kratos, Redis,
// the SMTP capture, two client apps with back-channel logout receivers (app-a, shop-b).

interface UiNode {
  attributes: { name?: string; value?: unknown; id?: string; text?: { text: string } };
}
interface Flow {
  state?: string;
  ui: { action: string; nodes: UiNode[] };
}

const csrfOf = (flow: Flow) => flow.ui.nodes.find((n) => n.attributes.name === 'csrf_token')?.attributes.value as string;

async function readFlow(browser: HttpSession, url: string): Promise<Flow> {
  const res = await browser.request(url, { headers: { accept: 'application/json' } });
  if (res.status !== 200) throw new Error(`reading ${url} failed: ${res.status} ${res.body.slice(0, 300)}`);
  return JSON.parse(res.body) as Flow;
}

async function waitForLogoutToken(receiver: BackchannelReceiver, sid: string): Promise<string> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const token = receiver.tokens.find((t) => decodeJwt(t).sid === sid);
    if (token) return token;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no back-channel logout token for sid ${sid} at ${receiver.uri} (attempts: ${receiver.attempts})`);
}

describe('user administration through the admin API', () => {
  let w: BridgeWorld;
  // Loosely typed on purpose: each test asserts the shape it reads.
  // biome-ignore lint/suspicious/noExplicitAny: JSON bodies of the API under test
  const json = async (path: string, init: { method?: string; body?: string; actor?: string } = {}): Promise<{ status: number; body: any }> => {
    const res = await fetch(`${w.stack.adminUrl}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        authorization: `Bearer ${adminTokenForTests}`,
        'x-ssohub-actor': init.actor ?? 'alice',
        ...(init.body ? { 'content-type': 'application/json' } : {}),
      },
      ...(init.body ? { body: init.body } : {}),
    });
    return { status: res.status, body: await res.json() };
  };
  const kratosIdentity = async (id: string) => {
    const res = await fetch(`${w.stack.kratos.adminUrl}/admin/identities/${id}`);
    return { status: res.status, body: (await res.json()) as { state?: string; credentials?: Record<string, unknown> } };
  };
  const kratosSessions = async (id: string) => (await (await fetch(`${w.stack.kratos.adminUrl}/admin/identities/${id}/sessions?active=true`)).json()) as { id: string }[];
  const whoami = async (browser: HttpSession) => (await browser.request(`${w.stack.hubUrl}/sessions/whoami`, { headers: { accept: 'application/json' } })).status;
  /** Signs in at the hub with a password, as far as Kratos lets it: where Kratos sent the browser. */
  const passwordSignIn = async (browser: HttpSession, user: TestUser) => {
    const req = await authorizationRequest(w.appA, `${APP_A}/callback`);
    const start = await walk(browser, req.url, CALLBACKS);
    if (start.kind !== 'login') throw new Error(`expected the login page, got ${start.kind}`);
    return { req, next: await submitKratosLogin(browser, w.stack.hubUrl, start.flowId, user) };
  };

  beforeAll(async () => {
    w = await startBridgeWorld('redis');
  });
  afterAll(async () => stopBridgeWorld(w));

  it('finds users by id, by exact email and by the start of an email; none is an empty list', async () => {
    const label = `findme-${Math.random().toString(36).slice(2, 8)}`;
    const one = await createUser(w.stack.kratos.adminUrl, label);
    const two = await createUser(w.stack.kratos.adminUrl, label);
    const exact = await json(`/admin/users?query=${encodeURIComponent(two.email)}`);
    expect(exact.status).toBe(200);
    expect(exact.body.users).toEqual([{ id: two.id, email: two.email, state: 'active', verified: true, createdAt: expect.any(String) }]);
    expect((await json(`/admin/users?query=${one.id}`)).body.users.map((u: { id: string }) => u.id)).toEqual([one.id]);
    const partial = await json(`/admin/users?query=${label.toUpperCase()}`);
    expect(partial.body.users.map((u: { id: string }) => u.id).sort()).toEqual([one.id, two.id].sort());
    expect((await json(`/admin/users?query=${label}&limit=1`)).body.users).toHaveLength(1);
    expect((await json(`/admin/users?query=nobody-${label}`)).body).toEqual({ users: [] });
  });

  it('refuses bad input (400) and says 404 for an unknown user', async () => {
    const missing = await json('/admin/users');
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/query is required/);
    expect((await json('/admin/users?query=a&limit=101')).body.error.message).toMatch(/limit must be a whole number from 1 to 100/);
    expect((await json('/admin/users?query=a&page=2')).status).toBe(400);
    const withBody = await json('/admin/users/nobody@example.test/disable', { method: 'POST', body: '{"force":true}' });
    expect(withBody.status).toBe(400);
    const unknown = await json('/admin/users/nobody@example.test');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'SSOHUB_ERR_NOT_FOUND', message: expect.stringMatching(/no user "nobody@example.test"/) });
    expect((await json('/admin/users/nobody@example.test/enable', { method: 'POST' })).status).toBe(404);
    expect((await json('/admin/users/nobody@example.test', { method: 'DELETE' })).status).toBe(404);
  });

  it('shows a user: sign-in methods, sessions with the apps that took part, and apps', async () => {
    const user = await createUser(w.stack.kratos.adminUrl, 'show');
    const browser = new HttpSession();
    await signIn(w, browser, w.appA, `${APP_A}/callback`, user);
    await signIn(w, browser, w.shopB, `${SHOP_B}/auth/callback`, undefined);
    const { status, body } = await json(`/admin/users/${encodeURIComponent(user.email)}`);
    expect(status).toBe(200);
    expect(body.user).toMatchObject({ id: user.id, email: user.email, state: 'active', verified: true, secondFactors: [], addresses: [{ value: user.email, verified: true }] });
    expect(body.user.methods).toContain('password');
    expect(body.user.sessions).toHaveLength(1);
    expect(body.user.sessions[0]).toMatchObject({ aal: 'aal1', methods: ['password'], clients: ['app-a', 'shop-b'] });
    expect(body.user.apps.map((a: { clientId: string; name: string }) => `${a.clientId}:${a.name}`)).toEqual(['app-a:App A', 'shop-b:Shop B']);
  });

  it('disables a user: Kratos sessions end, apps hear it on their back-channel, refresh is refused, the next sign-in gets a clear page; enable lets them in again', async () => {
    const user = await createUser(w.stack.kratos.adminUrl, 'disable');
    const browser = new HttpSession();
    // app-a holds an offline_access refresh token: it must not survive either.
    const a = await signIn(w, browser, w.appA, `${APP_A}/callback`, user, { scope: 'openid email offline_access' });
    expect(a.tokens.scope?.split(' ')).toContain('offline_access');
    const b = await signIn(w, browser, w.shopB, `${SHOP_B}/auth/callback`, undefined);
    const [kratosSession] = await kratosSessions(user.id);

    const disabled = await json(`/admin/users/${user.id}/disable`, { method: 'POST' });
    expect(disabled.status).toBe(200);
    expect(disabled.body).toEqual({ user: expect.objectContaining({ id: user.id, state: 'inactive' }), endedSessions: [kratosSession!.id], revokedApps: ['app-a', 'shop-b'] });
    expect((await kratosIdentity(user.id)).body.state).toBe('inactive');
    expect(await kratosSessions(user.id)).toEqual([]);
    await waitForLogoutToken(w.bcA, a.claims.sid as string);
    await waitForLogoutToken(w.bcB, b.claims.sid as string);
    await expect(oidc.refreshTokenGrant(w.appA, a.tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect(await whoami(browser)).toBe(401);
    expect(await w.stack.hub.ctx.bridge.listAccountApps(user.id)).toEqual([]);

    // The next sign-in, with the right password: Kratos refuses the inactive identity, and the
    // error page says why.
    const again = await passwordSignIn(new HttpSession(), user);
    expect(again.next.pathname).toBe('/error');
    const page = await new HttpSession().request(again.next, { headers: { accept: 'text/html', 'accept-language': 'fr' } });
    expect(page.status).toBe(403);
    expect(page.body).toContain('Ce compte est désactivé. Contactez votre administrateur.');

    const enabled = await json(`/admin/users/${encodeURIComponent(user.email)}/enable`, { method: 'POST' });
    expect(enabled.body).toEqual({ user: expect.objectContaining({ id: user.id, state: 'active' }), endedSessions: [], revokedApps: [] });
    const back = await signIn(w, new HttpSession(), w.appA, `${APP_A}/callback`, user);
    expect(back.claims.sub).toBe(user.id);

    const { body } = await json('/admin/audit?count=1000');
    const mine = body.events.filter((e: { type: string; subject?: string }) => e.type.startsWith('user.') && e.subject === user.id);
    expect(mine).toEqual([
      expect.objectContaining({ type: 'user.disabled', actor: 'admin:alice', outcome: 'success', endedSessions: 1, revokedApps: ['app-a', 'shop-b'] }),
      expect.objectContaining({ type: 'user.enabled', actor: 'admin:alice', outcome: 'success' }),
    ]);
  });

  it('refuses an SSO hop and a refresh of a user disabled behind the hub (Kratos checked on every use)', async () => {
    const user = await createUser(w.stack.kratos.adminUrl, 'behind');
    const browser = new HttpSession();
    const a = await signIn(w, browser, w.appA, `${APP_A}/callback`, user);
    const patched = await fetch(`${w.stack.kratos.adminUrl}/admin/identities/${user.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ op: 'replace', path: '/state', value: 'inactive' }]),
    });
    expect(patched.status).toBe(200);
    await expect(oidc.refreshTokenGrant(w.appA, a.tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    const hop = await walk(browser, (await authorizationRequest(w.shopB, `${SHOP_B}/auth/callback`)).url, CALLBACKS);
    expect(hop.kind).toBe('login');
    // The hub ends what it had bound to the refused session: app-a hears it.
    await waitForLogoutToken(w.bcA, a.claims.sid as string);
  });

  it('resets the second factor: TOTP removed, sessions ended, password alone signs in again', async () => {
    const user = await createUser(w.stack.kratos.adminUrl, 'mfa');
    const device = new HttpSession();
    const start = await walk(device, `${w.stack.hubUrl}/self-service/login/browser`, CALLBACKS);
    if (start.kind !== 'login') throw new Error(`expected the login page, got ${start.kind}`);
    await walk(device, await submitKratosLogin(device, w.stack.hubUrl, start.flowId, user), CALLBACKS);
    const settings = await readFlow(device, `${w.stack.hubUrl}/self-service/settings/browser`);
    const secret = settings.ui.nodes.find((n) => n.attributes.id === 'totp_secret_key')?.attributes.text?.text as string;
    const enrolled = await device.request(settings.ui.action, { form: { csrf_token: csrfOf(settings), totp_code: totp(secret), method: 'totp' }, headers: { accept: 'application/json' }, follow: false });
    expect(enrolled.status).toBe(200);
    expect((await json(`/admin/users/${user.id}`)).body.user.secondFactors).toEqual(['totp']);

    const reset = await json(`/admin/users/${user.id}/reset-mfa`, { method: 'POST' });
    expect(reset.status).toBe(200);
    expect(reset.body).toMatchObject({ removed: ['totp'], endedSessions: [expect.any(String)] });
    expect((await kratosIdentity(user.id)).body.credentials?.totp).toBeUndefined();
    expect(await whoami(device)).toBe(401);
    // Without a second factor the password is enough again (no aal2 step).
    const back = await signIn(w, new HttpSession(), w.appA, `${APP_A}/callback`, user);
    expect(back.claims).toMatchObject({ sub: user.id, acr: 'aal1' });

    const nothing = await json(`/admin/users/${user.id}/reset-mfa`, { method: 'POST' });
    expect(nothing.status).toBe(409);
    expect(nothing.body.error.code).toBe('SSOHUB_ERR_CONFLICT');
    const { body } = await json('/admin/audit?count=1000');
    const mine = body.events.filter((e: { type: string; subject?: string }) => e.type === 'user.mfa_reset' && e.subject === user.id);
    expect(mine.map((e: { outcome: string; actor: string }) => `${e.outcome}:${e.actor}`)).toEqual(['success:admin:alice', 'failure:admin:alice']);
  });

  it('resends verification to an unverified address (a code arrives), and 409s a verified one', async () => {
    const user = await createUser(w.stack.kratos.adminUrl, 'verify', { verified: false });
    const since = Date.now();
    const sent = await json(`/admin/users/${encodeURIComponent(user.email)}/verify-resend`, { method: 'POST', actor: 'bob' });
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ sentTo: user.email, user: { id: user.id, verified: false } });
    expect(await w.stack.smtp.latestCode(user.email, { since })).toMatch(/^\d{6}$/);
    expect((await w.stack.smtp.waitForMail(user.email, { since })).subject).toBe('Verify your email address');

    const verified = await createUser(w.stack.kratos.adminUrl, 'verified');
    const refused = await json(`/admin/users/${verified.id}/verify-resend`, { method: 'POST' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/verified every address/);
    const { body } = await json('/admin/audit?count=1000');
    expect(body.events).toContainEqual(expect.objectContaining({ type: 'user.verification_resent', actor: 'admin:bob', subject: user.id, outcome: 'success' }));
  });

  it('deletes a user with their sessions and grants, after telling the apps', async () => {
    const user = await createUser(w.stack.kratos.adminUrl, 'delete');
    const browser = new HttpSession();
    const a = await signIn(w, browser, w.appA, `${APP_A}/callback`, user);
    const deleted = await json(`/admin/users/${encodeURIComponent(user.email)}`, { method: 'DELETE' });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ user: { id: user.id, email: user.email }, revokedApps: ['app-a'], endedSessions: [expect.any(String)] });
    expect((await kratosIdentity(user.id)).status).toBe(404);
    await waitForLogoutToken(w.bcA, a.claims.sid as string);
    await expect(oidc.refreshTokenGrant(w.appA, a.tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect((await json(`/admin/users/${user.id}`)).status).toBe(404);
    const { body } = await json('/admin/audit?count=1000');
    expect(body.events).toContainEqual(expect.objectContaining({ type: 'user.deleted', actor: 'admin:alice', subject: user.id, outcome: 'success' }));
  });
});
