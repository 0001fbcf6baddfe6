import { readFileSync } from 'node:fs';
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

export const LOCK_FILE = 'agent.lock';

/** Who holds a data folder: enough to tell a live agent from a pid the kernel has since given to another process. */
interface Holder {
  pid: number;
  /** The process's start time in clock ticks since boot (/proc/PID/stat field 22); undefined where /proc is not. */
  startTicks?: number;
  host: string;
  since: string;
}

/** A process's start time from /proc, or undefined (no such process, or no /proc here). */
function startTicksOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  } catch {
    return undefined;
  }
}

function alive(h: Holder): boolean {
  if (h.host !== hostname()) return false;
  if (h.pid === process.pid) return false;
  if (h.startTicks !== undefined) return startTicksOf(h.pid) === h.startTicks;
  try {
    process.kill(h.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parse(text: string): Holder | undefined {
  try {
    const h = JSON.parse(text) as Partial<Holder>;
    return typeof h.pid === 'number' && typeof h.host === 'string' ? (h as Holder) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One agent per data folder: two would interleave the audit chain, publish the outbox twice and overwrite each other's
 * health and open events. The lock is a file naming its holder. A lock whose holder is gone (killed, crashed, or a pid
 * now used by another process) is taken over, so a restart after `kill -9` never needs a hand; a container restarted
 * on the same volume has a new host name, and its predecessor is gone with the old container.
 */
export class DataDirLock {
  private constructor(
    private readonly file: string,
    private readonly mine: string,
  ) {}

  /** Takes the folder's lock, or throws naming the folder and the agent that holds it. */
  static async take(dataDir: string): Promise<DataDirLock> {
    const file = join(dataDir, LOCK_FILE);
    const mine = JSON.stringify({
      pid: process.pid,
      startTicks: startTicksOf(process.pid),
      host: hostname(),
      since: new Date().toISOString(),
    } satisfies Holder);
    // Two rounds: a stale lock is removed once; if another agent takes it in between, it wins and this one is told.
    for (let round = 0; round < 2; round++) {
      try {
        await writeFile(file, mine, { flag: 'wx', mode: 0o600 });
        return new DataDirLock(file, mine);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = parse(await readFile(file, 'utf8').catch(() => ''));
      if (holder && alive(holder)) {
        throw new Error(
          `${dataDir}: this data folder is in use by another jifang agent (pid ${holder.pid}, running since ${holder.since}). Stop that agent first, or give this one its own dataDir.`,
        );
      }
      await unlink(file).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
    }
    throw new Error(`${dataDir}: another jifang agent took this data folder while this one was starting`);
  }

  /** Removes the lock if it is still this agent's. */
  async release(): Promise<void> {
    const now = await readFile(this.file, 'utf8').catch(() => '');
    if (now === this.mine) await unlink(this.file).catch(() => {});
  }
}
