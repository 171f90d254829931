/**
 * Owns the back-channel queue in process memory, for the demo and unit tests, with the queue's
 * semantics (leases, takeover, fenced settle): a single-threaded event loop makes each call
 * atomic.
 */
import {
  type BackchannelJob,
  type BackchannelQueue,
  FAILED_RECORD_LIMITS,
  type FailedJob,
  type FailedRecordLimits,
  type LeasedJob,
  type QueuedJob,
  type Requeued,
} from './backchannel-queue.ts';

/** `at` is when the job is due, or when its lease ends while it is leased; `since` when it was stored. */
type Entry = { job: BackchannelJob; lease?: string; at: number; since: number };

export class MemoryBackchannelQueue implements BackchannelQueue {
  private readonly entries = new Map<string, Entry>();
  /** Failed deliveries in the order they failed (a Map keeps insertion order): the oldest first. */
  private readonly failures = new Map<string, FailedJob>();
  private readonly limits: FailedRecordLimits;

  constructor(limits: FailedRecordLimits = FAILED_RECORD_LIMITS) {
    this.limits = limits;
  }

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

  async abandon(failed: BackchannelJob, lease: string, error: string): Promise<boolean> {
    if (this.entries.get(failed.id)?.lease !== lease) return false;
    this.entries.delete(failed.id);
    this.failures.delete(failed.id);
    this.failures.set(failed.id, { job: { ...failed }, failedAt: Date.now(), error });
    this.trimFailures();
    return true;
  }

  async queued(limit = Number.MAX_SAFE_INTEGER): Promise<QueuedJob[]> {
    return [...this.entries.values()]
      .sort((a, b) => a.at - b.at)
      .slice(0, limit)
      .map((e) => ({ job: { ...e.job }, dueAt: e.at, leased: e.lease !== undefined }));
  }

  async failed(): Promise<FailedJob[]> {
    this.trimFailures();
    return [...this.failures.values()].reverse().map((f) => ({ ...f, job: { ...f.job } }));
  }

  async requeue(id: string): Promise<Requeued | undefined> {
    const entry = this.entries.get(id);
    if (entry) {
      // An attempt holds it: making it due now would hand it to a claimer as a takeover, a second
      // attempt at once; the attempt under way is as soon as it gets.
      if (entry.lease !== undefined) return { from: 'pending', job: { ...entry.job }, attempting: true };
      entry.at = Date.now();
      return { from: 'pending', job: { ...entry.job }, attempting: false };
    }
    const failure = this.failures.get(id);
    if (!failure) return undefined;
    this.failures.delete(id);
    const { lastError: _, ...rest } = failure.job;
    const fresh: BackchannelJob = { ...rest, attempt: 1 };
    const now = Date.now();
    this.entries.set(id, { job: fresh, at: now, since: now });
    return { from: 'failed', job: { ...fresh }, attempting: false };
  }

  private trimFailures(): void {
    const oldest = Date.now() - this.limits.ttlMs;
    for (const [id, f] of this.failures) {
      if (f.failedAt > oldest && this.failures.size <= this.limits.max) break;
      this.failures.delete(id);
    }
  }
}
