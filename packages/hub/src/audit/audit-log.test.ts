import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { parseAuditTime } from './audit-filter-query.ts';
import { createAuditLog } from './audit-log.ts';

const memory = { kind: 'memory' as const, description: 'memory', close: async () => {} };

describe('querying the audit trail (memory)', () => {
  function withEvents() {
    const log = createAuditLog(memory, pino({ level: 'silent' }));
    vi.useFakeTimers({ now: Date.parse('2026-12-06T10:00:00Z') });
    for (let i = 0; i < 30; i++) {
      log.record({ type: i % 2 ? 'user.disabled' : 'client.created', actor: i % 3 ? 'console:alice' : 'admin:bob', subject: `s${i % 5}`, clientId: i % 2 ? undefined : `app-${i % 4}`, outcome: 'success' });
      vi.advanceTimersByTime(60_000);
    }
    vi.useRealTimers();
    return log;
  }

  it('filters by actor, subject, client and type, whole values or prefixes, newest first', async () => {
    const log = withEvents();
    const byActor = await log.query({ actor: 'admin:bob' });
    expect(byActor.events).toHaveLength(10);
    expect(byActor.events.every((e) => e.actor === 'admin:bob')).toBe(true);
    expect(byActor.events[0]!.id > byActor.events[1]!.id || byActor.events[0]!.time > byActor.events[1]!.time).toBe(true);
    expect((await log.query({ actor: 'console:*' })).events).toHaveLength(20);
    expect((await log.query({ actor: 'console:' })).events).toHaveLength(0);
    expect((await log.query({ type: 'user.*', subject: 's1' })).events.map((e) => e.subject)).toEqual(['s1', 's1', 's1']);
    expect((await log.query({ clientId: 'app-2' })).events.every((e) => e.clientId === 'app-2')).toBe(true);
  });

  it('filters by time, both ends included', async () => {
    const log = withEvents();
    const from = Date.parse('2026-12-06T10:05:00Z');
    const to = Date.parse('2026-12-06T10:09:00Z');
    const page = await log.query({ from, to });
    expect(page.events.map((e) => e.time)).toEqual(['09', '08', '07', '06', '05'].map((m) => `2026-12-06T10:${m}:00.000Z`));
  });

  it('pages through older events with `before`', async () => {
    const log = withEvents();
    const first = await log.query({ actor: 'console:*' }, { count: 8 });
    expect(first.events).toHaveLength(8);
    expect(first.next).toBe(first.events.at(-1)!.id);
    const second = await log.query({ actor: 'console:*' }, { count: 8, before: first.next });
    const third = await log.query({ actor: 'console:*' }, { count: 8, before: second.next });
    expect(third.events).toHaveLength(4);
    expect(third.next).toBeUndefined();
    const ids = [...first.events, ...second.events, ...third.events].map((e) => e.id);
    expect(new Set(ids).size).toBe(20);
  });
});

describe('reading the times of a search', () => {
  it('takes ISO times and zone-less datetime-local values as UTC, a minute-precise end as its whole minute', () => {
    expect(parseAuditTime('2026-12-06T10:05')).toBe(Date.parse('2026-12-06T10:05:00Z'));
    expect(parseAuditTime('2026-12-06T10:05', true)).toBe(Date.parse('2026-12-06T10:05:59.999Z'));
    expect(parseAuditTime('2026-12-06T10:05:30', true)).toBe(Date.parse('2026-12-06T10:05:30Z'));
    expect(parseAuditTime('2026-12-06T10:05:00+01:00')).toBe(Date.parse('2026-12-06T09:05:00Z'));
    expect(parseAuditTime('  ')).toBeUndefined();
    expect(parseAuditTime('yesterday')).toBeNaN();
  });
});
