/**
 * @file The one contract every SessionStore must meet, run against each implementation
 * (memory and Redis) by session-store.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { SessionRecord, SessionStore } from '../../src/index.ts';

export function record(overrides: Partial<SessionRecord> = {}): SessionRecord {
  const now = Math.floor(Date.now() / 1000);
  return {
    id: randomUUID(),
    clientId: 'app-a',
    sid: `sid-${randomUUID()}`,
    claims: { sub: `user-${randomUUID()}`, email: 'a@example.test', amr: [] },
    tokens: { accessToken: 'at', tokenType: 'Bearer', idToken: 'a.b.c', refreshToken: 'rt', accessTokenExpiresAt: now + 60 },
    createdAt: now,
    expiresAt: now + 3600,
    version: 1,
    ...overrides,
  };
}

/** describeSessionStoreContract runs the contract against fresh stores from `makeStore`. */
export function describeSessionStoreContract(name: string, makeStore: (clientId?: string) => Promise<SessionStore>): void {
  describe(`SessionStore contract: ${name}`, () => {
    it('reads back what it wrote, as an independent copy (empty arrays stay arrays)', async () => {
      const store = await makeStore();
      const r = record();
      expect(await store.set(r, 60)).toBe(true);
      const read = await store.get(r.id);
      expect(read).toEqual(r);
      read!.claims.sub = 'changed';
      expect((await store.get(r.id))!.claims.sub).toBe(r.claims.sub);
    });

    it('reads a missing session as undefined and destroys a missing one quietly', async () => {
      const store = await makeStore();
      expect(await store.get('missing')).toBeUndefined();
      await expect(store.destroy('missing')).resolves.toBeUndefined();
    });

    it('expires a session after its TTL', async () => {
      const store = await makeStore();
      const r = record();
      await store.set(r, 1);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect(await store.get(r.id)).toBeUndefined();
      expect(await store.findBySid(r.sid!)).toEqual([]);
    });

    it('slides the TTL when read with touchTtl (idle timeout)', async () => {
      const store = await makeStore();
      const r = record();
      await store.set(r, 1);
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(await store.get(r.id, 5)).toBeDefined();
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(await store.get(r.id)).toBeDefined();
    });

    it('indexes sessions by sid and by sub, and unindexes on destroy', async () => {
      const store = await makeStore();
      const a = record();
      const b = record({ sid: a.sid, claims: a.claims });
      const c = record({ claims: a.claims });
      for (const r of [a, b, c]) await store.set(r, 60);
      expect((await store.findBySid(a.sid!)).sort()).toEqual([a.id, b.id].sort());
      expect((await store.findBySub(a.claims.sub)).sort()).toEqual([a.id, b.id, c.id].sort());
      await store.destroy(a.id);
      expect(await store.findBySid(a.sid!)).toEqual([b.id]);
      expect((await store.findBySub(a.claims.sub)).sort()).toEqual([b.id, c.id].sort());
      expect(await store.get(a.id)).toBeUndefined();
    });

    it('writes with onlyIfExists only while the session exists (no resurrection)', async () => {
      const store = await makeStore();
      const r = record();
      expect(await store.set(r, 60, { onlyIfExists: true })).toBe(false);
      expect(await store.get(r.id)).toBeUndefined();
      await store.set(r, 60);
      expect(await store.set({ ...r, version: 2 }, 60, { onlyIfExists: true })).toBe(true);
      expect((await store.get(r.id))!.version).toBe(2);
      await store.destroy(r.id);
      expect(await store.set({ ...r, version: 3 }, 60, { onlyIfExists: true })).toBe(false);
      expect(await store.findBySid(r.sid!)).toEqual([]);
    });

    it('claims a marker once until it expires or is released', async () => {
      const store = await makeStore();
      const key = `jti:${randomUUID()}`;
      expect(await store.claim(key, 60)).toBe(true);
      expect(await store.claim(key, 60)).toBe(false);
      await store.release(key);
      expect(await store.claim(key, 1)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect(await store.claim(key, 1)).toBe(true);
    });

    it('lets exactly one of many concurrent claims win', async () => {
      const store = await makeStore();
      const key = `lock:${randomUUID()}`;
      const results = await Promise.all(Array.from({ length: 20 }, () => store.claim(key, 60)));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('keeps clients apart: one client store never sees another client sessions', async () => {
      const a = await makeStore('app-a');
      const b = await makeStore('shop-b');
      const r = record();
      await a.set(r, 60);
      expect(await b.get(r.id)).toBeUndefined();
      expect(await b.findBySid(r.sid!)).toEqual([]);
      expect(a.clientId).toBe('app-a');
      expect(b.clientId).toBe('shop-b');
    });
  });
}
