import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on Linux). */
const HZ = 100;

/** The fields of /proc/PID/stat after the command's closing parenthesis (the command may hold spaces). */
function statFields(pid: number): string[] | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/**
 * CPU seconds a process has used (user + system), with those of its children it has waited for; with `tree`, also
 * its live children's (PostgreSQL's backends are children of the postmaster, which reaps them when they end).
 */
export function cpuSeconds(pid: number, tree = false): number {
  const f = statFields(pid);
  if (!f) return 0;
  // utime, stime, cutime, cstime are fields 14-17 of stat, 12-15 after the command.
  let ticks = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  if (tree)
    for (const d of readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      const c = statFields(Number(d));
      // The parent's pid is field 4, 2 after the command.
      if (c && Number(c[1]) === pid) ticks += Number(c[11]) + Number(c[12]);
    }
  return ticks / HZ;
}

/** The machine's CPU seconds so far, all cores: total and idle (idle and waiting for I/O), from /proc/stat. */
export function machineCpu(): { total: number; idle: number } {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  return { total: cpu.reduce((a, b) => a + b, 0) / HZ, idle: ((cpu[3] ?? 0) + (cpu[4] ?? 0)) / HZ };
}
