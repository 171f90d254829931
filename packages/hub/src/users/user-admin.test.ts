import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../audit/audit-log.ts';
import type { SessionBinding } from '../bridge/bridge.ts';
import { SsoHubError } from '../errors/ssohub-error.ts';
import type { HubContext } from '../hub-context.ts';
import type { Identity, Session } from '../kratos/kratos-client.ts';
import { KratosUnavailableError } from '../kratos/kratos-error.ts';
import { createUserAdmin, endAllUserSessions, methodsOf, secondFactorsOf, summaryOf } from './user-admin.ts';

const ADA = '0a0a0a0a-1111-4222-8333-944445555666';
const BOB = '0b0b0b0b-1111-4222-8333-944445555666';

function identity(id: string, email: string, extra: Partial<Identity> = {}): Identity {
  return {
    id,
    schema_id: 'person',
    schema_url: '',
    state: 'active',
    created_at: '2026-12-01T10:00:00Z',
    traits: { email },
    verifiable_addresses: [{ id: 'a1', value: email, verified: true, via: 'email', status: 'completed' }],
    credentials: {
      password: { type: 'password', identifiers: [email] },
      code: { type: 'code', identifiers: [email] },
      webauthn: { type: 'webauthn', identifiers: [email], config: { credentials: [] } },
    },
    ...extra,
  } as Identity;
}

/**
 * A hub context whose Kratos and bridge are stand-ins that write every call, in order, to `calls`:
 * the order of a disable is what the tests check. `fail` makes one named call throw.
 */
