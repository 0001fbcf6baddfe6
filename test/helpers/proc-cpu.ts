import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

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

/**
 * Holds process `pid` (all its threads) to `cores` of CPU time in a cgroup of its own, the cpu controller's CFS quota
 * (cgroup v1 `cpu.cfs_quota_us`, or v2 `cpu.max`): what it would have on a machine of its own with that many cores.
 * Returns the way to remove the group once the process has ended. Throws, saying why, where no cpu controller can be
 * written (not root, a container without it).
 */
export function capCpu(pid: number, cores: number, name: string): () => void {
  // A short period (10 ms): held for the rest of a 100 ms one, an instance would sit on an open transaction that long.
  const period = 10_000;
  const quota = Math.max(1000, Math.round(cores * period));
  const v1 = '/sys/fs/cgroup/cpu';
  const v2 = '/sys/fs/cgroup';
  let group: string;
  try {
    if (existsSync(join(v1, 'cpu.cfs_quota_us'))) {
      group = join(v1, name);
      mkdirSync(group, { recursive: true });
      writeFileSync(join(group, 'cpu.cfs_period_us'), String(period));
      writeFileSync(join(group, 'cpu.cfs_quota_us'), String(quota));
    } else {
      if (!readFileSync(join(v2, 'cgroup.controllers'), 'utf8').split(/\s+/).includes('cpu'))
        throw new Error('no cpu controller in cgroup v2');
      writeFileSync(join(v2, 'cgroup.subtree_control'), '+cpu');
      group = join(v2, name);
      mkdirSync(group, { recursive: true });
      writeFileSync(join(group, 'cpu.max'), `${quota} ${period}`);
    }
    writeFileSync(join(group, 'cgroup.procs'), String(pid));
  } catch (err) {
    throw new Error(
      `cannot hold process ${pid} to ${cores} cores: ${(err as Error).message} (a writable cgroup cpu controller is needed: root, outside a container that hides it)`,
    );
  }
  return () => {
    try {
      rmdirSync(group);
    } catch {
      // Not empty yet (its process not reaped): left behind, the group holds only what is in it.
    }
  };
}
