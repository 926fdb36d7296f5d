/**
 * CPU time of processes on this machine from /proc (Linux): user + system seconds of every process
 * whose pid and command name `matches`, such as all of a local PostgreSQL server's processes.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100;

export function cpuSeconds(matches: (pid: string, command: string) => boolean): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // the process ended meanwhile
    }
    const close = stat.lastIndexOf(')');
    if (!matches(pid, stat.slice(stat.indexOf('(') + 1, close))) continue;
    const fields = stat.slice(close + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / TICKS_PER_SECOND;
}

/** CPU seconds of every PostgreSQL process (the server must run on this machine). */
export const postgresCpuSeconds = (): number => cpuSeconds((_pid, command) => command.startsWith('postgres'));
