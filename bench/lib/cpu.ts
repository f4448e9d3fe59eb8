/** CPU time of processes from Linux `/proc` (the bench's load-independent cost figure). */
import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux the bench runs on

/** CPU ms a process has used so far; undefined when it cannot be read (not Linux, exited). */
function cpuMsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): utime is the 12th, stime the 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

export function cpuSnapshot(groups: Record<string, number[]>): Record<string, number | undefined> {
  return Object.fromEntries(
    Object.entries(groups).map(([name, pids]) => {
      const times = pids.map(cpuMsOf);
      return [
        name,
        times.includes(undefined) ? undefined : times.reduce((a = 0, b = 0) => a + b, 0),
      ];
    }),
  );
}

/** CPU ms per group spent between two snapshots (groups unreadable in either are left out). */
export function cpuSpent(
  before: Record<string, number | undefined>,
  after: Record<string, number | undefined>,
): Record<string, number> {
  const spent: Record<string, number> = {};
  for (const [name, start] of Object.entries(before)) {
    const end = after[name];
    if (start !== undefined && end !== undefined) spent[name] = end - start;
  }
  return spent;
}