function world(identities: Identity[], { sessions = [] as Session[], bindings = [] as SessionBinding[], apps = [] as { clientId: string; name: string }[], fail = '' } = {}) {
  const calls: string[] = [];
  const events: AuditEvent[] = [];
  const byId = new Map(identities.map((i) => [i.id, structuredClone(i)]));
  let liveApps = [...apps];
  let liveSessions = [...sessions];
  let liveBindings = [...bindings];
  const step = (name: string) => {
    calls.push(name);
    if (fail && name.startsWith(fail)) throw new KratosUnavailableError(`${name} failed`);
  };
  const kratos = {
    async getIdentity(id: string) {
      return byId.get(id);
    },
    async getIdentityWithSecurityKeys(id: string) {
      return byId.get(id);
    },
    async listIdentities({ identifier, identifierPrefix, limit }: { identifier?: string; identifierPrefix?: string; limit: number }) {
      calls.push(identifier !== undefined ? `list:exact:${identifier}:${limit}` : `list:prefix:${identifierPrefix}:${limit}`);
      const all = [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
      const email = (i: Identity) => String((i.traits as { email: string }).email).toLowerCase();
      return all.filter((i) => (identifier !== undefined ? email(i) === identifier.toLowerCase() : email(i).startsWith(String(identifierPrefix).toLowerCase()))).slice(0, limit);
    },
    async setIdentityState(id: string, state: 'active' | 'inactive') {
      step(`state:${state}`);
      const i = byId.get(id);
      if (i) i.state = state;
      return i;
    },
    async deleteIdentity(id: string) {
      step('delete-identity');
      return byId.delete(id);
    },
    async deleteSecondFactor(id: string, type: string) {
      step(`delete-credential:${type}`);
      const creds = byId.get(id)?.credentials ?? {};
      if (type === 'webauthn') creds.webauthn = { ...creds.webauthn, config: { credentials: [] } } as never;
      else delete creds[type];
      return true;
    },
    async listIdentitySessions() {
      return liveSessions;
    },
    async sendVerificationCode(email: string) {
      step(`send-code:${email}`);
      return 'sent_email';
    },
  };
  const bridge = {
    async listBindings() {
      return liveBindings;
    },
    async endKratosSession(id: string, reason: string) {
      step(`end-session:${id}:${reason}`);
      liveSessions = liveSessions.filter((s) => s.id !== id);
      const ended = liveBindings.filter((b) => b.kratosSessionId === id).flatMap((b) => b.clients.map((c) => c.clientId));
      liveApps = liveApps.filter((a) => !ended.includes(a.clientId));
      liveBindings = liveBindings.filter((b) => b.kratosSessionId !== id);
    },
    async listAccountApps() {
      return liveApps.map((a) => ({ ...a, grantedAt: 1, scopes: ['openid'] }));
    },
    async revokeAccountApp(_id: string, clientId: string, reason: string) {
      step(`revoke-app:${clientId}:${reason}`);
      liveApps = liveApps.filter((a) => a.clientId !== clientId);
      return { providerSessions: 0, grants: 1 };
    },
  };
  const ctx = { kratos, bridge, audit: { record: (e: AuditEvent) => events.push(e), tail: async () => [] } } as unknown as HubContext;
  return { users: createUserAdmin(ctx), ctx, calls, events, byId };
}

const session = (id: string): Session =>
  ({ id, active: true, authenticated_at: '2026-12-05T10:00:00Z', expires_at: '2027-01-04T10:00:00Z', authenticator_assurance_level: 'aal1', authentication_methods: [{ method: 'password' }], devices: [{ ip_address: '192.0.2.1', user_agent: 'Firefox' }] }) as Session;
const binding = (kratosSessionId: string, ...clients: string[]): SessionBinding => ({
  kratosSessionId,
  providerSessionUid: `uid-${kratosSessionId}`,
  accountId: ADA,
  authTime: 1,
  clients: clients.map((clientId) => ({ clientId, sid: `sid-${clientId}`, grantId: `g-${clientId}` })),
});

describe('finding users', () => {
  const people = [identity(ADA, 'ada@example.test'), identity(BOB, 'adam@example.test'), identity('0c0c0c0c-1111-4222-8333-944445555666', 'bob@example.test')];

  it('finds one by id, by exact email, and several by the start of an email, the exact match first', async () => {
    const { users, calls } = world(people);
    expect((await users.find(ADA)).map((u) => u.email)).toEqual(['ada@example.test']);
    expect((await users.find('adam@example.test')).map((u) => u.email)).toEqual(['adam@example.test']);
    expect((await users.find('ada')).map((u) => u.email)).toEqual(['ada@example.test', 'adam@example.test']);
    expect(calls).toContain('list:prefix:ada:20');
    // The exact match is never pushed out by a full page of prefix matches.
    expect((await users.find('adam@example.test', { limit: 1 })).map((u) => u.email)).toEqual(['adam@example.test']);
    expect((await users.find('ada', { limit: 1 })).map((u) => u.email)).toHaveLength(1);
  });

  it('answers none for no match, and refuses an empty query or a limit out of 1-100', async () => {
    const { users } = world(people);
    expect(await users.find('zed')).toEqual([]);
    expect(await users.find('0f0f0f0f-1111-4222-8333-944445555666')).toEqual([]);
    await expect(users.find('  ')).rejects.toMatchObject({ code: 'SSOHUB_ERR_BAD_REQUEST', status: 400 });
    await expect(users.find('ada', { limit: 101 })).rejects.toThrow(/limit must be a whole number from 1 to 100/);
    await expect(users.find('ada', { limit: 0 })).rejects.toMatchObject({ status: 400 });
  });

  it('summarizes a user: state, whether the sign-in address is verified, created', () => {
    const unverified = identity(ADA, 'Ada@Example.test', { state: 'inactive', verifiable_addresses: [{ id: 'a', value: 'ada@example.test', verified: false, via: 'email', status: 'pending' }] } as Partial<Identity>);
    expect(summaryOf(unverified)).toEqual({ id: ADA, email: 'Ada@Example.test', state: 'inactive', verified: false, createdAt: '2026-12-01T10:00:00Z' });
  });
});

describe('showing a user', () => {
  it('lists methods, second factors, addresses, sessions with the apps that took part, and apps', async () => {
    const ada = identity(ADA, 'ada@example.test', {
      credentials: {
        password: { type: 'password', identifiers: ['ada@example.test'] },
        totp: { type: 'totp', identifiers: [ADA] },
        webauthn: { type: 'webauthn', identifiers: ['ada@example.test'], config: { credentials: [{ is_passwordless: false }] } },
      },
    } as Partial<Identity>);
    const { users } = world([ada], { sessions: [session('k1')], bindings: [binding('k1', 'app-a', 'shop-b')], apps: [{ clientId: 'app-a', name: 'App A' }] });
    const shown = await users.show('ada@example.test');
    expect(shown).toMatchObject({
      id: ADA,
      methods: ['password', 'totp', 'webauthn'],
      secondFactors: ['totp', 'webauthn'],
      addresses: [{ value: 'ada@example.test', verified: true }],
      apps: [{ clientId: 'app-a', name: 'App A' }],
    });
    expect(shown.sessions).toEqual([
      { id: 'k1', authenticatedAt: '2026-12-05T10:00:00Z', expiresAt: '2027-01-04T10:00:00Z', aal: 'aal1', methods: ['password'], devices: [{ ip: '192.0.2.1', userAgent: 'Firefox' }], clients: ['app-a', 'shop-b'] },
    ]);
  });

  it('says 404 with what to give instead for an unknown user', async () => {
    const { users } = world([]);
    const err = await users.show('nobody@example.test').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SsoHubError);
    expect(err).toMatchObject({ code: 'SSOHUB_ERR_NOT_FOUND', status: 404, message: expect.stringMatching(/no user "nobody@example.test".*identity id/) });
  });

  it('counts an empty webauthn credential (every identity with an address has one) as no method, and passkeys as no second factor', () => {
    const plain = identity(ADA, 'ada@example.test');
    expect(methodsOf(plain)).toEqual(['code', 'password']);
    const passkey = identity(ADA, 'ada@example.test', {
      credentials: { passkey: { type: 'passkey', identifiers: ['x'] }, webauthn: { type: 'webauthn', identifiers: [], config: { credentials: [{ is_passwordless: true }] } } },
    } as Partial<Identity>);
    expect(secondFactorsOf(passkey)).toEqual([]);
  });
});

