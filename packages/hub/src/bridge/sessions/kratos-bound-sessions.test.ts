import { describe, expect, it } from 'vitest';
import { MemoryModelStore, MemoryState } from '../adapter/memory-model-store.ts';
import type { ModelStore } from '../adapter/model-store.ts';
import { withRequestScope } from '../adapter/request-scope.ts';
import { requestScopedReads } from '../adapter/request-scoped-reads.ts';
import { KratosError } from '../../kratos/kratos-error.ts';
import { KratosBoundSessions } from './kratos-bound-sessions.ts';
import { SessionChecks } from './session-checks.ts';
import { requestScopedBindings, type SessionBindings, sessionBindingStore } from './session-bindings.ts';

const memoryStorage = { kind: 'memory' as const, description: 'memory', close: async () => {} };

/** Stores that count what reaches them, behind the same request-scoped wrappers as the hub's. */
function setup() {
  const reads: string[] = [];
  const state = new MemoryState();
  const adapters = new Map<string, ModelStore>();
  const adapter = (name: string): ModelStore => {
    let a = adapters.get(name);
    if (!a) {
      const inner = new MemoryModelStore(name, state);
      const counting = Object.assign(Object.create(inner), {
        find: (id: string) => { reads.push(`${name}.find`); return inner.find(id); },
        findByUid: (uid: string) => { reads.push(`${name}.findByUid`); return inner.findByUid(uid); },
      }) as ModelStore;
      a = requestScopedReads(counting, name);
      adapters.set(name, a);
    }
    return a;
  };
  const plain = sessionBindingStore(memoryStorage);
  const bindings: SessionBindings = requestScopedBindings({
    ...plain,
    find: (uid) => { reads.push('binding'); return plain.find(uid); },
    recentlyVerified: (uid) => { reads.push('verified'); return plain.recentlyVerified(uid); },
  });
  const sessions = new KratosBoundSessions({
    adapters: Object.assign(adapter, { close() {} }),
    bindings,
    provider: {} as never,
    kratos: {} as never,
    deliverer: {} as never,
    audit: {} as never,
  });
  const checks = new SessionChecks({ bindings, kratos: {} as never, sessionTtl: 3600, codeTtl: 60 });
  const readAhead = (model: string, payload: Record<string, unknown>) => checks.readAhead(model, payload, adapter);
  return { reads, adapter, bindings, sessions, readAhead };
}

describe('SessionChecks.readAhead', () => {
  it('reads, from a refresh token, its grant, session and binding at once; the handler then finds them', async () => {
    const { reads, adapter, bindings, readAhead } = setup();
    await adapter('Grant').upsert('g1', { jti: 'g1', accountId: 'ada' }, 60);
    await adapter('Session').upsert('s1', { jti: 's1', uid: 'u1', accountId: 'ada' }, 60);
    await bindings.bind({ uid: 'u1', kratosSessionId: 'k1', accountId: 'ada' }, 60);
    await withRequestScope(async () => {
      readAhead('RefreshToken', { grantId: 'g1', sessionUid: 'u1', expiresWithSession: true });
      expect(reads).toEqual(['Grant.find', 'Session.findByUid', 'binding']);
      // What the refresh_token grant handler and findAccount read next.
      expect(await adapter('Session').findByUid('u1')).toMatchObject({ accountId: 'ada' });
      expect(await adapter('Grant').find('g1')).toMatchObject({ accountId: 'ada' });
      expect(await bindings.find('u1')).toMatchObject({ kratosSessionId: 'k1' });
      expect(reads).toHaveLength(3);
    });
  });

  it('reads the verification noted at /auth for a code, nothing account-related for an access token', async () => {
    const { reads, readAhead } = setup();
    await withRequestScope(async () => {
      readAhead('AuthorizationCode', { grantId: 'g1', sessionUid: 'u1', expiresWithSession: true });
    });
    expect(reads).toEqual(['Grant.find', 'Session.findByUid', 'verified']);
    reads.length = 0;
    await withRequestScope(async () => {
      // Introspection reads access tokens too, and has no use for a binding.
      readAhead('AccessToken', { grantId: 'g1', sessionUid: 'u1' });
    });
    expect(reads).toEqual(['Grant.find']);
  });

  it('ignores every other model', async () => {
    const { reads, readAhead } = setup();
    await withRequestScope(async () => {
      readAhead('Grant', { grantId: 'g1', sessionUid: 'u1' });
      readAhead('Session', { uid: 'u1' });
      readAhead('Interaction', { grantId: 'g1' });
    });
    expect(reads).toEqual([]);
  });
});

