import type { Storage } from '../../storage/storage.ts';

/** One back-channel logout to deliver to one client; `attempt` is the number of the next try. */
export interface BackchannelJob {
  id: string;
  clientId: string;
  accountId: string;
  sid: string;
  attempt: number;
  reason: string;
}

/**
 * BackchannelQueue holds deliveries waiting for a retry. With Redis it is a sorted set
 * (`bridge:backchannel:due`, score = due time in ms) that every hub instance polls; ZREM decides
 * which instance claims a job, so each retry runs once even with several instances.
 */
export interface BackchannelQueue {
  schedule(job: BackchannelJob, dueAtMs: number): Promise<void>;
  /** Removes and returns the jobs due by `nowMs` that this instance won. */
  claimDue(nowMs: number, limit: number): Promise<BackchannelJob[]>;
  /** Jobs still waiting (for diagnostics and tests). */
  pending(): Promise<BackchannelJob[]>;
}

export function createBackchannelQueue(storage: Storage): BackchannelQueue {
  if (storage.kind === 'redis') {
    const { redis } = storage;
    const key = `${storage.prefix}bridge:backchannel:due`;
    return {
      async schedule(job, dueAtMs) {
        await redis.zadd(key, dueAtMs, JSON.stringify(job));
      },
      async claimDue(nowMs, limit) {
        const members = await redis.zrangebyscore(key, '-inf', nowMs, 'LIMIT', 0, limit);
        const won: BackchannelJob[] = [];
        for (const m of members) if ((await redis.zrem(key, m)) === 1) won.push(JSON.parse(m) as BackchannelJob);
        return won;
      },
      async pending() {
        return (await redis.zrange(key, 0, -1)).map((m) => JSON.parse(m) as BackchannelJob);
      },
    };
  }
  let jobs: { job: BackchannelJob; due: number }[] = [];
  return {
    async schedule(job, due) {
      jobs.push({ job, due });
    },
    async claimDue(now, limit) {
      const due = jobs.filter((j) => j.due <= now).slice(0, limit);
      jobs = jobs.filter((j) => !due.includes(j));
      return due.map((j) => j.job);
    },
    async pending() {
      return jobs.map((j) => j.job);
    },
  };
}