describe('disabling and deleting', () => {
  it('disables first, then ends every Kratos session through the bridge, then revokes every remaining app; one audit event', async () => {
    const { users, calls, events } = world([identity(ADA, 'ada@example.test')], {
      sessions: [session('k1')],
      // k2 is known to the hub only (Kratos no longer lists it as active): ended too.
      bindings: [binding('k1', 'app-a'), binding('k2', 'shop-b')],
      apps: [{ clientId: 'app-a', name: 'App A' }, { clientId: 'offline-c', name: 'C' }],
    });
    const result = await users.disable(ADA, 'admin:alice');
    expect(calls.filter((c) => !c.startsWith('list:'))).toEqual(['state:inactive', 'end-session:k1:user_disabled', 'end-session:k2:user_disabled', 'revoke-app:offline-c:user_disabled']);
    expect(result).toEqual({
      user: expect.objectContaining({ id: ADA, state: 'inactive' }),
      endedSessions: ['k1', 'k2'],
      revokedApps: ['app-a', 'offline-c', 'shop-b'],
    });
    expect(events).toEqual([{ type: 'user.disabled', actor: 'admin:alice', subject: ADA, outcome: 'success', endedSessions: 2, revokedApps: ['app-a', 'offline-c', 'shop-b'] }]);
  });

  it('records a failure with the actor and leaves the identity disabled, so that a retry finishes the job', async () => {
    const w = world([identity(ADA, 'ada@example.test')], { sessions: [session('k1')], bindings: [binding('k1', 'app-a')], fail: 'end-session' });
    await expect(w.users.disable('ada@example.test', 'admin:alice')).rejects.toThrow(/end-session/);
    expect(w.byId.get(ADA)?.state).toBe('inactive');
    expect(w.events).toEqual([{ type: 'user.disabled', actor: 'admin:alice', subject: ADA, outcome: 'failure', error: 'SSOHUB_ERR_KRATOS_UNAVAILABLE' }]);
  });

  it('disabling a disabled user ends what is left without setting the state again', async () => {
    const { users, calls } = world([identity(ADA, 'ada@example.test', { state: 'inactive' })], { sessions: [session('k9')] });
    const result = await users.disable(ADA, 'admin');
    expect(calls.filter((c) => !c.startsWith('list:'))).toEqual(['end-session:k9:user_disabled']);
    expect(result.user.state).toBe('inactive');
  });

  it('deletes last, after the same shut-out, and answers the user as it was', async () => {
    const { users, calls, events, byId } = world([identity(ADA, 'ada@example.test')], { sessions: [session('k1')], bindings: [binding('k1', 'app-a')], apps: [{ clientId: 'app-a', name: 'App A' }] });
    const result = await users.delete('ada@example.test', 'console:alice');
    expect(calls.filter((c) => !c.startsWith('list:'))).toEqual(['state:inactive', 'end-session:k1:user_deleted', 'delete-identity']);
    expect(result).toMatchObject({ user: { id: ADA, state: 'active' }, endedSessions: ['k1'], revokedApps: ['app-a'] });
    expect(byId.has(ADA)).toBe(false);
    expect(events.map((e) => [e.type, e.actor, e.outcome])).toEqual([['user.deleted', 'console:alice', 'success']]);
  });

  it('never deletes an identity whose sessions could not all be ended', async () => {
    const w = world([identity(ADA, 'ada@example.test')], { sessions: [session('k1')], fail: 'end-session' });
    await expect(w.users.delete(ADA, 'admin')).rejects.toThrow();
    expect(w.calls).not.toContain('delete-identity');
    expect(w.byId.get(ADA)?.state).toBe('inactive');
  });

  it('404s an unknown user, recording the attempt', async () => {
    const { users, events } = world([]);
    await expect(users.disable('ghost@example.test', 'admin')).rejects.toMatchObject({ status: 404 });
    // The address an admin typed is masked like every identifier in the trail, with its hash.
    expect(events).toEqual([{ type: 'user.disabled', actor: 'admin', subject: 'g***@example.test', identifierHash: expect.stringMatching(/^[\w-]{22}$/), outcome: 'failure', error: 'SSOHUB_ERR_NOT_FOUND' }]);
    expect(JSON.stringify(events)).not.toContain('ghost');
  });
});

