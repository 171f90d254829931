/**
 * Owns the contract of the back-channel queue, kept alike by the Redis and memory queues: it holds
 * every back-channel logout from before its first attempt until a 2xx or its last attempt, so no
 * delivery depends on one instance staying alive (at least once).
 */

/** One back-channel logout to deliver to one client; `attempt` is the number of the next try. */
export interface BackchannelJob {
  id: string;
  clientId: string;
  accountId: string;
  sid: string;
  attempt: number;
  reason: string;
}

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
}
