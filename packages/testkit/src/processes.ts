import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ; 100 on every Linux we run on). */
const TICKS = 100;

/** What /proc/<pid>/stat says of a process: parent, CPU seconds used (user + system), command name. */
export function processStat(pid: number): { ppid: number; cpu: number; comm: string } | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: split after its last ')'.
    const close = raw.lastIndexOf(')');
    const comm = raw.slice(raw.indexOf('(') + 1, close);
    const fields = raw.slice(close + 2).split(' ');
    // fields[0] = state (field 3); utime = field 14, stime = field 15.
    return { ppid: Number(fields[1]), cpu: (Number(fields[11]) + Number(fields[12])) / TICKS, comm };
  } catch {
    return undefined;
  }
}

/** Direct children of a process, optionally only those whose command name contains `comm`. */
export function childrenOf(ppid: number, comm?: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const s = processStat(Number(entry));
    if (s && s.ppid === ppid && (!comm || s.comm.includes(comm))) out.push(Number(entry));
  }
  return out;
}