describe('enabling', () => {
  it('sets the state active and brings nothing back', async () => {
    const { users, calls, events } = world([identity(ADA, 'ada@example.test', { state: 'inactive' })]);
    const result = await users.enable(ADA, 'admin');
    expect(calls).toEqual(['state:active']);
    expect(result).toEqual({ user: expect.objectContaining({ state: 'active' }), endedSessions: [], revokedApps: [] });
    expect(events[0]).toMatchObject({ type: 'user.enabled', subject: ADA, outcome: 'success' });
  });
});

describe('resetting the second factor', () => {
  const withFactors = () =>
    identity(ADA, 'ada@example.test', {
      credentials: {
        password: { type: 'password', identifiers: ['ada@example.test'] },
        totp: { type: 'totp', identifiers: [ADA] },
        lookup_secret: { type: 'lookup_secret', identifiers: [ADA] },
        webauthn: { type: 'webauthn', identifiers: ['ada@example.test'], config: { credentials: [{ is_passwordless: false }] } },
        passkey: { type: 'passkey', identifiers: ['h'] },
      },
    } as Partial<Identity>);

  it('removes TOTP, backup codes and security keys first, then ends every session (aal1 ones too)', async () => {
    const { users, calls, events, byId } = world([withFactors()], { sessions: [session('k1')], bindings: [binding('k1', 'app-a')] });
    const result = await users.resetMfa(ADA, 'admin:alice');
    expect(calls).toEqual(['delete-credential:totp', 'delete-credential:lookup_secret', 'delete-credential:webauthn', 'end-session:k1:mfa_reset']);
    expect(result).toMatchObject({ removed: ['totp', 'lookup_secret', 'webauthn'], endedSessions: ['k1'], revokedApps: ['app-a'] });
    expect(Object.keys(byId.get(ADA)?.credentials ?? {}).sort()).toEqual(['passkey', 'password', 'webauthn']);
    expect(events[0]).toMatchObject({ type: 'user.mfa_reset', actor: 'admin:alice', subject: ADA, removed: ['totp', 'lookup_secret', 'webauthn'] });
  });

  it('is a conflict (409) when there is nothing to reset', async () => {
    const { users, calls } = world([identity(ADA, 'ada@example.test')], { sessions: [session('k1')] });
    await expect(users.resetMfa(ADA, 'admin')).rejects.toMatchObject({ code: 'SSOHUB_ERR_CONFLICT', status: 409 });
    expect(calls).toEqual([]);
  });
});

