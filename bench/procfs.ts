import { readdirSync, readFileSync } from 'node:fs';
import { processStat } from '@ssohub/testkit';

export { childrenOf } from '@ssohub/testkit';

/** CPU seconds (user + system) a process has used so far; 0 when it is gone. */
export function cpuSeconds(pid: number): number {
  return processStat(pid)?.cpu ?? 0;
}

/** Resident set size in bytes (VmRSS); 0 when the process is gone. */
export function rssBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Proportional set size in bytes (Pss from smaps_rollup): shared pages (the node binary, shared
 * libraries) are split between the processes that map them, so a sum over processes is honest.
 */
export function pssBytes(pid: number): number {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** A group of processes measured together (e.g. the hub's primary and its workers). */
export class ProcessGroup {
  readonly name: string;
  private readonly pids: () => number[];
  constructor(name: string, pids: () => number[]) {
    this.name = name;
    this.pids = pids;
  }
  list(): number[] {
    return this.pids();
  }
  cpu(): number {
    return this.list().reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  }
  rss(): number {
    return this.list().reduce((sum, pid) => sum + rssBytes(pid), 0);
  }
  pss(): number {
    return this.list().reduce((sum, pid) => sum + pssBytes(pid), 0);
  }
}

/** Samples the summed RSS of a group every `everyMs` and keeps the peak, until stopped. */
export function sampleRss(group: ProcessGroup, everyMs = 250): { stop(): { rss: number; pss: number } } {
  let rss = group.rss();
  let pss = group.pss();
  const timer = setInterval(() => {
    rss = Math.max(rss, group.rss());
    pss = Math.max(pss, group.pss());
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return { rss: Math.max(rss, group.rss()), pss: Math.max(pss, group.pss()) };
    },
  };
}

/**
 * PostgreSQL backends connected to one database: each backend's process title reads
 * `postgres: [<cluster name>: ]<user> <database> <client> <state>` (Debian sets `15/main`).
 */
export function postgresBackends(database: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const title = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (/^postgres: (?:\S+: )?\S+ (\S+) /.exec(title)?.[1] === database) out.push(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}
