import { HttpSession } from '@ssohub/testkit';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredAuditEvent } from '../../packages/hub/src/audit/audit-log.ts';
import { authorizationRequest, createUser, submitKratosLogin, walk } from '../support/bridge-kit.ts';
import { APP_A, type BridgeWorld, CALLBACKS, PARTNER_C, startBridgeWorld, stopBridgeWorld } from '../support/bridge-suite.ts';

// docs/events.md: every audit event names its actor, the same way in every event. The events of
// the sign-in path (bridge.login.*, bridge.consent.*, bridge.session.stale, oidc.*) are checked
// here against the real parts, as a browser, a client app and the hub itself cause them.

describe('the actor of every audit event along the sign-in path, real Kratos', () => {
  let w: BridgeWorld;
  beforeAll(async () => {
    w = await startBridgeWorld('memory');
  });
  afterAll(async () => stopBridgeWorld(w));

  /** Runs `fn` and returns the audit events it caused, oldest first. */
  async function eventsOf(fn: () => Promise<void>): Promise<StoredAuditEvent[]> {
    const before = (await w.stack.hub.ctx.audit.tail({ count: 1 })).at(-1)?.id;
    await fn();
    // Some are recorded after the answer (provider events): give them a moment.
    await new Promise((r) => setTimeout(r, 100));
    return w.stack.hub.ctx.audit.tail(before ? { after: before, count: 500 } : { count: 500 });
  }

  const one = (events: StoredAuditEvent[], type: string) => {
    const found = events.filter((e) => e.type === type);
    expect(found, `${type} in ${events.map((e) => e.type).join(', ')}`).toHaveLength(1);
    return found[0]!;
  };

  it('names the browser (IP, then the user), the client and the hub as they act', async () => {
    const user = await createUser(w.stack.kratos.adminUrl, 'actors');
    const browser = new HttpSession();
    let code = '';
    let req = await authorizationRequest(w.appA, `${APP_A}/callback`);
    let tokens: oidc.TokenEndpointResponse | undefined;

    const signIn = await eventsOf(async () => {
      const login = await walk(browser, req.url, CALLBACKS);
      expect(login.kind).toBe('login');
      const end = await walk(browser, await submitKratosLogin(browser, w.stack.hubUrl, (login as { flowId: string }).flowId, user), CALLBACKS);
      expect(end.kind).toBe('callback');
      const callback = (end as { url: URL }).url;
      code = callback.searchParams.get('code')!;
      tokens = await oidc.authorizationCodeGrant(w.appA, callback, { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce });
    });
    const redirected = one(signIn, 'bridge.login.redirected');
    // No session yet: the browser is anonymous, named by its IP.
    expect(redirected.actor).toBe(redirected.ip);
    expect(redirected.actor).toMatch(/^[0-9a-f.:]+$/);
    expect(one(signIn, 'bridge.login.accepted')).toMatchObject({ actor: user.id, subject: user.id });
    expect(one(signIn, 'oidc.authorization.succeeded')).toMatchObject({ actor: user.id, subject: user.id, clientId: 'app-a' });
    expect(one(signIn, 'oidc.token.issued')).toMatchObject({ actor: 'client:app-a', clientId: 'app-a', grantType: 'authorization_code' });

    // The same code again: refused (the caller is not proven to be app-a), and the hub revokes
    // the grant on its own.
    const reuse = await eventsOf(async () => {
      await expect(
        oidc.authorizationCodeGrant(w.appA, new URL(`${APP_A}/callback?code=${code}&state=${req.state}&iss=${encodeURIComponent(w.issuer)}`), {
          pkceCodeVerifier: req.verifier,
          expectedState: req.state,
        }),
      ).rejects.toThrow();
    });
    const refused = one(reuse, 'oidc.token.failed');
    expect(refused).toMatchObject({ clientId: 'app-a', error: 'invalid_grant' });
    expect(refused.actor).toBe(refused.ip);
    expect(one(reuse, 'oidc.grant.revoked')).toMatchObject({ actor: 'system', clientId: 'app-a' });

    // A signed-in browser sent back through Kratos (prompt=login) is its user's. A sign-in in the
    // same second as the request would count as fresh (auth_time has whole seconds).
    await new Promise((r) => setTimeout(r, 2_100));
    req = await authorizationRequest(w.appA, `${APP_A}/callback`, { prompt: 'login' });
    const again = await eventsOf(async () => {
      const login = await walk(browser, req.url, CALLBACKS);
      expect(login.kind).toBe('login');
      const end = await walk(browser, await submitKratosLogin(browser, w.stack.hubUrl, (login as { flowId: string }).flowId, user), CALLBACKS);
      tokens = await oidc.authorizationCodeGrant(w.appA, (end as { url: URL }).url, { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce });
    });
    expect(one(again, 'bridge.login.redirected')).toMatchObject({ actor: user.id, subject: user.id, reason: expect.any(String) });

    // The client revokes its own refresh token, and with it the grant.
    const revoked = await eventsOf(async () => {
      await oidc.tokenRevocation(w.appA, tokens!.refresh_token!);
    });
    expect(one(revoked, 'oidc.grant.revoked')).toMatchObject({ actor: 'client:app-a', clientId: 'app-a' });
  });

  it('names the user for a consent answer, either way', async () => {
    for (const decision of ['approve', 'deny'] as const) {
      const user = await createUser(w.stack.kratos.adminUrl, `consent-${decision}`);
      const browser = new HttpSession();
      const req = await authorizationRequest(w.partnerC, `${PARTNER_C}/cb`);
      const events = await eventsOf(async () => {
        const login = await walk(browser, req.url, CALLBACKS);
        const consent = await walk(browser, await submitKratosLogin(browser, w.stack.hubUrl, (login as { flowId: string }).flowId, user), CALLBACKS);
        expect(consent.kind).toBe('page');
        const end = await walk(browser, `${(consent as { res: { url: URL } }).res.url.href}/consent`, CALLBACKS, { method: 'POST', form: { decision } });
        expect(end.kind).toBe('callback');
      });
      const type = decision === 'approve' ? 'bridge.consent.approved' : 'bridge.consent.denied';
      expect(one(events, type)).toMatchObject({ actor: user.id, subject: user.id, clientId: 'partner-c' });
      if (decision === 'deny') expect(one(events, 'oidc.authorization.failed')).toMatchObject({ actor: user.id, error: 'access_denied' });
    }
  });

  it('names the hub when it ends a provider session whose Kratos session is gone', async () => {
    const user = await createUser(w.stack.kratos.adminUrl, 'stale');
    const browser = new HttpSession();
    const req = await authorizationRequest(w.appA, `${APP_A}/callback`);
    const login = await walk(browser, req.url, CALLBACKS);
    await walk(browser, await submitKratosLogin(browser, w.stack.hubUrl, (login as { flowId: string }).flowId, user), CALLBACKS);
    // Revoked behind the hub's back, through Kratos' own admin API.
    const sessions = (await (await fetch(`${w.stack.kratos.adminUrl}/admin/identities/${user.id}/sessions`)).json()) as { id: string }[];
    for (const s of sessions) expect((await fetch(`${w.stack.kratos.adminUrl}/admin/sessions/${s.id}`, { method: 'DELETE' })).status).toBe(204);

    const events = await eventsOf(async () => {
      const none = await authorizationRequest(w.appA, `${APP_A}/callback`, { prompt: 'none' });
      const end = await walk(browser, none.url, CALLBACKS);
      expect(end.kind === 'callback' && end.url.searchParams.get('error')).toBe('login_required');
    });
    expect(one(events, 'bridge.session.stale')).toMatchObject({ actor: 'system', subject: user.id });
    // prompt=none refused for want of a session: an anonymous browser.
    const failed = one(events, 'oidc.authorization.failed');
    expect(failed).toMatchObject({ error: 'login_required' });
    expect(failed.actor).toBe(failed.ip);
  });

  it('records no event without an actor', async () => {
    const all = await w.stack.hub.ctx.audit.tail({ count: 10_000 });
    expect(all.length).toBeGreaterThan(10);
    const without = all.filter((e) => typeof e.actor !== 'string' || e.actor === '');
    expect(without.map((e) => e.type)).toEqual([]);
  });
});
