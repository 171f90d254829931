import { describe, expect, it, vi } from 'vitest';
import { MemoryModelStore, MemoryState } from '../adapter/memory-model-store.ts';
import type { ModelStore } from '../adapter/model-store.ts';
import { AccountApps } from './account-apps.ts';
import { sessionBindingStore } from './session-bindings.ts';

const memoryStorage = { kind: 'memory' as const, description: 'memory', close: async () => {} };
const CLIENTS: Record<string, string> = { 'app-a': 'App A', 'shop-b': 'Shop B' };

/**
 * AccountApps over the memory stores, with the two parts of oidc-provider it uses stood in for:
 * Session.findByUid (a stored Session with persist) and nothing else.
 */
function setup() {
  const state = new MemoryState();
  const stores = new Map<string, ModelStore>();
  const adapter = (name: string): ModelStore => stores.get(name) ?? stores.set(name, new MemoryModelStore(name, state)).get(name)!;
  const adapters = Object.assign(adapter, { close: () => state.close() });
  const bindings = sessionBindingStore(memoryStorage);
  const provider = {
    Session: {
      async findByUid(uid: string) {
        const payload = await adapter('Session').findByUid(uid);
        if (!payload) return undefined;
        return Object.assign(payload, { persist: () => adapter('Session').upsert(payload.jti as string, { ...payload, persist: undefined }, 3600) });
      },
    },
  };
  const deliverer = { deliver: vi.fn(async () => {}) };
  const clients = { find: async (id: string) => (CLIENTS[id] ? { metadata: { client_id: id, client_name: CLIENTS[id] } } : undefined) };
  const apps = new AccountApps({ provider: provider as never, bindings, deliverer: deliverer as never, adapters, clients: clients as never });

  /** A sign-in of `accountId` at `clientId`: its grant, refresh token, and provider session bound to a Kratos session. */
  const signIn = async (accountId: string, clientId: string, n: string) => {
    const [grantId, rt, jti, uid, sid] = [`g-${n}`, `rt-${n}`, `s-${n}`, `u-${n}`, `sid-${n}`];
    await adapter('Grant').upsert(grantId, { jti: grantId, kind: 'Grant', accountId, clientId, iat: 1_700_000_000, openid: { scope: 'openid email offline_access' } } as never, 3600);
    await adapter('RefreshToken').upsert(rt, { jti: rt, grantId, accountId, clientId }, 3600);
    await adapter('Session').upsert(jti, { jti, uid, accountId, authorizations: { [clientId]: { sid, grantId } } } as never, 600);
    await bindings.bind({ uid, kratosSessionId: `k-${accountId}`, accountId }, 600);
    return { grantId, rt, jti, sid };
  };
  return { apps, adapter, deliverer, signIn };
}

describe('AccountApps', () => {
  it('lists and revokes an app whose grant outlived its provider session, with its refresh token', async () => {
    const { apps, adapter, deliverer, signIn } = setup();
    const old = await signIn('ada', 'app-a', 'old');
    await signIn('ada', 'shop-b', 'live');
    // The provider session of the App A sign-in has ended; its offline_access grant has not.
    await adapter('Session').destroy(old.jti);

    expect((await apps.list('ada')).map((a) => [a.clientId, a.name, a.scopes])).toEqual([
      ['app-a', 'App A', ['email', 'offline_access', 'openid']],
      ['shop-b', 'Shop B', ['email', 'offline_access', 'openid']],
    ]);

    expect(await apps.revoke('ada', 'app-a', 'account_page')).toEqual({ providerSessions: 0, grants: 1 });
    expect(await adapter('RefreshToken').find(old.rt)).toBeUndefined();
    expect(await adapter('Grant').find(old.grantId)).toBeUndefined();
    // No live session named App A: no sid to send a back-channel logout for.
    expect(deliverer.deliver).not.toHaveBeenCalled();
    expect((await apps.list('ada')).map((a) => a.clientId)).toEqual(['shop-b']);
    expect(await apps.revoke('ada', 'app-a', 'account_page')).toEqual({ providerSessions: 0, grants: 0 });
  });

  it("revokes the app's live and outlived grants, logs out of the live session only, and leaves other accounts alone", async () => {
    const { apps, adapter, deliverer, signIn } = setup();
    const old = await signIn('ada', 'app-a', 'old');
    await adapter('Session').destroy(old.jti);
    const live = await signIn('ada', 'app-a', 'live');
    const grace = await signIn('grace', 'app-a', 'grace');

    expect(await apps.revoke('ada', 'app-a', 'account_page')).toEqual({ providerSessions: 1, grants: 2 });
    for (const rt of [old.rt, live.rt]) expect(await adapter('RefreshToken').find(rt)).toBeUndefined();
    expect(deliverer.deliver).toHaveBeenCalledTimes(1);
    expect(deliverer.deliver).toHaveBeenCalledWith(expect.objectContaining({ clientId: 'app-a', accountId: 'ada', sid: live.sid }));
    // The live session no longer names the app, so a later sign-out does not either.
    expect((await adapter('Session').find(live.jti))?.authorizations).toEqual({});
    expect(await apps.list('ada')).toEqual([]);
    expect(await adapter('RefreshToken').find(grace.rt)).toBeDefined();
    expect((await apps.list('grace')).map((a) => a.clientId)).toEqual(['app-a']);
  });
});
