/**
 * Owns the contract of the back-channel queue, kept alike by the Redis and memory queues: it holds
 * every back-channel logout from before its first attempt until a 2xx or its last attempt, so no
 * delivery depends on one instance staying alive (at least once), and then keeps a bounded record
 * of the deliveries it gave up, for an operator to see and retry (issue 27).
 */
import type { TraceContext } from '../../tracing/hub-spans.ts';

/** One back-channel logout to deliver to one client; `attempt` is the number of the next try. */
export interface BackchannelJob {
  id: string;
  clientId: string;
  accountId: string;
  sid: string;
  attempt: number;
  reason: string;
  /** Why the previous attempt failed ("HTTP 500 from https://app.example/bc", "fetch failed (ECONNREFUSED)"): never a token. */
  lastError?: string;
  /**
   * The trace context of the traced, sampled request that queued the job (the logout's), kept
   * through retries, "retry now" and the failed record, so every attempt is a span of that trace
   * (backchannel-deliverer.ts). Absent when the logout was not traced, and in jobs stored before
   * the field existed: those are delivered untraced.
   */
  trace?: TraceContext;
}

/** A stored job as operators see it: when it is due, and whether an attempt holds it now. */
export interface QueuedJob {
  job: BackchannelJob;
  /** Epoch ms on the store's clock: when it is due, or when the lease of the attempt holding it ends. */
  dueAt: number;
  /** An attempt holds it (leased): `dueAt` is when that lease ends. */
  leased: boolean;
}

/** A delivery given up after its last attempt; `job.attempt` is how many attempts were made. */
export interface FailedJob {
  job: BackchannelJob;
  /** Epoch ms on the store's clock. */
  failedAt: number;
  error: string;
}

/** What `requeue` found: a stored job (made due now unless an attempt holds it), or a failed one queued again. */
export interface Requeued {
  from: 'pending' | 'failed';
  job: BackchannelJob;
  /** `from: 'pending'` only: an attempt holds the job right now, so it was left as it is. */
  attempting: boolean;
}

/**
 * How much of the failed deliveries the store keeps. Not a config option: the record is for an
 * operator to notice and retry recent failures (the audit trail keeps every abandonment), so a
 * week and a thousand entries are plenty, and a fixed bound keeps a broken app's endpoint from
 * growing the store without end. The oldest go first when either bound is reached.
 */
export interface FailedRecordLimits {
  max: number;
  ttlMs: number;
}
export const FAILED_RECORD_LIMITS: FailedRecordLimits = { max: 1_000, ttlMs: 7 * 24 * 60 * 60 * 1000 };

/** A job this instance holds until its lease ends; `lease` proves it to `settle` and `retryLater`. */
export interface LeasedJob {
  job: BackchannelJob;
  lease: string;
  /**
   * The previous holder's lease ran out without an answer (the instance died or stalled during
   * its attempt): that unanswered attempt counts, so `job.attempt` is one higher than it was.
   */
  takenOver: boolean;
}

/**
 * A claim is a lease: the job stays stored, out of reach of other claimers until the lease ends,
 * and comes back to any instance's `claim` when it ends unanswered. Only the current lease may
 * remove or reschedule a job; a holder whose lease ran out is refused (`false`), so two instances
 * never both own one attempt. Times are the store's clock (Redis `TIME`): hub instances whose
 * clocks disagree still agree on when a lease or a retry delay ends.
 */
export interface BackchannelQueue {
  /** Stores a new job already leased to the caller, who attempts it at once; `undefined` if the id exists. */
  addLeased(job: BackchannelJob, leaseMs: number): Promise<string | undefined>;
  /** Leases up to `limit` jobs that are due or whose lease has run out. */
  claim(limit: number, leaseMs: number): Promise<LeasedJob[]>;
  /** Removes the job (delivered, or its last attempt failed) if `lease` still holds it. */
  settle(id: string, lease: string): Promise<boolean>;
  /** Stores `next` (the following attempt) due in `delayMs` and ends the lease, if `lease` still holds it. */
  retryLater(next: BackchannelJob, lease: string, delayMs: number): Promise<boolean>;
  /** Jobs stored (waiting for a retry or leased), for the queue depth gauge. */
  depth(): Promise<number>;
  /**
   * How long the oldest stored job has waited, in milliseconds since `addLeased` stored it (on the
   * store's clock; retries keep their first time), 0 when none is stored: the queue age gauge. A
   * job lives at most its retry schedule, so an age beyond it says nothing works the queue.
   */
  oldestAgeMs(): Promise<number>;
  /** Jobs stored, for diagnostics and tests. */
  pending(): Promise<BackchannelJob[]>;
  /**
   * Removes the job after its last attempt, if `lease` still holds it, and keeps `failed` (the job
   * with `attempt` the number of attempts made) in the record of failed deliveries, with `error`.
   */
  abandon(failed: BackchannelJob, lease: string, error: string): Promise<boolean>;
  /** Stored jobs with when each is due, the soonest first (at most `limit`). */
  queued(limit?: number): Promise<QueuedJob[]>;
  /** The failed deliveries kept (within FailedRecordLimits), the latest first. */
  failed(): Promise<FailedJob[]>;
  /**
   * "Retry now", in one atomic step: a stored job not held by an attempt becomes due now; a failed
   * one leaves the record and is stored again as a fresh job (attempt 1, same id) due now.
   * `undefined` when neither holds the id.
   */
  requeue(id: string): Promise<Requeued | undefined>;
}
