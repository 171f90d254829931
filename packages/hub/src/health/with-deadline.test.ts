import { describe, expect, it } from 'vitest';
import { withDeadline } from './with-deadline.ts';

describe('withDeadline', () => {
  it('answers a check that never settles as failed, naming it, once the deadline passes', async () => {
    const startedAt = Date.now();
    expect(await withDeadline('Redis', 100, () => new Promise(() => {}))).toEqual({ ok: false, error: 'Redis did not answer within 100 ms' });
    expect(Date.now() - startedAt).toBeLessThan(500);
  });

  it('passes on what a check answers in time, and turns a rejection into a named failure', async () => {
    expect(await withDeadline('Redis', 1_000, async () => ({ ok: true }))).toEqual({ ok: true });
    expect(await withDeadline('Redis', 1_000, async () => Promise.reject(new Error('ECONNREFUSED')))).toEqual({ ok: false, error: 'Redis: ECONNREFUSED' });
  });
});
