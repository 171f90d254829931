import { describe, expect, it } from 'vitest';
import { createConsoleSessionStore } from './console-session-store.ts';
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
});
