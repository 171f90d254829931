import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { MemoryModelStore, MemoryState } from './memory-model-store.ts';
import { DeferredWriteError, withRequestScope } from './request-scope.ts';
import { requestScopedReads } from './request-scoped-reads.ts';

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
    const sessions = requestScopedReads(c.store, 'Session');
    await sessions.upsert('s1', { jti: 's1', uid: 'u1', accountId: 'ada' }, 60);
    await withRequestScope(async () => {
      const first = (await sessions.find('s1')) as { accountId: string };
      first.accountId = 'changed by the first caller';
      const second = (await sessions.find('s1')) as { accountId: string };
      expect(second.accountId).toBe('ada');
    });
    expect(c.reads()).toBe(1);
  });

  it('forgets what it read when the request writes, so a request sees its own writes', async () => {
    const c = countingStore();
    const sessions = requestScopedReads(c.store, 'Session');
    await sessions.upsert('s1', { jti: 's1', uid: 'u1', accountId: 'ada' }, 60);
    await withRequestScope(async () => {
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
    const sessions = requestScopedReads(c.store, 'Session');
    await sessions.upsert('s1', { jti: 's1', accountId: 'ada' }, 60);
    await Promise.all([withRequestScope(() => sessions.find('s1')), withRequestScope(() => sessions.find('s1'))]);
    await sessions.find('s1');
    await sessions.find('s1');
    expect(c.reads()).toBe(4);
  });

  it('remembers nothing for work the request left running after it ended', async () => {
    const c = countingStore();
    const sessions = requestScopedReads(c.store, 'Session');
    await sessions.upsert('s1', { jti: 's1', accountId: 'ada' }, 60);
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let afterwards: Promise<unknown> = Promise.resolve();
    await withRequestScope(async () => {
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
    const sessions = requestScopedReads(c.store, 'Session');
    await sessions.upsert('s1', { jti: 's1', accountId: 'ada' }, 60);
    await withRequestScope(async () => {
      c.failNextRead();
      await expect(sessions.find('s1')).rejects.toThrow('store down');
      expect(((await sessions.find('s1')) as { accountId: string }).accountId).toBe('ada');
    });
    expect(c.reads()).toBe(2);
  });

  it('reads a session by uid once per request, and tells what it read first to afterFind', async () => {
    const c = countingStore();
    const seen: string[] = [];
    const sessions = requestScopedReads(c.store, 'Session', (model, payload) => seen.push(`${model}:${payload.jti}`));
    await sessions.upsert('s1', { jti: 's1', uid: 'u1', accountId: 'ada' }, 60);
    await withRequestScope(async () => {
      await Promise.all([sessions.find('s1'), sessions.find('s1')]);
      expect(((await sessions.findByUid('u1')) as { jti: string }).jti).toBe('s1');
      expect(((await sessions.findByUid('u1')) as { jti: string }).jti).toBe('s1');
      expect(await sessions.find('missing')).toBeUndefined();
    });
    expect(c.reads()).toBe(2);
    expect(seen).toEqual(['Session:s1']);
  });
});

describe('withRequestScope({ deferWrites: true })', () => {
  function gatedStore() {
    const inner = new MemoryModelStore('RefreshToken', new MemoryState());
    const gates: { open: () => void; fail: (e: Error) => void }[] = [];
    const store = Object.assign(Object.create(inner), {
      upsert(id: string, payload: Record<string, unknown>, ttl?: number) {
        return new Promise<void>((resolve, reject) => {
          gates.push({ open: () => void inner.upsert(id, payload as never, ttl).then(resolve), fail: reject });
        });
      },
    }) as MemoryModelStore;
    return { store, gates };
  }

  it('sends writes at once, answers each at once, and waits for all of them before the request ends', async () => {
    const { store, gates } = gatedStore();
    const tokens = requestScopedReads(store, 'RefreshToken');
    let ended = false;
    const request = withRequestScope(
      async () => {
        await tokens.upsert('rt1', { jti: 'rt1' }, 60);
        await tokens.upsert('rt2', { jti: 'rt2' }, 60);
        expect(gates).toHaveLength(2);
        return 'answer';
      },
      { deferWrites: true },
    ).then((v) => {
      ended = true;
      return v;
    });
    await sleep(10);
    expect(ended).toBe(false);
    gates[0]!.open();
    await sleep(10);
    expect(ended).toBe(false);
    gates[1]!.open();
    expect(await request).toBe('answer');
    expect(await store.find('rt2')).toMatchObject({ jti: 'rt2' });
  });

  it('fails the request with DeferredWriteError when a deferred write fails', async () => {
    const { store, gates } = gatedStore();
    const tokens = requestScopedReads(store, 'RefreshToken');
    const request = withRequestScope(() => tokens.upsert('rt1', { jti: 'rt1' }, 60), { deferWrites: true });
    gates[0]!.fail(new Error('redis went away'));
    const err = await request.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeferredWriteError);
    expect((err as Error).cause).toMatchObject({ message: 'redis went away' });
  });

  it('lets the request error through, after its writes have settled', async () => {
    const { store, gates } = gatedStore();
    const tokens = requestScopedReads(store, 'RefreshToken');
    let settled = false;
    const request = withRequestScope(
      async () => {
        await tokens.upsert('rt1', { jti: 'rt1' }, 60);
        throw new Error('handler failed');
      },
      { deferWrites: true },
    );
    setTimeout(() => {
      settled = true;
      gates[0]!.open();
    }, 10);
    await expect(request).rejects.toThrow('handler failed');
    expect(settled).toBe(true);
  });

  it('waits for every write outside such a scope', async () => {
    const { store, gates } = gatedStore();
    const tokens = requestScopedReads(store, 'RefreshToken');
    let written = false;
    const write = tokens.upsert('rt1', { jti: 'rt1' }, 60).then(() => (written = true));
    await sleep(10);
    expect(written).toBe(false);
    gates[0]!.open();
    await write;
    expect(written).toBe(true);
  });
});

describe('withRequestScope({ shortcuts: false }): the plain path', () => {
  it('reads every time, and waits for each write before going on', async () => {
    const c = countingStore();
    const sessions = requestScopedReads(c.store, 'Session');
    await sessions.upsert('s1', { jti: 's1', uid: 'u1', accountId: 'ada' }, 60);
    await withRequestScope(
      async () => {
        await Promise.all([sessions.find('s1'), sessions.find('s1')]);
        await sessions.find('s1');
      },
      { shortcuts: false },
    );
    expect(c.reads()).toBe(3);

    const inner = new MemoryModelStore('RefreshToken', new MemoryState());
    let landed = 0;
    const slow = Object.assign(Object.create(inner), {
      async upsert(id: string, payload: Record<string, unknown>, ttl?: number) {
        await sleep(5);
        await inner.upsert(id, payload as never, ttl);
        landed++;
      },
    }) as MemoryModelStore;
    const tokens = requestScopedReads(slow, 'RefreshToken');
    const seen: number[] = [];
    await withRequestScope(
      async () => {
        await tokens.upsert('rt1', { jti: 'rt1' }, 60);
        seen.push(landed);
        await tokens.upsert('rt2', { jti: 'rt2' }, 60);
        seen.push(landed);
      },
      // Asked to defer, but the shortcuts are off: each write is awaited where it is made.
      { deferWrites: true, shortcuts: false },
    );
    expect(seen).toEqual([1, 2]);
  });
});