describe('KratosBoundSessions.revokeClient', () => {
  it("revokes every grant of the client with its codes and tokens, and nothing of another client's", async () => {
    const { adapter, sessions } = setup();
    const models = ['AuthorizationCode', 'AccessToken', 'RefreshToken'];
    const issue = async (grantId: string, clientId: string) => {
      await adapter('Grant').upsert(grantId, { jti: grantId, clientId, accountId: 'ada', kind: 'Grant' }, 600);
      for (const m of models) await adapter(m).upsert(`${grantId}-${m}`, { jti: `${grantId}-${m}`, grantId, clientId }, 600);
    };
    await issue('g1', 'gone-app');
    await issue('g2', 'gone-app');
    await issue('g3', 'other-app');
    expect(await sessions.revokeClient('gone-app')).toBe(2);
    for (const g of ['g1', 'g2']) {
      expect(await adapter('Grant').find(g)).toBeUndefined();
      for (const m of models) expect(await adapter(m).find(`${g}-${m}`)).toBeUndefined();
    }
    expect(await adapter('Grant').find('g3')).toBeDefined();
    expect(await adapter('RefreshToken').find('g3-RefreshToken')).toBeDefined();
    expect(await sessions.revokeClient('gone-app')).toBe(0);
  });
});

describe('request-scoped bindings', () => {
  it('forget only what a write changes, and hand out frozen snapshots', async () => {
    const { reads, bindings } = setup();
    await bindings.bind({ uid: 'u1', kratosSessionId: 'k1', accountId: 'ada' }, 60);
    await withRequestScope(async () => {
      const b = await bindings.find('u1');
      expect(Object.isFrozen(b)).toBe(true);
      await bindings.recentlyVerified('u1');
      await bindings.noteVerified('u1', { accountId: 'ada', identity: { id: 'ada', state: 'active', traits: {} }, sessionExpiresAt: undefined }, 60);
      await bindings.find('u1');
      expect((await bindings.recentlyVerified('u1'))?.accountId).toBe('ada');
      await bindings.bind({ uid: 'u1', kratosSessionId: 'k2', accountId: 'ada' }, 60);
      expect((await bindings.find('u1'))?.kratosSessionId).toBe('k2');
    });
    expect(reads).toEqual(['binding', 'verified', 'verified', 'binding']);
  });
});

describe('SessionChecks.isBoundToBrowser when whoami says "no session"', () => {
  const identity = { id: 'acc-1', state: 'active' } as never;
  const live = { id: 'ks-1', active: true, identity, expires_at: new Date(Date.now() + 3600_000).toISOString() } as never;

  /** A binding of provider session `uid-1` to Kratos session `ks-1`, and an admin API answering `admin`. */
  async function bound(admin: () => Promise<unknown>) {
    const asked: string[] = [];
    const bindings = sessionBindingStore(memoryStorage);
    await bindings.bind({ uid: 'uid-1', kratosSessionId: 'ks-1', accountId: 'acc-1' }, 3600);
    const sessions = new SessionChecks({
      bindings,
      kratos: { getSession: async (id: string) => { asked.push(`admin ${id}`); return admin(); } } as never,
      sessionTtl: 3600,
      codeTtl: 60,
    });
    return { sessions, asked };
  }

  it('asks the admin API and then whoami again before believing it: Kratos answers 401 to whoami when its database fails', async () => {
    const { sessions, asked } = await bound(async () => live);
    const result = await sessions.isBoundToBrowser('uid-1', 'acc-1', Promise.resolve(undefined), async () => { asked.push('whoami again'); return live; });
    expect(result).toEqual({ bound: true, browser: live });
    expect(asked).toEqual(['admin ks-1', 'whoami again']);
  });

  it('fails (so the request answers 503 and nothing ends) when the admin API fails too', async () => {
    const { sessions } = await bound(async () => {
      throw new KratosError(500, undefined, { error: { message: 'FATAL: terminating connection due to administrator command (SQLSTATE 57P01)' } });
    });
    await expect(sessions.isBoundToBrowser('uid-1', 'acc-1', Promise.resolve(undefined), async () => live)).rejects.toBeInstanceOf(KratosError);
  });

  it('believes it when the bound session is gone or the browser says "no session" twice', async () => {
    const gone = await bound(async () => undefined);
    let again = 0;
    expect(await gone.sessions.isBoundToBrowser('uid-1', 'acc-1', Promise.resolve(undefined), async () => { again++; return live; })).toEqual({ bound: false, browser: undefined });
    expect(again).toBe(0);
    const revoked = await bound(async () => ({ ...(live as object), active: false }));
    expect((await revoked.sessions.isBoundToBrowser('uid-1', 'acc-1', Promise.resolve(undefined), async () => live)).bound).toBe(false);
    const cleared = await bound(async () => live);
    expect(await cleared.sessions.isBoundToBrowser('uid-1', 'acc-1', Promise.resolve(undefined), async () => undefined)).toEqual({ bound: false, browser: undefined });
    // A browser that sent no cookie at all has nothing to ask about.
    const bare = await bound(async () => live);
    expect((await bare.sessions.isBoundToBrowser('uid-1', 'acc-1', Promise.resolve(undefined))).bound).toBe(false);
    expect(bare.asked).toEqual([]);
  });
});
