import { describe, expect, it } from 'vitest';
import type { BackchannelJob, BackchannelQueue, FailedRecordLimits } from './backchannel-queue.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The one contract every back-channel queue keeps (Redis and memory), written once and run
 * against each. `make` gives an empty queue; two calls with the same `shared` name give two
 * handles on one queue, as two hub instances on one store have. `limits` bounds the record of
 * failed deliveries (FAILED_RECORD_LIMITS when left out).
 */
export function describeBackchannelQueueContract(label: string, make: (shared?: string, limits?: FailedRecordLimits) => BackchannelQueue): void {
  describe(`back-channel queue contract: ${label}`, () => {
    const job = (over: Partial<BackchannelJob> = {}): BackchannelJob => ({
      id: crypto.randomUUID(),
      clientId: 'app-a',
      accountId: 'ada',
      sid: 'sid-1',
      attempt: 1,
      reason: 'admin_revoked',
      ...over,
    });

    it('stores a job leased to its creator, out of reach of claimers until the lease ends', async () => {
      const q = make();
      const j = job();
      const lease = await q.addLeased(j, 60_000);
      expect(lease).toEqual(expect.any(String));
      expect(await q.pending()).toEqual([j]);
      expect(await q.depth()).toBe(1);
      expect(await q.claim(10, 60_000)).toEqual([]);
    });

    it('refuses a second job with the same id', async () => {
      const q = make();
      const j = job();
      await q.addLeased(j, 60_000);
      expect(await q.addLeased({ ...j, clientId: 'other' }, 60_000)).toBeUndefined();
      expect(await q.pending()).toEqual([j]);
    });

    it('removes a job only when its current lease settles it', async () => {
      const q = make();
      const j = job();
      const lease = (await q.addLeased(j, 60_000))!;
      expect(await q.settle(j.id, 'not-the-lease')).toBe(false);
      expect(await q.depth()).toBe(1);
      expect(await q.settle(j.id, lease)).toBe(true);
      expect(await q.pending()).toEqual([]);
      expect(await q.settle(j.id, lease)).toBe(false);
    });

    it('gives a job whose lease ran out to the next claimer, counting the unanswered attempt', async () => {
      const q = make();
      const j = job({ attempt: 2 });
      const dead = (await q.addLeased(j, 150))!;
      expect(await q.claim(10, 60_000)).toEqual([]);
      await sleep(250);
      const [taken, ...rest] = await q.claim(10, 60_000);
      expect(rest).toEqual([]);
      expect(taken).toEqual({ job: { ...j, attempt: 3 }, lease: expect.any(String), takenOver: true });
      // The instance that lost the lease can neither remove nor reschedule the job any more.
      expect(await q.settle(j.id, dead)).toBe(false);
      expect(await q.retryLater({ ...j, attempt: 3 }, dead, 0)).toBe(false);
      expect(await q.settle(j.id, taken!.lease)).toBe(true);
      expect(await q.depth()).toBe(0);
    });

    it('keeps a retry until it is due, then hands it out once with a fresh lease', async () => {
      const q = make();
      const j = job();
      const lease = (await q.addLeased(j, 60_000))!;
      expect(await q.retryLater({ ...j, attempt: 2 }, lease, 200)).toBe(true);
      expect(await q.settle(j.id, lease)).toBe(false);
      expect(await q.claim(10, 60_000)).toEqual([]);
      await sleep(300);
      const claimed = await q.claim(10, 60_000);
      expect(claimed).toEqual([{ job: { ...j, attempt: 2 }, lease: expect.any(String), takenOver: false }]);
      expect(claimed[0]!.lease).not.toBe(lease);
      expect(await q.claim(10, 60_000)).toEqual([]);
    });

    it('tells the age of the oldest stored job, kept through takeovers and retries, and 0 when empty', async () => {
      const q = make();
      expect(await q.oldestAgeMs()).toBe(0);
      const first = job();
      await q.addLeased(first, 100);
      await sleep(200);
      const second = job();
      const secondLease = (await q.addLeased(second, 60_000))!;
      const ageOfFirst = await q.oldestAgeMs();
      expect(ageOfFirst).toBeGreaterThanOrEqual(180);
      expect(ageOfFirst).toBeLessThan(5_000);
      // Taken over (its lease lapsed), retried, claimed again: still the time it was first stored.
      const [taken] = await q.claim(10, 60_000);
      expect(taken?.job.id).toBe(first.id);
      expect(await q.retryLater({ ...first, attempt: 3 }, taken!.lease, 0)).toBe(true);
      await sleep(20);
      const [retried] = await q.claim(10, 60_000);
      expect(retried?.job.id).toBe(first.id);
      expect(await q.oldestAgeMs()).toBeGreaterThanOrEqual(ageOfFirst);
      // Once the oldest is settled, the next one's age; none left, 0.
      expect(await q.settle(first.id, retried!.lease)).toBe(true);
      expect(await q.oldestAgeMs()).toBeLessThan(ageOfFirst);
      expect(await q.settle(second.id, secondLease)).toBe(true);
      expect(await q.oldestAgeMs()).toBe(0);
    });

    it('claims at most `limit` jobs, the earliest due first', async () => {
      const q = make();
      const jobs = [job(), job(), job()];
      for (const [i, j] of jobs.entries()) await q.retryLater(j, (await q.addLeased(j, 60_000))!, 10 + i * 20);
      await sleep(120);
      const first = await q.claim(2, 60_000);
      expect(first.map((c) => c.job.id)).toEqual([jobs[0]!.id, jobs[1]!.id]);
      expect((await q.claim(2, 60_000)).map((c) => c.job.id)).toEqual([jobs[2]!.id]);
    });

    it('never gives one job to two concurrent claimers within a lease', async () => {
      const a = make('concurrent');
      const b = make('concurrent');
      const jobs = Array.from({ length: 30 }, () => job());
      for (const j of jobs) await a.retryLater(j, (await a.addLeased(j, 60_000))!, 0);
      await sleep(20);
      const rounds = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).claim(5, 60_000)));
      const ids = rounds.flat().map((c) => c.job.id);
      expect(ids).toHaveLength(30);
      expect(new Set(ids).size).toBe(30);
      expect(await a.claim(50, 60_000)).toEqual([]);
      expect(await b.claim(50, 60_000)).toEqual([]);
    });

    it('lists stored jobs with when each is due and whether an attempt holds it, the soonest first, with the last error', async () => {
      const q = make();
      const later = job();
      const held = job();
      const before = Date.now();
      await q.retryLater({ ...later, attempt: 2, lastError: 'expected 200 OK, got: 503' }, (await q.addLeased(later, 60_000))!, 30_000);
      await q.addLeased(held, 5_000);
      const queued = await q.queued();
      expect(queued).toEqual([
        { job: held, dueAt: expect.any(Number), leased: true },
        { job: { ...later, attempt: 2, lastError: 'expected 200 OK, got: 503' }, dueAt: expect.any(Number), leased: false },
      ]);
      // On the store's clock, which may differ a little from this process's.
      expect(queued[0]!.dueAt).toBeGreaterThan(before + 3_000);
      expect(queued[1]!.dueAt).toBeGreaterThan(before + 25_000);
      expect(queued[1]!.dueAt).toBeLessThan(Date.now() + 35_000);
      expect(await q.queued(1)).toEqual([queued[0]]);
    });

    it('moves a job its lease gives up to the record of failed deliveries, and only with that lease', async () => {
      const q = make();
      const j = job();
      const lease = (await q.addLeased(j, 60_000))!;
      expect(await q.abandon({ ...j, lastError: 'HTTP 500' }, 'not-the-lease', 'HTTP 500')).toBe(false);
      expect(await q.failed()).toEqual([]);
      const before = Date.now();
      expect(await q.abandon({ ...j, lastError: 'HTTP 500' }, lease, 'HTTP 500')).toBe(true);
      expect(await q.pending()).toEqual([]);
      expect(await q.depth()).toBe(0);
      expect(await q.oldestAgeMs()).toBe(0);
      const [failed, ...rest] = await q.failed();
      expect(rest).toEqual([]);
      expect(failed).toEqual({ job: { ...j, lastError: 'HTTP 500' }, failedAt: expect.any(Number), error: 'HTTP 500' });
      expect(Math.abs(failed!.failedAt - before)).toBeLessThan(5_000);
      // A settled or abandoned job is gone: its lease abandons nothing more.
      expect(await q.abandon(j, lease, 'again')).toBe(false);
      expect(await q.failed()).toHaveLength(1);
    });

    it('keeps at most `max` failed deliveries, the latest first, and none older than the TTL', async () => {
      const q = make(undefined, { max: 3, ttlMs: 60_000 });
      const jobs = Array.from({ length: 5 }, () => job());
      for (const j of jobs) {
        await q.abandon(j, (await q.addLeased(j, 60_000))!, `failed ${j.id}`);
        await sleep(5);
      }
      expect((await q.failed()).map((f) => f.job.id)).toEqual([jobs[4]!.id, jobs[3]!.id, jobs[2]!.id]);
      // The oldest beyond the cap are gone for good: retrying one finds nothing.
      expect(await q.requeue(jobs[0]!.id)).toBeUndefined();

      const short = make(undefined, { max: 10, ttlMs: 200 });
      const old = job();
      await short.abandon(old, (await short.addLeased(old, 60_000))!, 'old');
      await sleep(300);
      expect(await short.failed()).toEqual([]);
      const recent = job();
      await short.abandon(recent, (await short.addLeased(recent, 60_000))!, 'recent');
      expect((await short.failed()).map((f) => f.job.id)).toEqual([recent.id]);
      expect(await short.requeue(old.id)).toBeUndefined();
    });

    it('retries now: a waiting job becomes due at once; one an attempt holds is left to that attempt', async () => {
      const q = make();
      const waiting = job();
      const lease = (await q.addLeased(waiting, 60_000))!;
      await q.retryLater({ ...waiting, attempt: 2, lastError: 'HTTP 502' }, lease, 60_000);
      expect(await q.claim(10, 60_000)).toEqual([]);
      expect(await q.requeue(waiting.id)).toEqual({ from: 'pending', job: { ...waiting, attempt: 2, lastError: 'HTTP 502' }, attempting: false });
      expect(await q.claim(10, 60_000)).toEqual([{ job: { ...waiting, attempt: 2, lastError: 'HTTP 502' }, lease: expect.any(String), takenOver: false }]);

      const held = job();
      await q.addLeased(held, 60_000);
      expect(await q.requeue(held.id)).toEqual({ from: 'pending', job: held, attempting: true });
      // Not handed to a claimer: that would be a second attempt beside the one under way.
      expect(await q.claim(10, 60_000)).toEqual([]);
      expect(await q.requeue('no-such-delivery')).toBeUndefined();
    });

    it('retries now a failed delivery as a fresh job (attempt 1, same id), out of the failed record', async () => {
      const q = make();
      const j = job({ attempt: 3 });
      await q.abandon({ ...j, lastError: 'ECONNREFUSED' }, (await q.addLeased(j, 60_000))!, 'ECONNREFUSED');
      const fresh = { ...j, attempt: 1 };
      expect(await q.requeue(j.id)).toEqual({ from: 'failed', job: fresh, attempting: false });
      expect(await q.failed()).toEqual([]);
      expect(await q.pending()).toEqual([fresh]);
      expect(await q.depth()).toBe(1);
      expect(await q.oldestAgeMs()).toBeLessThan(5_000);
      const claimed = await q.claim(10, 60_000);
      expect(claimed).toEqual([{ job: fresh, lease: expect.any(String), takenOver: false }]);
      expect(await q.settle(j.id, claimed[0]!.lease)).toBe(true);
    });

    it('keeps the trace context of the logout with the job through a takeover, a retry, the failed record and "retry now"', async () => {
      const q = make();
      const trace = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tracestate: 'vendor=a1,other=b/2' };
      const j = job({ trace });
      const dead = (await q.addLeased(j, 100))!;
      expect(await q.pending()).toEqual([j]);
      await sleep(200);
      const [taken] = await q.claim(10, 60_000);
      expect(taken?.job).toEqual({ ...j, attempt: 2 });
      expect(await q.settle(j.id, dead)).toBe(false);
      expect(await q.retryLater({ ...taken!.job, attempt: 3, lastError: 'HTTP 503' }, taken!.lease, 0)).toBe(true);
      expect((await q.queued()).map((e) => e.job.trace)).toEqual([trace]);
      await sleep(20);
      const [retried] = await q.claim(10, 60_000);
      expect(retried?.job).toEqual({ ...j, attempt: 3, lastError: 'HTTP 503' });
      expect(await q.abandon({ ...retried!.job, lastError: 'HTTP 500' }, retried!.lease, 'HTTP 500')).toBe(true);
      expect((await q.failed()).map((f) => f.job)).toEqual([{ ...j, attempt: 3, lastError: 'HTTP 500' }]);
      expect(await q.requeue(j.id)).toEqual({ from: 'failed', job: { ...j, attempt: 1 }, attempting: false });
      expect(await q.claim(10, 60_000)).toEqual([{ job: { ...j, attempt: 1 }, lease: expect.any(String), takenOver: false }]);
    });

    it('stores a job without a trace context without one (a logout outside a trace, or a job of an older hub)', async () => {
      const q = make();
      const j = job({ trace: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } });
      const plain = job();
      await q.retryLater(j, (await q.addLeased(j, 60_000))!, 0);
      await q.retryLater(plain, (await q.addLeased(plain, 60_000))!, 0);
      await sleep(20);
      const claimed = await q.claim(10, 60_000);
      expect(claimed.map((c) => c.job).sort((a, b) => (a.id === j.id ? -1 : b.id === j.id ? 1 : 0))).toEqual([j, plain]);
      expect(Object.keys(claimed.find((c) => c.job.id === plain.id)!.job)).not.toContain('trace');
    });

    it('queues a failed delivery once when two instances retry it at the same time', async () => {
      const a = make('retry-race');
      const b = make('retry-race');
      const j = job();
      await a.abandon(j, (await a.addLeased(j, 60_000))!, 'HTTP 500');
      const results = await Promise.all([a.requeue(j.id), b.requeue(j.id), a.requeue(j.id), b.requeue(j.id)]);
      expect(results.filter((r) => r?.from === 'failed')).toHaveLength(1);
      expect(results.every((r) => r !== undefined)).toBe(true);
      expect(await a.pending()).toEqual([{ ...j, attempt: 1 }]);
      expect(await b.failed()).toEqual([]);
      expect(await b.claim(10, 60_000)).toHaveLength(1);
      expect(await a.claim(10, 60_000)).toEqual([]);
    });
  });
}