describe('resending verification', () => {
  it('sends a code to the unverified sign-in address', async () => {
    const ada = identity(ADA, 'ada@example.test', {
      verifiable_addresses: [
        { id: 'b', value: 'other@example.test', verified: false, via: 'email', status: 'pending' },
        { id: 'a', value: 'ada@example.test', verified: false, via: 'email', status: 'pending' },
      ],
    } as Partial<Identity>);
    const { users, calls, events } = world([ada]);
    const result = await users.resendVerification('ada@example.test', 'admin');
    expect(calls.filter((c) => !c.startsWith('list:'))).toEqual(['send-code:ada@example.test']);
    expect(result).toMatchObject({ sentTo: 'ada@example.test', endedSessions: [], revokedApps: [] });
    expect(events[0]).toMatchObject({ type: 'user.verification_resent', sentTo: 'a***@example.test', outcome: 'success' });
  });

  it('is a conflict (409) when every address is verified', async () => {
    const { users, calls } = world([identity(ADA, 'ada@example.test')]);
    await expect(users.resendVerification(ADA, 'admin')).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/verified every address/) });
    expect(calls.filter((c) => c.startsWith('send-code'))).toEqual([]);
  });
});

describe('ending every session of a user for an admin (the console’s “End all sessions”)', () => {
  it('ends the sessions Kratos lists and those only the hub still binds, each audited as it ends', async () => {
    const w = world([identity(ADA, 'ada@example.test')], {
      sessions: [session('k1'), session('k2')],
      bindings: [binding('k1', 'app-a'), binding('k3', 'app-b')],
    });
    const result = await endAllUserSessions(w.ctx, { identityId: ADA, actor: 'console:alice', ip: '192.0.2.9' });
    expect(result).toEqual({ ended: ['k1', 'k2', 'k3'], clients: ['app-a', 'app-b'] });
    expect(w.calls).toEqual(['end-session:k1:admin', 'end-session:k2:admin', 'end-session:k3:admin']);
    expect(w.events).toEqual(
      ['k1', 'k2', 'k3'].map((sessionId) => ({ type: 'session.revoked', actor: 'console:alice', subject: ADA, sessionId, reason: 'admin', ip: '192.0.2.9', outcome: 'success' })),
    );
  });

  it('keeps the audit of the sessions it ended when a later one fails', async () => {
    const w = world([identity(ADA, 'ada@example.test')], { sessions: [session('k1'), session('k2')], fail: 'end-session:k2' });
    await expect(endAllUserSessions(w.ctx, { identityId: ADA, actor: 'console:alice', ip: '192.0.2.9' })).rejects.toThrow(KratosUnavailableError);
    expect(w.events.map((e) => e.sessionId)).toEqual(['k1']);
  });
});
