import { describe, expect, it } from 'vitest';
import type { ModelStore } from './model-store.ts';

/**
 * The one contract every provider model store keeps (Redis and memory), written once and run
 * against each (Kratos' persistence tests, better-auth's adapter suites). `make` must give stores
 * that share one backend, fresh for each call of `describeModelStoreContract`.
 */
export function describeModelStoreContract(label: string, make: (model: string) => ModelStore): void {
  describe(`provider model store contract: ${label}`, () => {
    const id = () => crypto.randomUUID();

    it('finds what was upserted, and nothing for an unknown id', async () => {
      const store = make('AccessToken');
      const jti = id();
      await store.upsert(jti, { jti, accountId: 'a1', clientId: 'c1', kind: 'AccessToken' }, 60);
      expect(await store.find(jti)).toMatchObject({ jti, accountId: 'a1', clientId: 'c1' });
      expect(await store.find(id())).toBeUndefined();
    });

    it('replaces the payload on a second upsert', async () => {
      const store = make('Session');
      const jti = id();
      await store.upsert(jti, { jti, uid: 'u-replace', accountId: 'a1' }, 60);
      await store.upsert(jti, { jti, uid: 'u-replace', accountId: 'a2' }, 60);
      expect((await store.find(jti))?.accountId).toBe('a2');
    });

    it('keeps models apart even with the same id', async () => {
      const a = make('AccessToken');
      const b = make('RefreshToken');
      const jti = id();
      await a.upsert(jti, { jti, accountId: 'in-a' }, 60);
      expect(await b.find(jti)).toBeUndefined();
    });

    it('forgets an artefact once its lifetime is over', async () => {
      const store = make('AuthorizationCode');
      const jti = id();
      await store.upsert(jti, { jti }, 1);
      expect(await store.find(jti)).toBeDefined();
      await new Promise((r) => setTimeout(r, 2_100));
      expect(await store.find(jti)).toBeUndefined();
    });

    it('marks a consumable artefact consumed, visible to every later find', async () => {
      const store = make('AuthorizationCode');
      const jti = id();
      await store.upsert(jti, { jti, grantId: 'g-consume' }, 60);
      expect((await store.find(jti))?.consumed).toBeFalsy();
      await store.consume(jti);
      const found = await store.find(jti);
      expect(found?.consumed).toBeTruthy();
      expect(found?.grantId).toBe('g-consume');
    });

    it('does not bring back an unknown artefact when it is consumed', async () => {
      const store = make('RefreshToken');
      const jti = id();
      await store.consume(jti);
      expect(await store.find(jti)).toBeUndefined();
    });

    it('finds sessions by uid and forgets the uid with the session', async () => {
      const store = make('Session');
      const jti = id();
      const uid = id();
      await store.upsert(jti, { jti, uid, accountId: 'a1' }, 60);
      expect((await store.findByUid(uid))?.jti).toBe(jti);
      await store.destroy(jti);
      expect(await store.find(jti)).toBeUndefined();
      expect(await store.findByUid(uid)).toBeUndefined();
    });

    it('destroys with its uid and user code indexes, but not an index another artefact took over', async () => {
      const store = make('DeviceCode');
      const [a, b, uid] = [id(), id(), id()];
      const userCode = `U-${id().slice(0, 8)}`;
      await store.upsert(a, { jti: a, uid, userCode }, 60);
      await store.destroy(a);
      expect(await store.findByUid(uid)).toBeUndefined();
      expect(await store.findByUserCode(userCode)).toBeUndefined();
      // oidc-provider saves a session under a new id with the same uid, then destroys the old id.
      const sessions = make('Session');
      await sessions.upsert(a, { jti: a, uid, accountId: 'a1' }, 60);
      await sessions.upsert(b, { jti: b, uid, accountId: 'a1' }, 60);
      await sessions.destroy(a);
      expect(await sessions.find(a)).toBeUndefined();
      expect((await sessions.findByUid(uid))?.jti).toBe(b);
      // A consumed artefact goes too.
      const codes = make('AuthorizationCode');
      await codes.upsert(a, { jti: a }, 60);
      await codes.consume(a);
      await codes.destroy(a);
      expect(await codes.find(a)).toBeUndefined();
    });

    it('finds device codes by user code', async () => {
      const store = make('DeviceCode');
      const jti = id();
      await store.upsert(jti, { jti, userCode: 'ABCD-EFGH' }, 60);
      expect((await store.findByUserCode('ABCD-EFGH'))?.jti).toBe(jti);
      expect(await store.findByUserCode('ZZZZ-ZZZZ')).toBeUndefined();
    });

    it('revokes every artefact of a grant across models, and only that grant', async () => {
      const access = make('AccessToken');
      const refresh = make('RefreshToken');
      const code = make('AuthorizationCode');
      const grantId = id();
      const other = id();
      const [at, rt, ac, keep] = [id(), id(), id(), id()];
      await access.upsert(at, { jti: at, grantId }, 60);
      await refresh.upsert(rt, { jti: rt, grantId }, 600);
      await code.upsert(ac, { jti: ac, grantId }, 30);
      await access.upsert(keep, { jti: keep, grantId: other }, 60);
      for (const store of [access, refresh, code]) await store.revokeByGrantId(grantId);
      expect(await access.find(at)).toBeUndefined();
      expect(await refresh.find(rt)).toBeUndefined();
      expect(await code.find(ac)).toBeUndefined();
      expect(await access.find(keep)).toBeDefined();
    });

    it('revoking one model of a grant leaves the other models of that grant alone', async () => {
      const access = make('AccessToken');
      const refresh = make('RefreshToken');
      const grantId = id();
      const [at, rt] = [id(), id()];
      await access.upsert(at, { jti: at, grantId }, 60);
      await refresh.upsert(rt, { jti: rt, grantId }, 60);
      await access.revokeByGrantId(grantId);
      expect(await access.find(at)).toBeUndefined();
      expect(await refresh.find(rt)).toBeDefined();
    });

    it("indexes grants by client: the client's live grants, not destroyed ones, nor another client's", async () => {
      const grants = make('Grant');
      const [client, other] = [`app-${id()}`, `app-${id()}`];
      const [g1, g2, g3, g4] = [id(), id(), id(), id()];
      await grants.upsert(g1, { jti: g1, clientId: client, accountId: 'a1', kind: 'Grant' }, 600);
      await grants.upsert(g2, { jti: g2, clientId: client, accountId: 'a2', kind: 'Grant' }, 60);
      await grants.upsert(g3, { jti: g3, clientId: other, accountId: 'a1', kind: 'Grant' }, 600);
      await grants.upsert(g4, { jti: g4, clientId: client, accountId: 'a3', kind: 'Grant' }, 600);
      // Saved again (new scopes): still one entry.
      await grants.upsert(g1, { jti: g1, clientId: client, accountId: 'a1', kind: 'Grant', openid: { scope: 'openid email' } } as never, 600);
      await grants.destroy(g4);
      expect((await grants.grantsOfClient(client)).sort()).toEqual([g1, g2].sort());
      expect(await grants.grantsOfClient(other)).toEqual([g3]);
      expect(await grants.grantsOfClient(`app-${id()}`)).toEqual([]);
      // Only grants are indexed by client; tokens are found through their grant.
      const access = make('AccessToken');
      await access.upsert(g1, { jti: g1, clientId: other, grantId: g3 }, 60);
      expect(await access.grantsOfClient(other)).toEqual([]);
      expect(await grants.grantsOfClient(other)).toEqual([g3]);
    });

    it("forgets a client's grant once the grant's lifetime is over", async () => {
      const grants = make('Grant');
      const client = `app-${id()}`;
      const [short, long] = [id(), id()];
      await grants.upsert(short, { jti: short, clientId: client, accountId: 'a1', kind: 'Grant' }, 1);
      await grants.upsert(long, { jti: long, clientId: client, accountId: 'a2', kind: 'Grant' }, 600);
      expect((await grants.grantsOfClient(client)).sort()).toEqual([short, long].sort());
      await new Promise((r) => setTimeout(r, 2_100));
      expect(await grants.grantsOfClient(client)).toEqual([long]);
    });

    it("indexes grants by account: the account's live grants, not destroyed ones, nor another account's", async () => {
      const grants = make('Grant');
      const [account, other] = [`acct-${id()}`, `acct-${id()}`];
      const [g1, g2, g3, g4] = [id(), id(), id(), id()];
      await grants.upsert(g1, { jti: g1, clientId: 'app-a', accountId: account, kind: 'Grant' }, 600);
      await grants.upsert(g2, { jti: g2, clientId: 'app-b', accountId: account, kind: 'Grant' }, 60);
      await grants.upsert(g3, { jti: g3, clientId: 'app-a', accountId: other, kind: 'Grant' }, 600);
      await grants.upsert(g4, { jti: g4, clientId: 'app-c', accountId: account, kind: 'Grant' }, 600);
      // Saved again (new scopes): still one entry.
      await grants.upsert(g1, { jti: g1, clientId: 'app-a', accountId: account, kind: 'Grant', openid: { scope: 'openid email' } } as never, 600);
      await grants.destroy(g4);
      expect((await grants.grantsOfAccount(account)).sort()).toEqual([g1, g2].sort());
      expect(await grants.grantsOfAccount(other)).toEqual([g3]);
      expect(await grants.grantsOfAccount(`acct-${id()}`)).toEqual([]);
      // Only grants are indexed by account; tokens are found through their grant.
      const refresh = make('RefreshToken');
      await refresh.upsert(g1, { jti: g1, accountId: other, grantId: g3 }, 60);
      expect(await refresh.grantsOfAccount(other)).toEqual([]);
      expect(await grants.grantsOfAccount(other)).toEqual([g3]);
    });

    it("forgets an account's grant once the grant's lifetime is over", async () => {
      const grants = make('Grant');
      const account = `acct-${id()}`;
      const [short, long] = [id(), id()];
      await grants.upsert(short, { jti: short, clientId: 'app-a', accountId: account, kind: 'Grant' }, 1);
      await grants.upsert(long, { jti: long, clientId: 'app-b', accountId: account, kind: 'Grant' }, 600);
      expect((await grants.grantsOfAccount(account)).sort()).toEqual([short, long].sort());
      await new Promise((r) => setTimeout(r, 2_100));
      expect(await grants.grantsOfAccount(account)).toEqual([long]);
    });

    it('counts live sessions: each once, not destroyed or expired ones, and no other model', async () => {
      const sessions = make('Session');
      const before = await sessions.countLive();
      const [a, b, short] = [id(), id(), id()];
      await sessions.upsert(a, { jti: a, uid: id(), accountId: 'a1' }, 600);
      await sessions.upsert(b, { jti: b, uid: id(), accountId: 'a2' }, 600);
      await sessions.upsert(short, { jti: short, uid: id(), accountId: 'a3' }, 1);
      // Saved again (a new sign-in on the same browser): still one.
      await sessions.upsert(a, { jti: a, uid: id(), accountId: 'a1', authorizations: {} } as never, 600);
      expect(await sessions.countLive()).toBe(before + 3);
      await sessions.destroy(b);
      expect(await sessions.countLive()).toBe(before + 2);
      await new Promise((r) => setTimeout(r, 2_100));
      expect(await sessions.countLive()).toBe(before + 1);
      // A destroy of what has expired, or of what never was, changes nothing.
      await sessions.destroy(short);
      await sessions.destroy(id());
      expect(await sessions.countLive()).toBe(before + 1);
      await sessions.destroy(a);
      expect(await sessions.countLive()).toBe(before);
      const grants = make('Grant');
      await grants.upsert(a, { jti: a, clientId: 'app-a', accountId: 'a1', kind: 'Grant' }, 600);
      expect(await grants.countLive()).toBe(0);
    });

    it('returns copies, so changing a found payload does not change the stored one', async () => {
      const store = make('Grant');
      const jti = id();
      await store.upsert(jti, { jti, accountId: 'a1', openid: { scope: 'openid' } } as never, 60);
      const found = (await store.find(jti)) as { openid: { scope: string } };
      found.openid.scope = 'openid email';
      expect(((await store.find(jti)) as { openid: { scope: string } }).openid.scope).toBe('openid');
    });

    it('destroying an unknown id is harmless', async () => {
      await expect(make('Interaction').destroy(id())).resolves.toBeUndefined();
    });
  });
}
