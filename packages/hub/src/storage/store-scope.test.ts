import { describe, expect, it } from 'vitest';
import type { StoreClient } from './redis-client.ts';
import { type StoreCommandObserver, scopedStoreClient } from './store-scope.ts';

function fakeClient() {
  return {
    getBuiltinCommands: () => ['get', 'multi', 'quit'],
    async get(key: string) {
      if (key === 'bad') throw new Error('WRONGTYPE');
      return 'v';
    },
    multi() {
      return { exec: async () => [[null, 'OK']] };
    },
    async quit() {
      return 'OK';
    },
  } as unknown as StoreClient;
}

describe('scopedStoreClient command timings', () => {
  it('reports each command once it settles, by name and outcome, a MULTI once at its exec', async () => {
    const seen: [string, boolean][] = [];
    const observer: { current?: StoreCommandObserver } = {};
    const client = scopedStoreClient(fakeClient(), 1500, { deadlineMs: 1500, observer });
    await client.get('k');
    expect(seen).toEqual([]);
    observer.current = (command, failed, seconds) => {
      expect(seconds).toBeGreaterThanOrEqual(0);
      seen.push([command, failed]);
    };
    await client.get('k');
    await expect(client.get('bad')).rejects.toThrow('WRONGTYPE');
    await client.multi().exec();
    await client.quit();
    expect(seen).toEqual([
      ['get', false],
      ['get', true],
      ['multi', false],
    ]);
  });
});
