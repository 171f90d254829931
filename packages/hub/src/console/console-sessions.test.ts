import { describe, expect, it } from 'vitest';
import { type ConsoleSessionStore, createConsoleSessionStore } from './console-session-store.ts';
import { createConsoleSessions, hashSessionId } from './console-sessions.ts';

const MINUTE = 60_000;
const config = { idleTimeoutMs: 15 * MINUTE, maxAgeMs: 8 * 60 * MINUTE };
const memory = { kind: 'memory' as const, description: 'memory', close: async () => {} };

function setup(tokenTag = 'tag-a') {
  let now = 1_800_000_000_000;
  const clock = () => now;
  const store = createConsoleSessionStore(memory, clock);
  return { sessions: createConsoleSessions(store, config, { tokenTag, now: clock }), store, advance: (ms: number) => (now += ms), clock };
}

/** The store with its next `update` held back until `release()`: a request slowed between reading and writing its session. */
function pausedWrites(store: ConsoleSessionStore) {
  let release = () => {};
  let reached = () => {};
  const held = new Promise<void>((resolve) => {
    release = () => resolve();
  });
  const writing = new Promise<void>((resolve) => {
    reached = () => resolve();
  });
  let pausing = false;
  const paused: ConsoleSessionStore = {
    ...store,
    async update(idHash, record, ttlMs) {
      if (pausing) {
        pausing = false;
        reached();
        await held;
      }
      return store.update(idHash, record, ttlMs);
    },
  };
  return { store: paused, pauseNext: () => (pausing = true), writing, release };
}

describe('console sessions', () => {
  it('gives the browser 256 random bits and keeps only their hash', async () => {
    const { sessions, store } = setup();
    const { id, session } = await sessions.start('alice');
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(session.idHash).toBe(hashSessionId(id));
    expect(await store.get(id)).toBeUndefined();
    expect(await store.get(session.idHash)).toMatchObject({ name: 'alice' });
    expect(session.csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await sessions.start('alice')).id).not.toBe(id);
  });

  it('ends after idleTimeoutMs without a request, and each request starts the idle clock again', async () => {
    const { sessions, advance } = setup();
    const { id } = await sessions.start('alice');
    advance(14 * MINUTE);
    expect(await sessions.resume(id)).toMatchObject({ name: 'alice' });
    advance(14 * MINUTE);
    expect(await sessions.resume(id)).toMatchObject({ name: 'alice' });
    advance(15 * MINUTE);
    expect(await sessions.resume(id)).toBeUndefined();
  });

  it('ends maxAgeMs after sign-in however busy', async () => {
    const { sessions, advance } = setup();
    const { id } = await sessions.start('alice');
    for (let i = 0; i < 47; i++) {
      advance(10 * MINUTE);
      expect(await sessions.resume(id), `after ${(i + 1) * 10} min`).toBeDefined();
    }
    advance(10 * MINUTE);
    expect(await sessions.resume(id)).toBeUndefined();
  });

  it('ends every session opened with another admin token', async () => {
    const a = setup('tag-a');
    const { id } = await a.sessions.start('alice');
    const b = createConsoleSessions(a.store, config, { tokenTag: 'tag-b', now: a.clock });
    expect(await b.resume(id)).toBeUndefined();
    expect(await a.sessions.resume(id)).toBeUndefined();
  });

  it('refuses ids that are not its own shape without asking the store, and ends sessions on demand', async () => {
    const { sessions } = setup();
    expect(await sessions.resume(undefined)).toBeUndefined();
    expect(await sessions.resume('short')).toBeUndefined();
    const { id } = await sessions.start('alice');
    const live = await sessions.resume(id);
    await sessions.end(live!);
    expect(await sessions.resume(id)).toBeUndefined();
  });

  it('hands a notice to the next request only', async () => {
    const { sessions } = setup();
    const { id, session } = await sessions.start('alice');
    await sessions.setNotice(session, { key: 'console.clients.notice.updated', values: { id: 'x' } });
    expect((await sessions.resume(id))?.notice).toEqual({ key: 'console.clients.notice.updated', values: { id: 'x' } });
    expect((await sessions.resume(id))?.notice).toBeUndefined();
  });

  it('stays signed out when a slow action in another tab writes its notice after the sign-out', async () => {
    const { store, clock, advance } = setup();
    const paused = pausedWrites(store);
    const sessions = createConsoleSessions(paused.store, config, { tokenTag: 'tag-a', now: clock });
    const { id } = await sessions.start('alice');
    const tabA = (await sessions.resume(id))!;
    paused.pauseNext();
    // Tab A's action (disable a user: several Kratos calls) ends with its notice; the write is held back.
    const notice = sessions.setNotice(tabA, { key: 'console-users.notice.disabled', values: { user: 'ada' } });
    await paused.writing;
    advance(MINUTE);
    const tabB = (await sessions.resume(id))!;
    await sessions.end(tabB);
    paused.release();
    expect(await notice).toBe(false);
    expect(await store.get(tabA.idHash)).toBeUndefined();
    expect(await sessions.resume(id)).toBeUndefined();
  });

  it('answers signed out to a request whose read came before a sign-out and its write after', async () => {
    const { store, clock } = setup();
    const paused = pausedWrites(store);
    const sessions = createConsoleSessions(paused.store, config, { tokenTag: 'tag-a', now: clock });
    const { id, session } = await sessions.start('alice');
    paused.pauseNext();
    const loading = sessions.resume(id);
    await paused.writing;
    await sessions.end(session);
    paused.release();
    expect(await loading).toBeUndefined();
    expect(await store.get(session.idHash)).toBeUndefined();
    expect(await sessions.resume(id)).toBeUndefined();
  });

  it('does not bring an expired session back with a late notice', async () => {
    const { sessions, store, advance } = setup();
    const { id, session } = await sessions.start('alice');
    advance(16 * MINUTE);
    expect(await sessions.setNotice(session, { key: 'console.clients.notice.updated', values: { id: 'x' } })).toBe(false);
    expect(await store.get(session.idHash)).toBeUndefined();
    expect(await sessions.resume(id)).toBeUndefined();
  });
});
