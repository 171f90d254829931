import { describe, expect, it } from 'vitest';
import type { BackchannelJob, BackchannelQueue } from './backchannel-queue.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The one contract every back-channel queue keeps (Redis and memory), written once and run
 * against each. `make` gives an empty queue; two calls with the same `shared` name give two
 * handles on one queue, as two hub instances on one store have.
 */
export function describeBackchannelQueueContract(label: string, make: (shared?: string) => BackchannelQueue): void {
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
  });
}
