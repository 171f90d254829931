import { describe, expect, it } from 'vitest';
import { MemoryModelStore, MemoryState } from './memory-model-store.ts';
import { requestScopedReads, withRequestScopedReads } from './request-scoped-reads.ts';

function countingStore() {
  const inner = new MemoryModelStore('Session', new MemoryState());
  let reads = 0;
  let failNext = false;
  const store = Object.assign(Object.create(inner), {
    async find(id: string) {
      reads++;
      if (failNext) {
        failNext = false;
        throw new Error('store down');
      }
      return inner.find(id);
    },
  }) as MemoryModelStore;
  return { store, reads: () => reads, failNextRead: () => (failNext = true) };
}

describe('requestScopedReads', () => {
  it('reads an artefact once per request and hands each caller its own copy', async () => {
    const c = countingStore();
    const sessions = requestScopedReads(c.store);
    await sessions.upsert('s1', { jti: 's1', uid: 'u1', accountId: 'ada' }, 60);
    await withRequestScopedReads(async () => {
      const first = (await sessions.find('s1')) as { accountId: string };
      first.accountId = 'changed by the first caller';
      const second = (await sessions.find('s1')) as { accountId: string };
      expect(second.accountId).toBe('ada');
    });
    expect(c.reads()).toBe(1);
  });

  it('forgets what it read when the request writes, so a request sees its own writes', async () => {
    const c = countingStore();
    const sessions = requestScopedReads(c.store);
    await sessions.upsert('s1', { jti: 's1', uid: 'u1', accountId: 'ada' }, 60);
    await withRequestScopedReads(async () => {
      await sessions.find('s1');
      await sessions.upsert('s1', { jti: 's1', uid: 'u1', accountId: 'ada', acr: 'aal2' }, 60);
      expect(((await sessions.find('s1')) as { acr?: string }).acr).toBe('aal2');
      await sessions.destroy('s1');
      expect(await sessions.find('s1')).toBeUndefined();
    });
    expect(c.reads()).toBe(3);
  });

  it('shares nothing between requests and remembers nothing outside one', async () => {
    const c = countingStore();
    const sessions = requestScopedReads(c.store);
    await sessions.upsert('s1', { jti: 's1', accountId: 'ada' }, 60);
    await Promise.all([withRequestScopedReads(() => sessions.find('s1')), withRequestScopedReads(() => sessions.find('s1'))]);
    await sessions.find('s1');
    await sessions.find('s1');
    expect(c.reads()).toBe(4);
  });

  it('remembers nothing for work the request left running after it ended', async () => {
    const c = countingStore();
    const sessions = requestScopedReads(c.store);
    await sessions.upsert('s1', { jti: 's1', accountId: 'ada' }, 60);
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let afterwards: Promise<unknown> = Promise.resolve();
    await withRequestScopedReads(async () => {
      await sessions.find('s1');
      // Started inside the request, so it runs in the request's async context, as a timer or a
      // retry the request started would.
      afterwards = gate.then(async () => {
        await sessions.find('s1');
        await sessions.find('s1');
      });
    });
    release();
    await afterwards;
    expect(c.reads()).toBe(3);
  });

  it('does not remember a failed read', async () => {
    const c = countingStore();
    const sessions = requestScopedReads(c.store);
    await sessions.upsert('s1', { jti: 's1', accountId: 'ada' }, 60);
    await withRequestScopedReads(async () => {
      c.failNextRead();
      await expect(sessions.find('s1')).rejects.toThrow('store down');
      expect(((await sessions.find('s1')) as { accountId: string }).accountId).toBe('ada');
    });
    expect(c.reads()).toBe(2);
  });
});
