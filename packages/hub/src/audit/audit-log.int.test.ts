import { uniquePrefix } from '@ssohub/testkit';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createAuditLog } from './audit-log.ts';

// The audit trail's query against the real Redis stream: filters, newest first, paging.
const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 2 });
afterAll(async () => {
  await redis.quit();
});

describe('querying the audit stream in Redis', () => {
  it('filters and pages newest first, across more events than one read', async () => {
    const prefix = uniquePrefix('audit');
    const log = createAuditLog({ kind: 'redis', redis, prefix, description: 'redis', close: async () => {} }, pino({ level: 'silent' }));
    for (let i = 0; i < 1_200; i++) log.record({ type: i % 100 === 0 ? 'user.disabled' : 'oidc.token.issued', actor: i % 100 === 0 ? 'console:alice' : `client:app-${i % 3}`, subject: `s${i}`, outcome: 'success' });
    // record() does not wait for the write: wait for the stream to hold them all.
    for (let tries = 0; (await redis.xlen(`${prefix}audit`)) < 1_200 && tries < 100; tries++) await new Promise((r) => setTimeout(r, 20));

    const first = await log.query({ type: 'user.*' }, { count: 5 });
    expect(first.events.map((e) => e.subject)).toEqual(['s1100', 's1000', 's900', 's800', 's700']);
    const second = await log.query({ type: 'user.*' }, { count: 5, before: first.next });
    expect(second.events.map((e) => e.subject)).toEqual(['s600', 's500', 's400', 's300', 's200']);
    const third = await log.query({ type: 'user.*' }, { count: 5, before: second.next });
    expect(third.events.map((e) => e.subject)).toEqual(['s100', 's0']);
    expect(third.next).toBeUndefined();

    expect((await log.query({ actor: 'client:app-1', subject: 's1' })).events.map((e) => e.subject)).toEqual(['s1']);
    await redis.del(`${prefix}audit`);
  });

  it('filters by time, judged by the hub’s clock (the events’ `time`)', async () => {
    const prefix = uniquePrefix('audit');
    const log = createAuditLog({ kind: 'redis', redis, prefix, description: 'redis', close: async () => {} }, pino({ level: 'silent' }));
    const pause = () => new Promise((r) => setTimeout(r, 40));
    for (const subject of ['before', 'inside', 'after']) {
      log.record({ type: 'user.disabled', actor: 'console:alice', subject, outcome: 'success' });
      await pause();
    }
    const all = (await log.query({})).events;
    expect(all.map((e) => e.subject)).toEqual(['after', 'inside', 'before']);
    const at = Date.parse(all[1]!.time);
    expect((await log.query({ from: at - 10, to: at + 10 })).events.map((e) => e.subject)).toEqual(['inside']);
    expect((await log.query({ from: at })).events.map((e) => e.subject)).toEqual(['after', 'inside']);
    expect((await log.query({ to: at })).events.map((e) => e.subject)).toEqual(['inside', 'before']);
    await redis.del(`${prefix}audit`);
  });
});
