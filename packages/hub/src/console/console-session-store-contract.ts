import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { ConsoleSessionRecord, ConsoleSessionStore } from './console-session-store.ts';

const record = (over: Partial<ConsoleSessionRecord> = {}): ConsoleSessionRecord => ({
  name: 'alice',
  csrf: 'csrf-1',
  createdAt: 1_800_000_000_000,
  lastSeenAt: 1_800_000_000_000,
  tokenTag: 'tag',
  ...over,
});
const MINUTE = 60_000;

/**
 * The one behaviour every ConsoleSessionStore must have, run against the memory and the Redis
 * store. `make` returns an empty store of its own. Expiry is checked with short real times: Redis
 * keeps its own clock, so there is no fake one to advance.
 */
export function describeConsoleSessionStoreContract(label: string, make: () => ConsoleSessionStore | Promise<ConsoleSessionStore>): void {
  describe(`console session store contract: ${label}`, () => {
    it('creates a session under a new key only, keeping the first when the key is taken', async () => {
      const store = await make();
      expect(await store.create('h1', record(), MINUTE)).toBe(true);
      expect(await store.create('h1', record({ name: 'mallory' }), MINUTE)).toBe(false);
      expect(await store.get('h1')).toEqual(record());
      expect(await store.get('h2')).toBeUndefined();
    });

    it('updates a live session, and writes nothing for a key that is not there', async () => {
      const store = await make();
      expect(await store.update('h1', record(), MINUTE)).toBe(false);
      expect(await store.get('h1')).toBeUndefined();
      await store.create('h1', record(), MINUTE);
      expect(await store.update('h1', record({ lastSeenAt: 1_800_000_060_000, notice: { key: 'k', values: { id: 'x' } } }), MINUTE)).toBe(true);
      expect(await store.get('h1')).toEqual(record({ lastSeenAt: 1_800_000_060_000, notice: { key: 'k', values: { id: 'x' } } }));
    });

    it('keeps a deleted session deleted: a later update is refused and brings nothing back', async () => {
      const store = await make();
      await store.create('h1', record(), MINUTE);
      await store.delete('h1');
      expect(await store.update('h1', record({ notice: { key: 'late' } }), MINUTE)).toBe(false);
      expect(await store.get('h1')).toBeUndefined();
      await store.delete('h1');
    });

    it('forgets a session ttlMs after its last write: then it cannot be updated, and its key is free', async () => {
      const store = await make();
      await store.create('h1', record(), 60);
      expect(await store.get('h1')).toBeDefined();
      await sleep(120);
      expect(await store.get('h1')).toBeUndefined();
      expect(await store.update('h1', record(), MINUTE)).toBe(false);
      expect(await store.get('h1')).toBeUndefined();
      expect(await store.create('h1', record({ name: 'bob' }), MINUTE)).toBe(true);
      expect(await store.get('h1')).toMatchObject({ name: 'bob' });
    });
  });
}
