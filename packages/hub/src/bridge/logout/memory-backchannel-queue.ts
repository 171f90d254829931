/**
 * Owns the back-channel queue in process memory, for the demo and unit tests, with the queue's
 * semantics (leases, takeover, fenced settle): a single-threaded event loop makes each call
 * atomic.
 */
import type { BackchannelJob, BackchannelQueue, LeasedJob } from './backchannel-queue.ts';

/** `at` is when the job is due, or when its lease ends while it is leased; `since` when it was stored. */
type Entry = { job: BackchannelJob; lease?: string; at: number; since: number };

export class MemoryBackchannelQueue implements BackchannelQueue {
  private readonly entries = new Map<string, Entry>();

  async addLeased(job: BackchannelJob, leaseMs: number): Promise<string | undefined> {
    if (this.entries.has(job.id)) return undefined;
    const lease = crypto.randomUUID();
    const now = Date.now();
    this.entries.set(job.id, { job: { ...job }, lease, at: now + leaseMs, since: now });
    return lease;
  }

  async claim(limit: number, leaseMs: number): Promise<LeasedJob[]> {
    const now = Date.now();
    const due = [...this.entries.values()]
      .filter((e) => e.at <= now)
      .sort((a, b) => a.at - b.at)
      .slice(0, limit);
    const lease = crypto.randomUUID();
    return due.map((e) => {
      const takenOver = e.lease !== undefined;
      if (takenOver) e.job = { ...e.job, attempt: e.job.attempt + 1 };
      e.lease = lease;
      e.at = now + leaseMs;
      return { job: { ...e.job }, lease, takenOver };
    });
  }

  async settle(id: string, lease: string): Promise<boolean> {
    if (this.entries.get(id)?.lease !== lease) return false;
    this.entries.delete(id);
    return true;
  }

  async retryLater(next: BackchannelJob, lease: string, delayMs: number): Promise<boolean> {
    const entry = this.entries.get(next.id);
    if (entry?.lease !== lease) return false;
    this.entries.set(next.id, { job: { ...next }, at: Date.now() + delayMs, since: entry.since });
    return true;
  }

  async depth(): Promise<number> {
    return this.entries.size;
  }

  async oldestAgeMs(): Promise<number> {
    let oldest = Number.POSITIVE_INFINITY;
    for (const e of this.entries.values()) oldest = Math.min(oldest, e.since);
    return oldest === Number.POSITIVE_INFINITY ? 0 : Math.max(0, Date.now() - oldest);
  }

  async pending(): Promise<BackchannelJob[]> {
    return [...this.entries.values()].map((e) => ({ ...e.job }));
  }
}
