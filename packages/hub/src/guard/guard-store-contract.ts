import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { GuardStore, LockRule, SettleScope } from './guard-store.ts';

const lock = (over: Partial<LockRule> = {}): LockRule => ({
  durationMs: 300,
  growthFactor: 2,
  maxDurationMs: 500,
  resetMs: 60_000,
  identifier: 'ada@example.test',
  ip: '203.0.113.7',
  ...over,
});
const pending = { mode: 'pending' as const, pendingMs: 5_000 };

/**
 * The one behaviour every GuardStore must have, run against the memory and the Redis store.
 * `make` returns a store with empty state. Durations are short real times: Redis keeps its own
 * clock (TIME), so there is no fake clock to advance.
 */
export function guardStoreContract(name: string, make: () => Promise<GuardStore> | GuardStore): void {
  describe(`GuardStore contract: ${name}`, () => {
    it('takes tokens from a bucket up to its burst, then says how long to wait', async () => {
      const store = await make();
      const b = { key: 'b', burst: 3, perMinute: 600 }; // one token per 100 ms
      expect([await store.take([b]), await store.take([b]), await store.take([b])]).toEqual([undefined, undefined, undefined]);
      const refused = await store.take([b]);
      expect(refused?.index).toBe(0);
      expect(refused?.waitMs).toBeGreaterThan(0);
      expect(refused?.waitMs).toBeLessThanOrEqual(100);
      await sleep(refused!.waitMs + 20);
      expect(await store.take([b])).toBeUndefined();
      expect(await store.take([{ ...b, key: 'other' }])).toBeUndefined();
    });

    it('takes from several buckets in order and stops at the first that is empty', async () => {
      const store = await make();
      const ip = { key: 'ip', burst: 1, perMinute: 1 };
      const client = { key: 'client', burst: 2, perMinute: 1 };
      expect(await store.take([ip, client])).toBeUndefined();
      // The IP bucket is empty now: it refuses, and the client's bucket keeps its last token.
      expect(await store.take([ip, client])).toMatchObject({ index: 0 });
      expect(await store.take([client])).toBeUndefined();
      // Earlier buckets keep the token they gave when a later one refuses.
      const other = { key: 'other-ip', burst: 2, perMinute: 1 };
      expect(await store.take([other, client])).toMatchObject({ index: 1 });
      expect(await store.take([other])).toBeUndefined();
      expect(await store.take([other])).toMatchObject({ index: 0 });
    });

    it('reserves pending slots up to the limit and frees one when an attempt succeeds', async () => {
      const store = await make();
      const scopes = [{ scope: 's', limit: 2, windowMs: 60_000 }];
      expect(await store.reserve(scopes, 'a1', pending)).toBeUndefined();
      expect(await store.reserve(scopes, 'a2', pending)).toBeUndefined();
      const refused = await store.reserve(scopes, 'a3', pending);
      expect(refused).toMatchObject({ scope: 's', locked: false });
      expect(refused!.retryAfterMs).toBeGreaterThan(0);
      expect(refused!.retryAfterMs).toBeLessThanOrEqual(5_000);
      expect(await store.settle(scopes, 'a1', false)).toEqual([]);
      expect(await store.reserve(scopes, 'a4', pending)).toBeUndefined();
    });

    it('lets pending slots of attempts that never settle expire', async () => {
      const store = await make();
      const scopes = [{ scope: 's', limit: 1, windowMs: 60_000 }];
      expect(await store.reserve(scopes, 'a1', { mode: 'pending', pendingMs: 150 })).toBeUndefined();
      expect(await store.reserve(scopes, 'a2', { mode: 'pending', pendingMs: 150 })).toBeDefined();
      await sleep(200);
      expect(await store.reserve(scopes, 'a3', { mode: 'pending', pendingMs: 150 })).toBeUndefined();
    });

    it('locks a scope at the limit, refuses during the lock and lets through after it', async () => {
      const store = await make();
      const scopes: SettleScope[] = [{ scope: 'pair:h:203.0.113.7', limit: 2, windowMs: 60_000, lock: lock() }];
      await store.reserve(scopes, 'a1', pending);
      expect(await store.settle(scopes, 'a1', true)).toEqual([]);
      await store.reserve(scopes, 'a2', pending);
      expect(await store.settle(scopes, 'a2', true)).toEqual([{ scope: 'pair:h:203.0.113.7', durationMs: 300, level: 1, failures: 2 }]);
      const refused = await store.reserve(scopes, 'a3', pending);
      expect(refused).toMatchObject({ scope: 'pair:h:203.0.113.7', locked: true });
      expect(refused!.retryAfterMs).toBeGreaterThan(200);
      expect(refused!.retryAfterMs).toBeLessThanOrEqual(300);
      await sleep(320);
      // The lock emptied the failures: a fresh set of `limit` failures is needed for the next lock.
      expect(await store.reserve(scopes, 'a4', pending)).toBeUndefined();
      expect(await store.settle(scopes, 'a4', true)).toEqual([]);
      await store.reserve(scopes, 'a5', pending);
      // Second lock within resetMs: durationMs * growthFactor, capped at maxDurationMs.
      expect(await store.settle(scopes, 'a5', true)).toEqual([{ scope: 'pair:h:203.0.113.7', durationMs: 500, level: 2, failures: 2 }]);
    });

    it('counts events straight away in count mode and says when the oldest leaves the window', async () => {
      const store = await make();
      const scopes = [{ scope: 'send:h', limit: 2, windowMs: 400 }];
      const count = { mode: 'count' as const, pendingMs: 5_000 };
      expect(await store.reserve(scopes, 'm1', count)).toBeUndefined();
      await sleep(50);
      expect(await store.reserve(scopes, 'm2', count)).toBeUndefined();
      const refused = await store.reserve(scopes, 'm3', count);
      expect(refused).toMatchObject({ scope: 'send:h', locked: false });
      expect(refused!.retryAfterMs).toBeGreaterThan(250);
      expect(refused!.retryAfterMs).toBeLessThanOrEqual(400);
      await sleep(refused!.retryAfterMs + 20);
      expect(await store.reserve(scopes, 'm4', count)).toBeUndefined();
    });

    it('records nothing when any scope refuses (all or nothing)', async () => {
      const store = await make();
      const open = { scope: 'open', limit: 1, windowMs: 60_000 };
      const full = { scope: 'full', limit: 1, windowMs: 60_000 };
      expect(await store.reserve([full], 'x', pending)).toBeUndefined();
      expect(await store.reserve([open, full], 'y', pending)).toMatchObject({ scope: 'full' });
      expect(await store.reserve([open], 'z', pending)).toBeUndefined();
    });

    it('empties a scope on success when told to, and keeps counting otherwise', async () => {
      const store = await make();
      const reset = { scope: 'r', limit: 2, windowMs: 60_000, lock: lock(), resetOnSuccess: true };
      const keep = { scope: 'k', limit: 2, windowMs: 60_000, lock: lock({ ip: '' }) };
      await store.reserve([reset, keep], 'f1', pending);
      await store.settle([reset, keep], 'f1', true);
      await store.reserve([reset, keep], 's1', pending);
      await store.settle([reset, keep], 's1', false);
      await store.reserve([reset, keep], 'f2', pending);
      expect((await store.settle([reset, keep], 'f2', true)).map((l) => l.scope)).toEqual(['k']);
    });

    it('lists identifier locks (not IP bans) and clears every lock of one identifier', async () => {
      const store = await make();
      const fail = async (scopes: SettleScope[], id: string) => {
        expect(await store.reserve(scopes, id, pending)).toBeUndefined();
        return store.settle(scopes, id, true);
      };
      const long = { durationMs: 60_000, maxDurationMs: 60_000 };
      await fail([{ scope: 'pair:h1:198.51.100.1', limit: 1, windowMs: 60_000, lock: lock({ ...long, identifier: 'ada@x.test', ip: '198.51.100.1' }) }], 'a');
      await fail([{ scope: 'id:h1', limit: 1, windowMs: 60_000, lock: lock({ ...long, identifier: 'ada@x.test', ip: '' }) }], 'b');
      await fail([{ scope: 'id:h2', limit: 1, windowMs: 60_000, lock: lock({ ...long, identifier: 'bob@x.test', ip: '' }) }], 'c');
      await fail([{ scope: 'ip:198.51.100.1', limit: 1, windowMs: 60_000, lock: lock({ ...long, identifier: '', ip: '198.51.100.1' }) }], 'd');
      const listed = await store.listLocks();
      expect(listed.map((l) => l.scope).sort()).toEqual(['id:h1', 'id:h2', 'pair:h1:198.51.100.1']);
      expect(listed.find((l) => l.scope === 'pair:h1:198.51.100.1')).toMatchObject({ identifier: 'ada@x.test', ip: '198.51.100.1', failures: 1, level: 1 });
      expect(listed.find((l) => l.scope === 'id:h1')!.ip).toBeUndefined();
      expect(listed[0]!.until).toBeGreaterThan(Date.now() + 50_000);

      const cleared = await store.clear('h1');
      expect(cleared.map((l) => l.scope).sort()).toEqual(['id:h1', 'pair:h1:198.51.100.1']);
      expect((await store.listLocks()).map((l) => l.scope)).toEqual(['id:h2']);
      expect(await store.reserve([{ scope: 'id:h1', limit: 1, windowMs: 60_000 }], 'e', pending)).toBeUndefined();
      expect(await store.reserve([{ scope: 'ip:198.51.100.1', limit: 1, windowMs: 60_000 }], 'f', pending)).toMatchObject({ locked: true });
      expect(await store.clear('h1')).toEqual([]);
    });

    it('lets exactly `limit` of 50 concurrent attempts through, and locks after they fail', async () => {
      const store = await make();
      const scopes: SettleScope[] = [{ scope: 'pair:c:192.0.2.1', limit: 5, windowMs: 60_000, lock: lock({ durationMs: 60_000, maxDurationMs: 60_000 }) }];
      const results = await Promise.all(
        Array.from({ length: 50 }, async (_, i) => {
          const refused = await store.reserve(scopes, `c${i}`, pending);
          if (refused) return 'refused';
          await sleep(5);
          await store.settle(scopes, `c${i}`, true);
          return 'forwarded';
        }),
      );
      expect(results.filter((r) => r === 'forwarded')).toHaveLength(5);
      expect(await store.reserve(scopes, 'late', pending)).toMatchObject({ locked: true });
    });
  });
}
